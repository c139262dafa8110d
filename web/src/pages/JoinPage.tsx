// /join/<token>: the page behind a shareable invite link. It shows the link's project and role
// and the one next step: sign up or log in, verify the email where the link admits only some
// domains, then join; or why the link cannot be used.
import { useEffect, useState } from 'react';
import { InviteLinkDocument, JoinWithLinkDocument, errorCode, type InviteLinkQuery, type JoinWithLinkMutation } from '@invites/client';
import { mutate, query } from '../api';
import { describeError, roleNames, when } from '../errors';
import { Page } from '../components/Page';
import { ErrorText, Loading } from '../components/Status';
import { Link } from '../router';
import { useSession } from '../session';

type Preview = NonNullable<InviteLinkQuery['inviteLink']>;
type Joined = JoinWithLinkMutation['joinWithLink'];

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

  if (preview === undefined) return <Page title="Invite link"><Loading /></Page>;
  if (preview === null) {
    return (
      <Page title="This link is not valid">
        <ErrorText>{loadError}</ErrorText>
        <p>The link may be cut short or mistyped. Ask the person who shared it for the link again.</p>
        <p><Link to="/">Go to the start page</Link></p>
      </Page>
    );
  }
  if (joined) {
    return (
      <Page title={`You have joined ${joined.project.name}`}>
        <p>You are a member of {joined.project.name} with the role {roleNames[joined.role]}.</p>
        <p><Link to={`/projects/${encodeURIComponent(joined.project.id)}`}>Open {joined.project.name}</Link></p>
      </Page>
    );
  }
  return (
    <Page title={`${preview.inviterName} invited you to ${preview.projectName}`}>
      <dl className="facts">
        <dt>Project</dt><dd>{preview.projectName}</dd>
        <dt>Role</dt><dd>{roleNames[preview.role]}</dd>
        {preview.allowedEmailDomains.length > 0 && (<><dt>Who may join</dt><dd>Emails at {preview.allowedEmailDomains.join(', ')}</dd></>)}
        <dt>{preview.status === 'EXPIRED' ? 'Expired' : 'Open until'}</dt><dd><time dateTime={preview.expiresAt}>{when(preview.expiresAt)}</time></dd>
      </dl>
      <NextStep token={token} preview={preview} onJoined={setJoined} />
    </Page>
  );
}

function NextStep({ token, preview, onJoined }: { token: string; preview: Preview; onJoined: (j: Joined) => void }) {
  const { me, logOut, refresh } = useSession();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const here = `/join/${encodeURIComponent(token)}`;

  switch (preview.status) {
    case 'EXPIRED':
      return <p className="notice">This link expired on {when(preview.expiresAt)}, so it cannot be used. Ask {preview.inviterName} for a new one.</p>;
    case 'USED_UP':
      return <p className="notice">This link has been used as many times as it may be. Ask {preview.inviterName} for a new one.</p>;
    case 'REVOKED':
      return <p className="notice">This link was withdrawn, so it cannot be used any more.</p>;
    case 'ACTIVE':
      break;
  }
  if (me === undefined) return <Loading />;
  if (me === null) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">Sign up or log in to join {preview.projectName}</h2>
        <div className="actions">
          <Link to={`/signup?next=${encodeURIComponent(here)}`}>Sign up</Link>
          <Link to={`/login?next=${encodeURIComponent(here)}`}>Log in</Link>
        </div>
        {preview.allowedEmailDomains.length > 0 && <p className="hint">Use an email at {preview.allowedEmailDomains.join(', ')}.</p>}
      </section>
    );
  }
  const domains = preview.allowedEmailDomains;
  const domain = me.email.slice(me.email.lastIndexOf('@') + 1).toLowerCase();
  if (domains.length > 0 && !domains.includes(domain)) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">This link is for other email addresses</h2>
        <p>You are logged in as <strong>{me.email}</strong>, but this link admits only emails at {domains.join(', ')}.
          Log out, then log in or sign up with such an email.</p>
        <button type="button" onClick={() => void logOut()}>Log out</button>
      </section>
    );
  }
  if (domains.length > 0 && !me.emailVerified) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">Verify your email to join</h2>
        <p>This link admits only verified emails. Open the link we emailed to <strong>{me.email}</strong>, then come back to this page.</p>
        <button type="button" className="secondary" onClick={() => void refresh()}>I have verified my email</button>
      </section>
    );
  }

  async function join() {
    setBusy(true);
    setError('');
    const { data, error } = await mutate(JoinWithLinkDocument, { token });
    setBusy(false);
    if (!data) {
      return setError(describeError(error, {
        INVITE_NOT_PENDING: 'This link cannot be used any more: it was used up or withdrawn.',
        INVITE_EXPIRED: 'This link has expired. Ask for a new one.',
        EMAIL_DOMAIN_NOT_ALLOWED: `This link admits only emails at ${domains.join(', ')}.`,
      }));
    }
    onJoined(data.joinWithLink);
  }
  return (
    <section aria-labelledby="next-step">
      <h2 id="next-step">Join {preview.projectName}?</h2>
      <p>You are logged in as <strong>{me.email}</strong>.</p>
      <button type="button" disabled={busy} onClick={() => void join()}>Join {preview.projectName}</button>
      <ErrorText>{error}</ErrorText>
    </section>
  );
}
