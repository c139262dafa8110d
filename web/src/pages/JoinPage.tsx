// /join/<token>: the page behind a shareable invite link, a centred card. It shows the link's
// project, who made it, the role and what it allows, and the one next step (JoinNextStep); or
// why the link cannot be used.
import { useEffect, useState } from 'react';
import { InviteLinkDocument, errorCode } from '@invites/client';
import { query } from '../api';
import { describeError, when } from '../errors';
import { OpenProject, RoleMeaning } from '../components/Invitation';
import { Page, ProjectBadge } from '../components/Page';
import { ErrorText, Loading } from '../components/Status';
import { Link } from '../router';
import { roleNames } from '../roles';
import { JoinNextStep, type Joined, type Preview } from './JoinNextStep';

export function JoinPage({ token }: { token: string }) {
  const [preview, setPreview] = useState<Preview | null | undefined>(undefined);
  const [loadError, setLoadError] = useState('');
  const [joined, setJoined] = useState<Joined | null>(null);

  useEffect(() => {
    let live = true;
    void query(InviteLinkDocument, { token }).then(({ data, error }) => {
      if (!live) return;
      const code = errorCode(error);
      if (error && code !== 'NOT_FOUND' && code !== 'BAD_USER_INPUT') setLoadError(describeError(error));
      setPreview(data?.inviteLink ?? null);
    });
    return () => {
      live = false;
    };
  }, [token]);

  if (preview === undefined) return <Page title="Invite link" card><Loading /></Page>;
  if (preview === null) {
    return (
      <Page title="This link is not valid" card>
        <ErrorText>{loadError}</ErrorText>
        <p>The link may be cut short or mistyped. Ask the person who shared it for the link again.</p>
        <p className="actions"><Link to="/" className="button secondary">Go to the start page</Link></p>
      </Page>
    );
  }
  const badge = <ProjectBadge name={preview.projectName} />;
  if (joined) {
    return (
      <Page card badge={badge} title={`You have joined ${joined.project.name}`}>
        <p>You are a member of {joined.project.name} with the role {roleNames[joined.role]}.</p>
        <OpenProject id={joined.project.id} name={joined.project.name} />
      </Page>
    );
  }
  const domains = preview.allowedEmailDomains;
  return (
    <Page card badge={badge} title={`${preview.inviterName} invited you to ${preview.projectName}`}>
      <dl className="facts">
        <dt>Role</dt><dd>{roleNames[preview.role]}</dd>
        {domains.length > 0 && (<><dt>Who may join</dt><dd>Emails at {domains.join(', ')}</dd></>)}
        <dt>{preview.status === 'EXPIRED' ? 'Expired' : 'Open until'}</dt><dd><time dateTime={preview.expiresAt}>{when(preview.expiresAt)}</time></dd>
      </dl>
      <RoleMeaning role={preview.role} />
      <JoinNextStep token={token} preview={preview} onJoined={setJoined} />
    </Page>
  );
}
