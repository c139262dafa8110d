// The frame of each of a project's tabs: it loads the project, asks a signed-out visitor to log
// in and come back to this tab, says when the project cannot be seen, and shows the project's
// name, the viewer's role and, to its admins, the tabs. A tab other than Members is for admins.
import { useEffect, useState, type ReactNode } from 'react';
import { ProjectDocument, type ProjectFieldsFragment } from '@invites/client';
import { query } from '../api';
import { describeError, roleNames } from '../errors';
import { Link } from '../router';
import { useSession } from '../session';
import { Page } from './Page';
import { ProjectTabs, tabPath, type ProjectTab } from './ProjectTabs';
import { ErrorText, Loading } from './Status';

export const isAdmin = (p: ProjectFieldsFragment) => p.viewerRole === 'ADMIN' || p.viewerRole === 'OWNER';

/**
 * The project as the signed-in viewer sees it: undefined while it loads (or while nobody is
 * signed in), null when it cannot be seen (error says why, when the API said).
 */
export function useProject(id: string) {
  const { me } = useSession();
  const [project, setProject] = useState<ProjectFieldsFragment | null | undefined>(undefined);
  const [error, setError] = useState('');
  useEffect(() => {
    if (!me) return;
    void query(ProjectDocument, { id }).then(({ data, error }) => {
      if (error && !data) setError(describeError(error));
      setProject(data?.project ?? null);
    });
  }, [id, me]);
  return { me, project, setProject, error };
}

export function ProjectFrame({ id, tab, children }: {
  id: string;
  tab: ProjectTab;
  children: (project: ProjectFieldsFragment, setProject: (p: ProjectFieldsFragment) => void) => ReactNode;
}) {
  const { me, project, setProject, error } = useProject(id);

  if (me === null) {
    return (
      <Page title="Log in to see this project">
        <p><Link to={`/login?next=${encodeURIComponent(tabPath(id, tab))}`}>Log in</Link> with an account that is a member of it.</p>
      </Page>
    );
  }
  if (me === undefined || project === undefined) return <Page title="Project"><Loading /></Page>;
  if (project === null) {
    return (
      <Page title="Project not found">
        <ErrorText>{error}</ErrorText>
        <p>This project does not exist, or you are not a member of it. <Link to="/">Go to your projects</Link>.</p>
      </Page>
    );
  }
  const admin = isAdmin(project);
  return (
    <Page title={project.name}>
      <p className="muted">Your role: {project.viewerRole ? roleNames[project.viewerRole] : 'none'}</p>
      {admin && <ProjectTabs projectId={project.id} current={tab} />}
      {admin || tab === 'members' ? children(project, setProject) : (
        <p>Only a project's admins and its owner can see this. <Link to={tabPath(project.id, 'members')}>See its members</Link>.</p>
      )}
    </Page>
  );
}
