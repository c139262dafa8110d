// /projects/<id>: a project's members for everyone in it, searched by the server (name, email,
// external ID) and filtered by role; for its admins also the changes: a role, an external ID,
// removing one or many (picked with checkboxes), making an admin the owner. Each change that
// cannot be taken back asks first, and each says in words that it was made.
import { useCallback, useEffect, useState } from 'react';
import {
  LeaveProjectDocument, ProjectMembersDocument, RemoveMembersDocument, TransferOwnershipDocument, UpdateMemberDocument,
  type MemberFieldsFragment, type ProjectFieldsFragment, type ProjectRole,
} from '@invites/client';
import { mutate, pagedReads } from '../api';
import { useAction } from '../action';
import { describeError, describeRowError, roleNames } from '../errors';
import { roleAllows } from '../roles';
import { useListing, useSelection } from '../listing';
import { Announcer } from '../components/Announcer';
import { ConfirmDialog, type Question } from '../components/ConfirmDialog';
import { ListControls, RowFailures, SelectAll } from '../components/ListControls';
import { ProjectFrame, isAdmin } from '../components/ProjectFrame';
import { ErrorText, Loading } from '../components/Status';
import { MoreButton, pageSize } from '../components/TableFrame';
import { MembersTable } from './MembersTable';
import { navigate } from '../router';
import { useSession } from '../session';

type Member = MemberFieldsFragment;

const roleFilter = [['', 'All roles'], ['PENDING', 'Pending'], ['CONTRIBUTOR', 'Contributor'], ['ADMIN', 'Admin'], ['OWNER', 'Owner']] as const;

export function ProjectMembersPage({ id }: { id: string }) {
  const { me } = useSession();
  return (
    <ProjectFrame id={id} tab="members">
      {(project, setProject) => <Members project={project} meId={me?.id ?? ''} onOwnershipChange={setProject} />}
    </ProjectFrame>
  );
}

/** The members shown, read again from the start whenever the search or the filter changes. */
function useMembers(projectId: string, search: string, role: string) {
  const [members, setMembers] = useState<Member[] | null>(null);
  const [total, setTotal] = useState(0);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState('');
  // Only the answer of the latest read from the start counts (searches and the reload after a
  // change answer in any order, and the reload must ask the server again); a next page asked for
  // before it continues a list that is gone.
  const [read] = useState(() => pagedReads(ProjectMembersDocument));
  const load = useCallback((after?: string) => {
    const variables = { id: projectId, first: pageSize, after, search: search || undefined, role: (role || undefined) as ProjectRole | undefined };
    void read(variables, Boolean(after)).then((answer) => {
      if (!answer) return;
      const { data, error } = answer;
      if (!data?.project) return setError(describeError(error));
      setError('');
      const page = data.project.members;
      setMembers((ms) => [...(after && ms ? ms : []), ...page.edges.map((e) => e.node)]);
      setTotal(page.totalCount);
      setNext(page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? null) : null);
    });
  }, [projectId, search, role, read]);
  useEffect(() => load(), [load]);
  const replace = (m: Member) => setMembers((ms) => ms && ms.map((x) => (x.id === m.id ? m : x)));
  return { members, total, next, error, load, replace };
}

function Members({ project, meId, onOwnershipChange }: {
  project: ProjectFieldsFragment; meId: string; onOwnershipChange: (p: ProjectFieldsFragment) => void;
}) {
  const listing = useListing('role');
  const selection = useSelection();
  const { members, total, next, error, load, replace } = useMembers(project.id, listing.search, listing.filter);
  const action = useAction();
  const [question, setQuestion] = useState<Question | null>(null);
  const [message, setMessage] = useState('');
  const [failures, setFailures] = useState<{ id: string; who: string; reason: string }[]>([]);
  const admin = isAdmin(project);
  const canAct = (m: Member) => m.user.id !== meId && project.assignableRoles.includes(m.role);
  const names = (ms: Member[]) => (ms.length === 1 ? ms[0]!.user.name : `${ms.length} members`);

  // Every change: the status message says it was made, the error (in words) why not.
  const change = (work: () => Promise<string | undefined>) => {
    setMessage('');
    setFailures([]);
    void action.run(work);
  };

  function remove(ms: Member[]) {
    setQuestion({
      title: `Remove ${names(ms)}?`,
      body: <p>{names(ms)} will lose access to {project.name} at once, and pending invites they sent beyond what you may grant are revoked. Coming back takes a new invitation.</p>,
      confirm: `Remove ${names(ms)}`,
      onConfirm: () => change(async () => {
        const { data, error } = await mutate(RemoveMembersDocument, { projectId: project.id, userIds: ms.map((m) => m.user.id) });
        if (!data) return describeError(error);
        const failed = data.removeMembers.filter((r) => r.errorCode);
        const done = data.removeMembers.length - failed.length;
        setFailures(failed.map((r) => ({ id: r.userId, who: ms.find((m) => m.user.id === r.userId)?.user.name ?? r.userId, reason: describeRowError(r.errorCode, r.message) })));
        setMessage(done === 1 && ms.length === 1 ? `${ms[0]!.user.name} was removed from ${project.name}.`
          : `${done} of ${ms.length} members removed.${failed.length ? ` ${failed.length} could not be: the reasons are below.` : ''}`);
        selection.clear();
        load();
      }),
    });
  }

  function changeRole(m: Member, role: ProjectRole) {
    setQuestion({
      title: `Make ${m.user.name} ${roleNames[role]}?`,
      body: <p>{m.user.name} is {roleNames[m.role]} now. As {roleNames[role]}: {roleAllows[role].replace(/\byou\b/gi, 'they')}</p>,
      confirm: `Make ${m.user.name} ${roleNames[role]}`,
      onConfirm: () => change(async () => {
        const { data, error } = await mutate(UpdateMemberDocument, { input: { projectId: project.id, userId: m.user.id, role } });
        if (!data) return describeError(error);
        replace(data.updateMember);
        setMessage(`${m.user.name} is now ${roleNames[role]}.`);
      }),
    });
  }

  const saveExternalId = (m: Member, externalId: string) => change(async () => {
    const { data, error } = await mutate(UpdateMemberDocument, { input: { projectId: project.id, userId: m.user.id, externalId } });
    if (!data) return describeError(error);
    replace(data.updateMember);
    setMessage(externalId ? `External ID of ${m.user.name} saved.` : `External ID of ${m.user.name} cleared.`);
  });

  function transfer(m: Member) {
    setQuestion({
      title: `Make ${m.user.name} the owner?`,
      body: <p>{m.user.name} will own {project.name}, and you will become an admin. Only the new owner can give it back.</p>,
      confirm: `Make ${m.user.name} the owner`,
      onConfirm: () => change(async () => {
        const { data, error } = await mutate(TransferOwnershipDocument, { projectId: project.id, userId: m.user.id });
        if (!data) return describeError(error);
        onOwnershipChange(data.transferOwnership);
        setMessage(`${m.user.name} is now the owner of ${project.name}.`);
        load();
      }),
    });
  }

  function leave() {
    setQuestion({
      title: `Leave ${project.name}?`,
      body: <p>You will lose access to {project.name} at once. Coming back takes a new invitation.</p>,
      confirm: 'Leave the project',
      onConfirm: () => change(async () => {
        const { data, error } = await mutate(LeaveProjectDocument, { projectId: project.id });
        if (!data) return describeError(error);
        navigate('/');
      }),
    });
  }

  const removable = (members ?? []).filter(canAct);
  const picked = removable.filter((m) => selection.has(m.id));
  return (
    <section aria-labelledby="members">
      <h2 id="members">Members ({total})</h2>
      <ListControls listing={listing} searchLabel="Search members by name, email or external ID" filterLabel="Filter by role" options={roleFilter} />
      <Announcer message={message} />
      <ErrorText>{action.error}</ErrorText>
      <RowFailures title="Could not remove" failures={failures} />
      {admin && (
        <div className="actions toolbar">
          <SelectAll selection={selection} ids={removable.map((m) => m.id)} what="members" />
          <button type="button" className="secondary" disabled={picked.length === 0 || action.busy} onClick={() => remove(picked)}>Remove selected</button>
        </div>
      )}
      {error ? <ErrorText>{error}</ErrorText> : members === null ? <Loading /> : members.length === 0 ? (
        <p>{listing.search || listing.filter ? 'No member matches. Try another search or filter.' : 'No members yet.'}</p>
      ) : (
        <MembersTable members={members} project={project} meId={meId} canAct={canAct} selection={selection} actions={{
          role: changeRole, externalId: saveExternalId, remove: (m) => remove([m]), transfer, leave,
        }} />
      )}
      {members && next && <MoreButton shown={members.length} total={total} what="members" onClick={() => load(next)} />}
      <ConfirmDialog question={question} onClose={() => setQuestion(null)} />
    </section>
  );
}
