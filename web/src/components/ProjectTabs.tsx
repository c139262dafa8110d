// A project's sections as tabs: each is a link to a page of its own (so a tab has an address to
// share and Back returns to it), the one shown marked with aria-current. As in the ARIA tabs
// pattern, the tabs are one stop for Tab, and the arrow keys, Home and End move among them.
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { ProjectJoinRequestsDocument } from '@invites/client';
import { latestReads } from '../api';
import { Link } from '../router';

/** The project's tabs, in order: the key names a tab, the path is under /projects/<id>. */
export const projectTabs = [
  { key: 'members', label: 'Members', path: '' },
  { key: 'invitations', label: 'Invitations', path: '/invitations' },
  { key: 'links', label: 'Invite links', path: '/links' },
  { key: 'activity', label: 'Activity', path: '/activity' },
  { key: 'webhooks', label: 'Webhooks', path: '/webhooks' },
  { key: 'domains', label: 'Domains', path: '/domains' },
  { key: 'insights', label: 'Insights', path: '/insights' },
  { key: 'requests', label: 'Requests', path: '/requests' },
] as const;

export type ProjectTab = (typeof projectTabs)[number]['key'];

/** The address of a project's tab. */
export function tabPath(projectId: string, tab: ProjectTab): string {
  return `/projects/${encodeURIComponent(projectId)}${projectTabs.find((t) => t.key === tab)!.path}`;
}

export function ProjectTabs({ projectId, current }: { projectId: string; current: ProjectTab }) {
  const list = useRef<HTMLDivElement>(null);
  const pending = usePendingRequests(projectId, current);
  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const tabs = Array.from(list.current?.querySelectorAll<HTMLAnchorElement>('[role="tab"]') ?? []);
    const at = tabs.indexOf(document.activeElement as HTMLAnchorElement);
    if (at < 0) return;
    const to = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    tabs[(to + tabs.length) % tabs.length]?.focus();
  }
  return (
    <nav aria-label="Project sections" className="tabs">
      <div role="tablist" aria-label="Project sections" ref={list} onKeyDown={onKeyDown}>
        {projectTabs.map((t) => {
          const selected = t.key === current;
          return (
            <Link key={t.key} to={tabPath(projectId, t.key)} role="tab" aria-selected={selected}
              aria-current={selected ? 'page' : undefined} tabIndex={selected ? 0 : -1}>
              {t.key === 'requests' && pending ? `${t.label} (${pending})` : t.label}
            </Link>
          );
        })}
      </div>
    </nav>
  );
}

/** How many requests to join wait in the project (the tabs are shown to its admins only),
 * read again as the admin moves between tabs; undefined until known. */
function usePendingRequests(projectId: string, current: ProjectTab): number | undefined {
  const [pending, setPending] = useState<number | undefined>(undefined);
  // Only the latest count counts, and each tab's read asks the server again.
  const [read] = useState(() => latestReads(ProjectJoinRequestsDocument));
  useEffect(() => {
    void read({ id: projectId, status: 'PENDING', first: 0 }).then((answer) => {
      if (answer) setPending(answer.data?.project?.joinRequests.totalCount);
    });
  }, [projectId, current, read]);
  return pending;
}
