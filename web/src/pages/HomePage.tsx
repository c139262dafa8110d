// The start page: for a signed-in user, their projects, a form to create one, the projects their
// verified email's domain lets them join, and the invites waiting for them; for anyone else,
// how to begin.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import {
  AcceptInviteDocument, CreateProjectDocument, DeclineInviteDocument, MyInvitesDocument, ProjectsDocument,
  type InviteFieldsFragment, type ProjectFieldsFragment,
} from '@invites/client';
import { mutate, query } from '../api';
import { describeError, roleNames, when } from '../errors';
import { Page } from '../components/Page';
import { JoinableProjects } from '../domains/JoinableProjects';
import { ErrorText, Loading } from '../components/Status';
import { Link, navigate } from '../router';
import { useSession } from '../session';

export function HomePage() {
  const { me } = useSession();
  if (me === undefined) return <Page title="Invites"><Loading /></Page>;
  if (me === null) {
    return (
      <Page title="Invites">
        <p>Invite people into your projects by email, one at a time or a whole class from a CSV file.</p>
        <p className="actions"><Link className="button" to="/signup">Sign up</Link> <Link className="button secondary" to="/login">Log in</Link></p>
      </Page>
    );
  }
  return (
    <Page title="Your projects">
      {!me.emailVerified && (
        <p className="notice">Your email {me.email} is not verified yet: open the link we emailed you. Until then you cannot invite people or see invites sent to you here.</p>
      )}
      <ProjectList />
      {me.emailVerified && <JoinableProjects email={me.email} />}
      <CreateProject />
      <MyInvites />
    </Page>
  );
}

function ProjectList() {
  const [projects, setProjects] = useState<ProjectFieldsFragment[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState('');
  useEffect(() => {
    void query(ProjectsDocument, { first: 100 }).then(({ data, error }) => {
      if (!data) return setError(describeError(error));
      setProjects(data.projects.edges.map((e) => e.node));
      setTotal(data.projects.totalCount);
    });
  }, []);
  return (
    <>
      {error ? <ErrorText>{error}</ErrorText> : projects === null ? <Loading /> : projects.length === 0 ? (
        <p>You are not in any project yet. Create one below, or accept an invite.</p>
      ) : (
        <ul className="cards">
          {projects.map((p) => (
            <li key={p.id}>
              <Link to={`/projects/${encodeURIComponent(p.id)}`}>{p.name}</Link>
              <span className="muted"> · {p.viewerRole ? roleNames[p.viewerRole] : ''}</span>
            </li>
          ))}
        </ul>
      )}
      {projects && total > projects.length && <p className="muted">Showing the newest {projects.length} of {total} projects.</p>}
    </>
  );
}

function CreateProject() {
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    const { data, error } = await mutate(CreateProjectDocument, { input: { name } });
    setBusy(false);
    if (!data) return setError(describeError(error));
    navigate(`/projects/${encodeURIComponent(data.createProject.id)}`);
  }
  return (
    <section aria-labelledby="create-project">
      <h2 id="create-project">Create a project</h2>
      <form onSubmit={submit} className="row">
        <label>
          Project name
          <input name="projectName" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)}
            aria-describedby={error ? 'create-project-error' : undefined} />
        </label>
        <button type="submit" disabled={busy}>Create project</button>
      </form>
      <ErrorText id="create-project-error">{error}</ErrorText>
    </section>
  );
}

function MyInvites() {
  const [invites, setInvites] = useState<InviteFieldsFragment[] | null>(null);
  const [error, setError] = useState('');
  const [rowError, setRowError] = useState<Record<string, string>>({});
  const [done, setDone] = useState<Record<string, string>>({});
  const load = useCallback(() => {
    void query(MyInvitesDocument, {}).then(({ data, error }) => {
      if (!data) return setError(describeError(error));
      setInvites(data.myInvites);
    });
  }, []);
  useEffect(load, [load]);

  async function act(invite: InviteFieldsFragment, accept: boolean) {
    const vars = { input: { inviteId: invite.id } };
    const { error } = accept ? await mutate(AcceptInviteDocument, vars) : await mutate(DeclineInviteDocument, vars);
    if (error) return setRowError((m) => ({ ...m, [invite.id]: describeError(error) }));
    setDone((m) => ({ ...m, [invite.id]: accept ? `You joined ${invite.project?.name ?? 'Invites'}.` : 'Declined.' }));
  }

  return (
    <section aria-labelledby="my-invites">
      <h2 id="my-invites">Invites waiting for you</h2>
      {error ? <ErrorText>{error}</ErrorText> : invites === null ? <Loading /> : invites.length === 0 ? <p>None.</p> : (
        <ul className="cards">
          {invites.map((i) => (
            <li key={i.id}>
              <p><strong>{i.inviter?.name ?? 'Someone'}</strong> invited you to <strong>{i.project?.name ?? 'Invites'}</strong>
                {i.role ? ` as ${roleNames[i.role]}` : ''}. Expires {when(i.expiresAt)}.</p>
              {done[i.id] ? <p role="status">{done[i.id]}</p> : (
                <div className="actions">
                  <button type="button" onClick={() => void act(i, true)} aria-label={`Accept the invite to ${i.project?.name ?? 'Invites'}`}>Accept</button>
                  <button type="button" className="secondary" onClick={() => void act(i, false)} aria-label={`Decline the invite to ${i.project?.name ?? 'Invites'}`}>Decline</button>
                </div>
              )}
              <ErrorText>{rowError[i.id]}</ErrorText>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
