// The one next step on an invite link's page: sign up or log in (then back here), verify the
// email where the link admits only some domains, then join; a member already opens the project;
// logged in at another domain, log out; or why the link cannot be used.
import { JoinWithLinkDocument, type InviteLinkQuery, type JoinWithLinkMutation } from '@invites/client';
import { useAction } from '../action';
import { mutate } from '../api';
import { describeError, when } from '../errors';
import { OpenProject } from '../components/Invitation';
import { ErrorText, Loading } from '../components/Status';
import { useMemberRole, withContext } from '../invitation';
import { Link } from '../router';
import { useSession } from '../session';
import { AskToJoin } from './AskToJoin';

export type Preview = NonNullable<InviteLinkQuery['inviteLink']>;
export type Joined = JoinWithLinkMutation['joinWithLink'];

export function JoinNextStep({ token, preview, onJoined }: { token: string; preview: Preview; onJoined: (j: Joined) => void }) {
  const { me, logOut, refresh } = useSession();
  const { busy, error, run } = useAction();
  const memberRole = useMemberRole(preview.projectId);
  const here = `/join/${encodeURIComponent(token)}`;
  const domains = preview.allowedEmailDomains;
  const place = preview.projectName;

  // Who is looking decides first (a member is led in, whatever the link's state): no notice
  // until that is known, so that the page does not change its mind as the membership loads.
  if (me === undefined || (me && memberRole === undefined)) return <Loading />;
  if (me && memberRole) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">You are a member of {place} already</h2>
        <OpenProject id={preview.projectId} name={place} />
      </section>
    );
  }
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
  if (me === null) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">Sign up or log in to join {place}</h2>
        {domains.length > 0 && <p className="hint">Use an email at {domains.join(', ')}.</p>}
        <div className="actions wide">
          <Link to={withContext('/signup', here)} className="button">Sign up</Link>
          <Link to={withContext('/login', here)} className="button secondary">Log in</Link>
        </div>
      </section>
    );
  }
  const domain = me.email.slice(me.email.lastIndexOf('@') + 1).toLowerCase();
  if (domains.length > 0 && !domains.includes(domain)) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">This link is for other email addresses</h2>
        <p>You are logged in as <strong>{me.email}</strong>, but this link admits only emails at {domains.join(', ')}.
          Log out, then log in or sign up with such an email.</p>
        <p className="actions"><button type="button" onClick={() => void logOut()}>Log out</button></p>
      </section>
    );
  }
  if (domains.length > 0 && !me.emailVerified) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">Verify your email to join</h2>
        <p>This link admits only verified emails at {domains.join(', ')}. Open the link we emailed to <strong>{me.email}</strong>, then come back to this page.</p>
        <p className="actions"><button type="button" className="secondary" onClick={() => void refresh()}>I have verified my email</button></p>
      </section>
    );
  }

  if (preview.requiresApproval) return <AskToJoin token={token} place={place} email={me.email} />;

  const join = () => run(async () => {
    const { data, error } = await mutate(JoinWithLinkDocument, { token });
    if (!data) {
      return describeError(error, {
        INVITE_NOT_PENDING: 'This link cannot be used any more: it was used up or withdrawn.',
        INVITE_EXPIRED: 'This link has expired. Ask for a new one.',
        EMAIL_DOMAIN_NOT_ALLOWED: `This link admits only emails at ${domains.join(', ')}.`,
      });
    }
    onJoined(data.joinWithLink);
  });
  return (
    <section aria-labelledby="next-step">
      <h2 id="next-step">Join {place}?</h2>
      <p>You are logged in as <strong>{me.email}</strong>.</p>
      <p className="actions"><button type="button" disabled={busy} onClick={() => void join()}>Join {place}</button></p>
      <ErrorText>{error}</ErrorText>
    </section>
  );
}
