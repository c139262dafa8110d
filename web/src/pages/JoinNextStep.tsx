// The one next step on an invite link's page: sign up or log in (then back here), verify the
// email where the link admits only some domains, then join; a member already opens the project;
// logged in at another domain, log out; or why the link cannot be used.
import { JoinWithLinkDocument, type InviteLinkQuery, type JoinWithLinkMutation } from '@invites/client';
import { useAction } from '../action';
import { mutate } from '../api';
import { describeError } from '../errors';
import { list, t, tr, when } from '../i18n';
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
  const allowed = list(domains);
  const place = preview.projectName;

  // Who is looking decides first (a member is led in, whatever the link's state): no notice
  // until that is known, so that the page does not change its mind as the membership loads.
  if (me === undefined || (me && memberRole === undefined)) return <Loading />;
  if (me && memberRole) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">{t('next.memberTitle', { project: place })}</h2>
        <OpenProject id={preview.projectId} name={place} />
      </section>
    );
  }
  switch (preview.status) {
    case 'EXPIRED':
      return <p className="notice">{t('join.expired', { date: when(preview.expiresAt), inviter: preview.inviterName })}</p>;
    case 'USED_UP':
      return <p className="notice">{t('join.usedUp', { inviter: preview.inviterName })}</p>;
    case 'REVOKED':
      return <p className="notice">{t('join.revoked')}</p>;
    case 'ACTIVE':
      break;
  }
  if (me === null) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">{t('join.signUpOrLogIn', { project: place })}</h2>
        {domains.length > 0 && <p className="hint">{t('join.useEmailAt', { domains: allowed })}</p>}
        <div className="actions wide">
          <Link to={withContext('/signup', here)} className="button">{t('common.signUp')}</Link>
          <Link to={withContext('/login', here)} className="button secondary">{t('common.logIn')}</Link>
        </div>
      </section>
    );
  }
  const domain = me.email.slice(me.email.lastIndexOf('@') + 1).toLowerCase();
  if (domains.length > 0 && !domains.includes(domain)) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">{t('join.otherDomainTitle')}</h2>
        <p>{tr('join.otherDomain', { me: me.email, domains: allowed, b: (c) => <strong>{c}</strong> })}</p>
        <p className="actions"><button type="button" onClick={() => void logOut()}>{t('common.logOut')}</button></p>
      </section>
    );
  }
  if (domains.length > 0 && !me.emailVerified) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">{t('join.verifyTitle')}</h2>
        <p>{tr('join.verify', { me: me.email, domains: allowed, b: (c) => <strong>{c}</strong> })}</p>
        <p className="actions"><button type="button" className="secondary" onClick={() => void refresh()}>{t('join.verified')}</button></p>
      </section>
    );
  }

  if (preview.requiresApproval) return <AskToJoin token={token} place={place} email={me.email} />;

  const join = () => run(async () => {
    const { data, error } = await mutate(JoinWithLinkDocument, { token });
    if (!data) {
      return describeError(error, {
        INVITE_NOT_PENDING: t('join.notPending'),
        INVITE_EXPIRED: t('join.inviteExpired'),
        EMAIL_DOMAIN_NOT_ALLOWED: t('join.domainNotAllowed', { domains: allowed }),
      });
    }
    onJoined(data.joinWithLink);
  });
  return (
    <section aria-labelledby="next-step">
      <h2 id="next-step">{t('next.joinTitle', { project: place })}</h2>
      <p>{tr('join.loggedInAs', { me: me.email, b: (c) => <strong>{c}</strong> })}</p>
      <p className="actions"><button type="button" disabled={busy} onClick={() => void join()}>{t('join.join', { project: place })}</button></p>
      <ErrorText>{error}</ErrorText>
    </section>
  );
}
