// The one next step on an invite's page, for the person's situation: sign up (the invite proves
// the email, so no verification detour), log in then accept, accept or decline, log out of
// another account, open the project once accepted, or why the invite cannot be used any more.
import { AcceptInviteDocument, DeclineInviteDocument, type InvitationQuery } from '@invites/client';
import { useAction } from '../action';
import { mutate } from '../api';
import { describeError, when } from '../errors';
import { OpenProject } from '../components/Invitation';
import { LogInForm } from '../components/LogInForm';
import { SignUpForm } from '../components/SignUpForm';
import { ErrorText, Loading } from '../components/Status';
import { projectPath, useMemberRole, withContext } from '../invitation';
import { Link } from '../router';
import { useSession } from '../session';

export type Preview = NonNullable<InvitationQuery['invitation']>;
export type Outcome = { kind: 'joined' } | { kind: 'declined' };

export function InviteNextStep({ token, preview, onOutcome }: { token: string; preview: Preview; onOutcome: (o: Outcome) => void }) {
  const { me, logOut } = useSession();
  const { busy, error, run } = useAction();
  const place = preview.projectName ?? 'Invites';
  const here = `/invite/${encodeURIComponent(token)}`;
  const mine = !!me && me.email.toLowerCase() === preview.email.toLowerCase();
  const memberRole = useMemberRole(mine ? preview.projectId : null);

  switch (preview.status) {
    case 'EXPIRED':
      return <p className="notice">This invite expired on {when(preview.expiresAt)}, so it cannot be used. Ask {preview.inviterName} to send a new one.</p>;
    case 'ACCEPTED':
      return <Accepted preview={preview} mine={mine} signedIn={!!me} />;
    case 'DECLINED':
      return <p className="notice">This invite was declined, so it cannot be used any more. Ask {preview.inviterName} for a new one if you want to join.</p>;
    case 'REVOKED':
      return <p className="notice">This invite was withdrawn by {place}, so it cannot be used any more.</p>;
    case 'PENDING':
      break;
  }

  const accept = () => run(async () => {
    const { data, error } = await mutate(AcceptInviteDocument, { input: { token } });
    if (!data) return describeError(error);
    onOutcome({ kind: 'joined' });
  });
  const decline = () => run(async () => {
    const { data, error } = await mutate(DeclineInviteDocument, { input: { token } });
    if (!data) return describeError(error);
    onOutcome({ kind: 'declined' });
  });
  const notForYou = (
    <p className="aside">Not for you? <button type="button" className="link" disabled={busy} onClick={() => void decline()}>Decline the invite</button></p>
  );

  if (me === undefined) return <Loading />;
  if (me === null && !preview.accountExists) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">Sign up to join {place}</h2>
        <SignUpForm invite={{ token, email: preview.email, name: preview.inviteeName }} onDone={() => onOutcome({ kind: 'joined' })} />
        <ErrorText>{error}</ErrorText>
        {notForYou}
      </section>
    );
  }
  if (me === null) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">Log in to accept</h2>
        <p>{preview.email} has an account. Log in, then accept the invite.</p>
        <LogInForm fixedEmail={preview.email} next={here} onDone={() => undefined} />
        <ErrorText>{error}</ErrorText>
        {notForYou}
      </section>
    );
  }
  if (!mine) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">This invite is for another account</h2>
        <p>You are logged in as <strong>{me.email}</strong>, but the invite was sent to <strong>{preview.email}</strong>.
          Log out, then log in or sign up as {preview.email} to accept it.</p>
        <p className="actions"><button type="button" onClick={() => void logOut()}>Log out</button></p>
      </section>
    );
  }
  if (memberRole) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">You are a member of {place} already</h2>
        <OpenProject id={preview.projectId} name={place} />
      </section>
    );
  }
  return (
    <section aria-labelledby="next-step">
      <h2 id="next-step">Join {place}?</h2>
      <div className="actions">
        <button type="button" disabled={busy} onClick={() => void accept()}>Accept the invite</button>
        <button type="button" className="secondary" disabled={busy} onClick={() => void decline()}>Decline the invite</button>
      </div>
      <ErrorText>{error}</ErrorText>
    </section>
  );
}

/** An accepted invite: the way into its project, for its invitee. */
function Accepted({ preview, mine, signedIn }: { preview: Preview; mine: boolean; signedIn: boolean }) {
  const place = preview.projectName ?? 'Invites';
  if (mine) {
    return (
      <>
        <p className="notice">This invite has already been accepted.</p>
        <OpenProject id={preview.projectId} name={place} />
      </>
    );
  }
  const target = preview.projectId ? projectPath(preview.projectId) : '/';
  return (
    <>
      <p className="notice">This invite has already been accepted.{signedIn && ` Log in as ${preview.email} to open ${place}.`}</p>
      {!signedIn && <p className="actions"><Link to={withContext('/login', target, preview.email)} className="button">Log in to open {place}</Link></p>}
    </>
  );
}
