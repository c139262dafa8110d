// /invite/<token>: the page behind an invite email's link. It shows the invite and the one next
// step for the person's situation: sign up, log in then accept, accept or decline, log out of
// another account, or why the invite cannot be used any more.
import { useEffect, useState } from 'react';
import { AcceptInviteDocument, DeclineInviteDocument, InvitationDocument, MyInvitesDocument, errorCode, errorReason, type InvitationQuery } from '@invites/client';
import { mutate, query } from '../api';
import { describeError, roleNames, when } from '../errors';
import { Page } from '../components/Page';
import { ErrorText, Loading } from '../components/Status';
import { Link } from '../router';
import { useSession } from '../session';
import { LogInForm } from '../components/LogInForm';
import { SignUpForm } from '../components/SignUpForm';

type Preview = NonNullable<InvitationQuery['invitation']>;
type Outcome = { kind: 'joined'; projectId?: string; projectName?: string | null } | { kind: 'declined' };

export function InvitePage({ token }: { token: string }) {
  const [preview, setPreview] = useState<Preview | null | undefined>(undefined);
  const [loadError, setLoadError] = useState('');
  // A resend or a reminder gave the invite a newer link: this one was replaced.
  const [replaced, setReplaced] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  useEffect(() => {
    let live = true;
    void query(InvitationDocument, { token }).then(({ data, error }) => {
      if (!live) return;
      // An unknown or malformed token is simply not a valid link; anything else is said.
      const code = errorCode(error);
      setReplaced(code === 'NOT_FOUND' && errorReason(error) === 'LINK_REPLACED');
      if (error && code !== 'NOT_FOUND' && code !== 'BAD_USER_INPUT') setLoadError(describeError(error));
      setPreview(data?.invitation ?? null);
    });
    return () => {
      live = false;
    };
  }, [token]);

  if (preview === undefined) return <Page title="Invitation"><Loading /></Page>;
  if (preview === null && replaced) {
    return (
      <Page title="This link was replaced by a newer email">
        <p>We sent you a newer email about this invite (a reminder, or the invite sent again), and its
          link replaced this one. Open the link from the latest invite email.</p>
        <p><Link to="/">Go to the start page</Link></p>
      </Page>
    );
  }
  if (preview === null) {
    return (
      <Page title="This invite link is not valid">
        <ErrorText>{loadError}</ErrorText>
        <p>The link may be cut short or mistyped. Open the link from the latest invite email, or ask
          the person who invited you to send it again.</p>
        <p><Link to="/">Go to the start page</Link></p>
      </Page>
    );
  }
  const place = preview.projectName ?? 'Invites';
  if (outcome?.kind === 'joined') {
    return (
      <Page title={preview.projectName ? `You have joined ${preview.projectName}` : 'Your account is ready'}>
        {preview.role && <p>You are a member of {place} with the role {roleNames[preview.role]}.</p>}
        {outcome.projectId ? <p><Link to={`/projects/${encodeURIComponent(outcome.projectId)}`}>Open {place}</Link></p> : <p><Link to="/">Go to your projects</Link></p>}
      </Page>
    );
  }
  if (outcome?.kind === 'declined') {
    return (
      <Page title="Invite declined">
        <p>You declined the invite to {place}. {preview.inviterName} can invite you again if you change your mind.</p>
      </Page>
    );
  }
  return (
    <Page title={`${preview.inviterName} invited you to ${place}`}>
      <dl className="facts">
        {preview.projectName && (<><dt>Project</dt><dd>{preview.projectName}</dd></>)}
        {preview.role && (<><dt>Role</dt><dd>{roleNames[preview.role]}</dd></>)}
        <dt>Invited email</dt><dd>{preview.email}</dd>
        <dt>{preview.status === 'EXPIRED' ? 'Expired' : 'Expires'}</dt><dd><time dateTime={preview.expiresAt}>{when(preview.expiresAt)}</time></dd>
      </dl>
      <NextStep token={token} preview={preview} onOutcome={setOutcome} />
    </Page>
  );
}

function NextStep({ token, preview, onOutcome }: { token: string; preview: Preview; onOutcome: (o: Outcome) => void }) {
  const { me, logOut } = useSession();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const place = preview.projectName ?? 'Invites';

  switch (preview.status) {
    case 'EXPIRED':
      return <p className="notice">This invite expired on {when(preview.expiresAt)}, so it cannot be used. Ask {preview.inviterName} to send a new one.</p>;
    case 'ACCEPTED':
      return <p className="notice">This invite has already been accepted. {me ? <Link to="/">Go to your projects</Link> : <Link to="/login">Log in to see the project</Link>}.</p>;
    case 'DECLINED':
      return <p className="notice">This invite was declined, so it cannot be used any more. Ask {preview.inviterName} for a new one if you want to join.</p>;
    case 'REVOKED':
      return <p className="notice">This invite was withdrawn by {place}, so it cannot be used any more.</p>;
    case 'PENDING':
      break;
  }

  async function accept() {
    setBusy(true);
    setError('');
    const { data, error } = await mutate(AcceptInviteDocument, { input: { token } });
    setBusy(false);
    if (!data) return setError(describeError(error));
    onOutcome({ kind: 'joined', projectId: data.acceptInvite.invite.project?.id, projectName: data.acceptInvite.invite.project?.name });
  }
  // Signing up with the token claimed the invite already: find its project to link to it.
  async function joinedBySignUp() {
    const { data } = await query(MyInvitesDocument, { status: 'ACCEPTED' });
    const project = data?.myInvites.find((i) => i.project?.name === preview.projectName)?.project;
    onOutcome({ kind: 'joined', projectId: project?.id, projectName: preview.projectName });
  }
  async function decline() {
    setBusy(true);
    setError('');
    const { data, error } = await mutate(DeclineInviteDocument, { input: { token } });
    setBusy(false);
    if (!data) return setError(describeError(error));
    onOutcome({ kind: 'declined' });
  }
  const declineButton = (
    <button type="button" className="secondary" disabled={busy} onClick={() => void decline()}>Decline the invite</button>
  );

  if (me === undefined) return <Loading />;
  if (me === null && !preview.accountExists) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">Sign up to join {place}</h2>
        <SignUpForm invite={{ token, email: preview.email, name: preview.inviteeName }}
          onDone={() => void joinedBySignUp()} />
        <ErrorText>{error}</ErrorText>
        <p>Not for you? {declineButton}</p>
      </section>
    );
  }
  if (me === null) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">Log in to accept</h2>
        <p>{preview.email} has an account. Log in, then accept the invite.</p>
        <LogInForm fixedEmail={preview.email} onDone={() => undefined} />
        <ErrorText>{error}</ErrorText>
        <p>Not for you? {declineButton}</p>
      </section>
    );
  }
  if (me.email.toLowerCase() !== preview.email.toLowerCase()) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">This invite is for another account</h2>
        <p>You are logged in as <strong>{me.email}</strong>, but the invite was sent to <strong>{preview.email}</strong>.
          Log out, then log in or sign up as {preview.email} to accept it.</p>
        <button type="button" onClick={() => void logOut()}>Log out</button>
      </section>
    );
  }
  return (
    <section aria-labelledby="next-step">
      <h2 id="next-step">Join {place}?</h2>
      <div className="actions">
        <button type="button" disabled={busy} onClick={() => void accept()}>Accept the invite</button>
        {declineButton}
      </div>
      <ErrorText>{error}</ErrorText>
    </section>
  );
}
