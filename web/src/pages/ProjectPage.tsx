// /projects/<id>: a project's members for everyone in it; for its admins also the form to invite
// one person, the link to the bulk invite, the invites with their delivery, and the activity.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import {
  CreateInviteDocument, LeaveProjectDocument, ProjectActivityDocument, ProjectDocument, ProjectMembersDocument, RemoveMemberDocument,
  TransferOwnershipDocument, UpdateMemberDocument,
  type MemberFieldsFragment, type ProjectActivityQuery, type ProjectFieldsFragment, type ProjectRole,
} from '@invites/client';
import { mutate, query } from '../api';
import { describeError, roleNames, when } from '../errors';
import { Page } from '../components/Page';
import { ErrorText, Loading } from '../components/Status';
import { MoreButton, TableFrame, pageSize } from '../components/TableFrame';
import { RoleSelect, defaultRole } from '../components/RoleSelect';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { InviteLinks } from './InviteLinks';
import { ProjectInvites } from './ProjectInvites';


const isAdmin = (p: ProjectFieldsFragment) => p.viewerRole === 'ADMIN' || p.viewerRole === 'OWNER';

export function ProjectPage({ id }: { id: string }) {
  const { me } = useSession();
  const [project, setProject] = useState<ProjectFieldsFragment | null | undefined>(undefined);
  const [error, setError] = useState('');
  // Bumped after an invite is sent, so the invites list shows it.
  const [invitesVersion, setInvitesVersion] = useState(0);

  useEffect(() => {
    if (!me) return;
    void query(ProjectDocument, { id }).then(({ data, error }) => {
      if (error && !data) setError(describeError(error));
      setProject(data?.project ?? null);
    });
  }, [id, me]);

  if (me === undefined) return <Page title="Project"><Loading /></Page>;
  if (me === null) {
    return (
      <Page title="Log in to see this project">
        <p><Link to={`/login?next=${encodeURIComponent(`/projects/${id}`)}`}>Log in</Link> with an account that is a member of it.</p>
      </Page>
    );
  }
  if (project === undefined) return <Page title="Project"><Loading /></Page>;
  if (project === null) {
    return (
      <Page title="Project not found">
        <ErrorText>{error}</ErrorText>
        <p>This project does not exist, or you are not a member of it. <Link to="/">Go to your projects</Link>.</p>
      </Page>
    );
  }
  return (
    <Page title={project.name}>
      <p className="muted">Your role: {project.viewerRole ? roleNames[project.viewerRole] : 'none'}</p>
      {isAdmin(project) && (
        <>
          <InviteOne project={project} onSent={() => setInvitesVersion((v) => v + 1)} />
          <p><Link to={`/projects/${encodeURIComponent(project.id)}/bulk`}>Invite many people from a CSV file</Link></p>
          <p><Link to={`/projects/${encodeURIComponent(project.id)}/webhooks`}>Webhooks</Link></p>
        </>
      )}
      <Members project={project} meId={me.id} onOwnershipChange={setProject} onInvitesChange={() => setInvitesVersion((v) => v + 1)} />
      {isAdmin(project) && <ProjectInvites projectId={project.id} version={invitesVersion} />}
      {isAdmin(project) && <InviteLinks project={project} />}
      {isAdmin(project) && <Activity projectId={project.id} />}
    </Page>
  );
}

function InviteOne({ project, onSent }: { project: ProjectFieldsFragment; onSent: () => void }) {
  const roles = project.assignableRoles;
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<ProjectRole>(defaultRole(roles));
  const [externalId, setExternalId] = useState('');
  const [error, setError] = useState('');
  const [sent, setSent] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    setSent('');
    const { data, error } = await mutate(CreateInviteDocument, { input: { projectId: project.id, email, role, externalId: externalId || undefined } });
    setBusy(false);
    if (!data) return setError(describeError(error));
    setSent(`Invite sent to ${data.createInvite.email}.`);
    setEmail('');
    setExternalId('');
    onSent();
  }
  return (
    <section aria-labelledby="invite-one">
      <h2 id="invite-one">Invite someone</h2>
      <form onSubmit={submit} className="grid-form">
        <label>
          Email
          <input type="email" name="inviteEmail" required value={email} onChange={(e) => setEmail(e.target.value)}
            aria-describedby={error ? 'invite-one-error' : undefined} />
        </label>
        <label>
          Role
          <RoleSelect roles={roles} value={role} onChange={setRole} />
        </label>
        <label>
          External ID (optional)
          <input name="inviteExternalId" maxLength={64} value={externalId} onChange={(e) => setExternalId(e.target.value)} />
        </label>
        <button type="submit" disabled={busy}>Send invite</button>
      </form>
      <ErrorText id="invite-one-error">{error}</ErrorText>
      {sent && <p role="status">{sent}</p>}
    </section>
  );
}

// onInvitesChange: a member's removal or new role may have revoked invites they sent (those
// beyond their authority now), so the invites list is read again.
function Members({ project, meId, onOwnershipChange, onInvitesChange }: {
  project: ProjectFieldsFragment; meId: string; onOwnershipChange: (p: ProjectFieldsFragment) => void; onInvitesChange: () => void;
}) {
  const [members, setMembers] = useState<MemberFieldsFragment[] | null>(null);
  const [total, setTotal] = useState(0);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [rowError, setRowError] = useState<Record<string, string>>({});
  const [left, setLeft] = useState(false);

  // after: the next page, added to the list; without it the first page again.
  const load = useCallback((after?: string) => {
    void query(ProjectMembersDocument, { id: project.id, first: pageSize, after }).then(({ data, error }) => {
      if (!data?.project) return setError(describeError(error));
      const page = data.project.members;
      setMembers((ms) => [...(after && ms ? ms : []), ...page.edges.map((e) => e.node)]);
      setTotal(page.totalCount);
      setNext(page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? null) : null);
    });
  }, [project.id]);
  useEffect(() => load(), [load, project.viewerRole]);

  const fail = (m: MemberFieldsFragment, message: string) => setRowError((r) => ({ ...r, [m.id]: message }));
  const clear = (m: MemberFieldsFragment) => setRowError((r) => ({ ...r, [m.id]: '' }));

  async function update(m: MemberFieldsFragment, change: { role?: ProjectRole; externalId?: string }) {
    clear(m);
    const { data, error } = await mutate(UpdateMemberDocument, { input: { projectId: project.id, userId: m.user.id, ...change } });
    if (!data) return fail(m, describeError(error));
    setMembers((ms) => ms && ms.map((x) => (x.id === m.id ? data.updateMember : x)));
    if (change.role) onInvitesChange();
  }
  async function remove(m: MemberFieldsFragment) {
    clear(m);
    const { data, error } = await mutate(RemoveMemberDocument, { projectId: project.id, userId: m.user.id });
    if (!data) return fail(m, describeError(error));
    load();
    onInvitesChange();
  }
  async function transfer(m: MemberFieldsFragment) {
    if (!window.confirm(`Make ${m.user.name} the owner of ${project.name}? You will become an admin.`)) return;
    clear(m);
    const { data, error } = await mutate(TransferOwnershipDocument, { projectId: project.id, userId: m.user.id });
    if (!data) return fail(m, describeError(error));
    onOwnershipChange(data.transferOwnership);
    onInvitesChange();
  }
  async function leave(m: MemberFieldsFragment) {
    if (!window.confirm(`Leave ${project.name}?`)) return;
    clear(m);
    const { data, error } = await mutate(LeaveProjectDocument, { projectId: project.id });
    if (!data) return fail(m, describeError(error));
    setLeft(true);
    navigate('/');
  }

  const admin = isAdmin(project);
  return (
    <section aria-labelledby="members">
      <h2 id="members">Members ({total})</h2>
      {left && <p role="status">You left {project.name}.</p>}
      {error ? <ErrorText>{error}</ErrorText> : members === null ? <Loading /> : (
        <TableFrame label="Members">
          <table>
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th>{admin && <th scope="col">External ID</th>}<th scope="col">Actions</th></tr>
            </thead>
            <tbody>
              {members.map((m) => {
                const self = m.user.id === meId;
                const canAct = !self && project.assignableRoles.includes(m.role);
                return (
                  <tr key={m.id}>
                    <th scope="row">{m.user.name}{self && <span className="muted"> (you)</span>}</th>
                    <td className="email">{m.user.email}</td>
                    <td>
                      {canAct ? (
                        <RoleSelect aria-label={`Role of ${m.user.name}`} roles={project.assignableRoles} value={m.role}
                          onChange={(role) => void update(m, { role })} />
                      ) : roleNames[m.role]}
                    </td>
                    {admin && (
                      <td>{canAct || self ? <ExternalIdEditor member={m} onSave={(externalId) => update(m, { externalId })} /> : (m.externalId ?? '')}</td>
                    )}
                    <td>
                      <div className="actions">
                        {canAct && <button type="button" className="secondary" aria-label={`Remove ${m.user.name}`} onClick={() => void remove(m)}>Remove</button>}
                        {project.viewerRole === 'OWNER' && m.role === 'ADMIN' && (
                          <button type="button" className="secondary" aria-label={`Transfer ownership to ${m.user.name}`} onClick={() => void transfer(m)}>Transfer ownership</button>
                        )}
                        {self && project.viewerRole !== 'OWNER' && (
                          <button type="button" className="secondary" onClick={() => void leave(m)}>Leave the project</button>
                        )}
                      </div>
                      <ErrorText>{rowError[m.id]}</ErrorText>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableFrame>
      )}
      {members && next && <MoreButton shown={members.length} total={total} what="members" onClick={() => load(next)} />}
    </section>
  );
}

function ExternalIdEditor({ member, onSave }: { member: MemberFieldsFragment; onSave: (id: string) => Promise<void> }) {
  const [value, setValue] = useState(member.externalId ?? '');
  useEffect(() => setValue(member.externalId ?? ''), [member.externalId]);
  const changed = value !== (member.externalId ?? '');
  return (
    <form className="inline" onSubmit={(e) => { e.preventDefault(); void onSave(value.trim()); }}>
      <input aria-label={`External ID of ${member.user.name}`} maxLength={64} value={value} onChange={(e) => setValue(e.target.value)} />
      <button type="submit" className="secondary" disabled={!changed}>{value.trim() === '' && member.externalId ? 'Clear' : 'Save'}</button>
    </form>
  );
}

type Event = NonNullable<ProjectActivityQuery['project']>['activity']['edges'][number]['node'];

function Activity({ projectId }: { projectId: string }) {
  const [events, setEvents] = useState<Event[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    void query(ProjectActivityDocument, { id: projectId, first: 20 }).then(({ data, error }) => {
      if (!data?.project) return setError(describeError(error));
      setEvents(data.project.activity.edges.map((e) => e.node));
    });
  }, [projectId]);
  return (
    <section aria-labelledby="activity">
      <h2 id="activity">Recent activity</h2>
      {error ? <ErrorText>{error}</ErrorText> : events === null ? <Loading /> : events.length === 0 ? <p>Nothing yet.</p> : (
        <ul className="events">
          {events.map((e) => (
            <li key={e.id}>
              <time dateTime={e.createdAt}>{when(e.createdAt)}</time> {e.name}
              {e.email ? `: ${e.email}` : ''}{e.actor ? ` (by ${e.actor.name})` : ''}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
