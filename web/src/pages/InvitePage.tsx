// /invite/<token>: the page behind an invite email's link, a centred card. It shows the invite
// (who invites, to which project, the role and what it allows) and the one next step for the
// person's situation (InviteNextStep), or why the link cannot be used.
import { useEffect, useState } from 'react';
import { InvitationDocument, errorCode, errorReason } from '@invites/client';
import { query } from '../api';
import { describeError, when } from '../errors';
import { Page, ProjectBadge } from '../components/Page';
import { OpenProject, RoleMeaning } from '../components/Invitation';
import { ErrorText, Loading } from '../components/Status';
import { Link } from '../router';
import { roleNames } from '../roles';
import { InviteNextStep, type Outcome, type Preview } from './InviteNextStep';

type Loaded = { preview: Preview } | { invalid: 'replaced' | 'unknown'; error: string };

export function InvitePage({ token }: { token: string }) {
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  useEffect(() => {
    let live = true;
    void query(InvitationDocument, { token }).then(({ data, error }) => {
      if (!live) return;
      if (data?.invitation) return setLoaded({ preview: data.invitation });
      // A resend or a reminder gave the invite a newer link: this one was replaced. An unknown
      // or malformed token is simply not a valid link; anything else is said.
      const code = errorCode(error);
      const replaced = code === 'NOT_FOUND' && errorReason(error) === 'LINK_REPLACED';
      const said = error && code !== 'NOT_FOUND' && code !== 'BAD_USER_INPUT' ? describeError(error) : '';
      setLoaded({ invalid: replaced ? 'replaced' : 'unknown', error: said });
    });
    return () => {
      live = false;
    };
  }, [token]);

  if (loaded === undefined) return <Page title="Invitation" card><Loading /></Page>;
  if ('invalid' in loaded) return <InvalidInvite replaced={loaded.invalid === 'replaced'} error={loaded.error} />;
  const { preview } = loaded;
  const place = preview.projectName ?? 'Invites';
  const badge = <ProjectBadge name={place} />;
  if (outcome?.kind === 'joined') {
    return (
      <Page card badge={badge} title={preview.projectName ? `You have joined ${preview.projectName}` : 'Your account is ready'}>
        {preview.role && <p>You are a member of {place} with the role {roleNames[preview.role]}.</p>}
        <OpenProject id={preview.projectId} name={place} />
      </Page>
    );
  }
  if (outcome?.kind === 'declined') {
    return (
      <Page card badge={badge} title="Invite declined">
        <p>You declined the invite to {place}. {preview.inviterName} can invite you again if you change your mind.</p>
        <p className="actions"><Link to="/" className="button secondary">Go to the start page</Link></p>
      </Page>
    );
  }
  return (
    <Page card badge={badge} title={`${preview.inviterName} invited you to ${place}`}>
      <dl className="facts">
        {preview.role && (<><dt>Role</dt><dd>{roleNames[preview.role]}</dd></>)}
        <dt>Invited email</dt><dd>{preview.email}</dd>
        <dt>{preview.status === 'EXPIRED' ? 'Expired' : 'Expires'}</dt><dd><time dateTime={preview.expiresAt}>{when(preview.expiresAt)}</time></dd>
      </dl>
      {preview.role && <RoleMeaning role={preview.role} />}
      <InviteNextStep token={token} preview={preview} onOutcome={setOutcome} />
    </Page>
  );
}

function InvalidInvite({ replaced, error }: { replaced: boolean; error: string }) {
  if (replaced) {
    return (
      <Page card title="This link was replaced by a newer email">
        <p>We sent you a newer email about this invite (a reminder, or the invite sent again), and its
          link replaced this one. Open the link from the latest invite email.</p>
        <p className="actions"><Link to="/" className="button secondary">Go to the start page</Link></p>
      </Page>
    );
  }
  return (
    <Page card title="This invite link is not valid">
      <ErrorText>{error}</ErrorText>
      <p>The link may be cut short or mistyped. Open the link from the latest invite email, or ask
        the person who invited you to send it again.</p>
      <p className="actions"><Link to="/" className="button secondary">Go to the start page</Link></p>
    </Page>
  );
}
