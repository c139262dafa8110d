// /projects/<id>/invitations: for a project's admins, inviting one person, the way to a bulk
// invite, and the invitations with their status and delivery (ProjectInvites).
import { useState } from 'react';
import { CreateInviteDocument, type ProjectFieldsFragment, type ProjectRole } from '@invites/client';
import { mutate } from '../api';
import { useAction } from '../action';
import { describeError } from '../errors';
import { Announcer } from '../components/Announcer';
import { ProjectFrame } from '../components/ProjectFrame';
import { ErrorText } from '../components/Status';
import { RoleSelect, defaultRole } from '../components/RoleSelect';
import { Link } from '../router';
import { ProjectInvites } from './ProjectInvites';

export function ProjectInvitationsPage({ id }: { id: string }) {
  // Bumped after an invite is sent, so the list shows it.
  const [version, setVersion] = useState(0);
  return (
    <ProjectFrame id={id} tab="invitations">
      {(project) => (
        <>
          <InviteOne project={project} onSent={() => setVersion((v) => v + 1)} />
          <p><Link to={`/projects/${encodeURIComponent(project.id)}/bulk`}>Invite many people from a CSV file</Link></p>
          <ProjectInvites projectId={project.id} version={version} />
        </>
      )}
    </ProjectFrame>
  );
}

function InviteOne({ project, onSent }: { project: ProjectFieldsFragment; onSent: () => void }) {
  const roles = project.assignableRoles;
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<ProjectRole>(defaultRole(roles));
  const [externalId, setExternalId] = useState('');
  const [sent, setSent] = useState('');
  const action = useAction();
  const submit = action.submit(async () => {
    setSent('');
    const { data, error } = await mutate(CreateInviteDocument, { input: { projectId: project.id, email, role, externalId: externalId || undefined } });
    if (!data) return describeError(error);
    setSent(`Invite sent to ${data.createInvite.email}.`);
    setEmail('');
    setExternalId('');
    onSent();
  });
  return (
    <section aria-labelledby="invite-one">
      <h2 id="invite-one">Invite someone</h2>
      <form onSubmit={submit} className="grid-form">
        <label>
          Email
          <input type="email" name="inviteEmail" required value={email} onChange={(e) => setEmail(e.target.value)}
            aria-describedby={action.error ? 'invite-one-error' : undefined} />
        </label>
        <label>
          Role
          <RoleSelect roles={roles} value={role} onChange={setRole} />
        </label>
        <label>
          External ID (optional)
          <input name="inviteExternalId" maxLength={64} value={externalId} onChange={(e) => setExternalId(e.target.value)} />
        </label>
        <button type="submit" disabled={action.busy}>Send invite</button>
      </form>
      <ErrorText id="invite-one-error">{action.error}</ErrorText>
      <Announcer message={sent} />
    </section>
  );
}
