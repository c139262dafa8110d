// The one next step on an invite's page, for the person's situation: sign up (the invite proves
// the email, so no verification detour), log in then accept, accept or decline, log out of
// another account, open the project once accepted, or why the invite cannot be used any more.
import { AcceptInviteDocument, DeclineInviteDocument, type InvitationQuery } from '@invites/client';
import { useAction } from '../action';
import { mutate } from '../api';
import { describeError } from '../errors';
import { t, tr, when } from '../i18n';
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
      return <p className="notice">{t('next.expired', { date: when(preview.expiresAt), inviter: preview.inviterName })}</p>;
    case 'ACCEPTED':
      return <Accepted preview={preview} mine={mine} signedIn={!!me} />;
    case 'DECLINED':
      return <p className="notice">{t('next.declined', { inviter: preview.inviterName })}</p>;
    case 'REVOKED':
      return <p className="notice">{t('next.revoked', { project: place })}</p>;
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
    <p className="aside">{t('next.notForYou')} <button type="button" className="link" disabled={busy} onClick={() => void decline()}>{t('next.decline')}</button></p>
  );

  if (me === undefined) return <Loading />;
  if (me === null && !preview.accountExists) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">{t('next.signUpTitle', { project: place })}</h2>
        <SignUpForm invite={{ token, email: preview.email, name: preview.inviteeName }} onDone={() => onOutcome({ kind: 'joined' })} />
        <ErrorText>{error}</ErrorText>
        {notForYou}
      </section>
    );
  }
  if (me === null) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">{t('next.logInTitle')}</h2>
        <p>{t('next.hasAccount', { email: preview.email })}</p>
        <LogInForm fixedEmail={preview.email} next={here} onDone={() => undefined} />
        <ErrorText>{error}</ErrorText>
        {notForYou}
      </section>
    );
  }
  if (!mine) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">{t('next.otherAccountTitle')}</h2>
        <p>{tr('next.otherAccount', { me: me.email, email: preview.email, b: (c) => <strong>{c}</strong> })}</p>
        <p className="actions"><button type="button" onClick={() => void logOut()}>{t('common.logOut')}</button></p>
      </section>
    );
  }
  if (memberRole) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">{t('next.memberTitle', { project: place })}</h2>
        <OpenProject id={preview.projectId} name={place} />
      </section>
    );
  }
  return (
    <section aria-labelledby="next-step">
      <h2 id="next-step">{t('next.joinTitle', { project: place })}</h2>
      <div className="actions">
        <button type="button" disabled={busy} onClick={() => void accept()}>{t('next.accept')}</button>
        <button type="button" className="secondary" disabled={busy} onClick={() => void decline()}>{t('next.decline')}</button>
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
        <p className="notice">{t('next.accepted')}</p>
        <OpenProject id={preview.projectId} name={place} />
      </>
    );
  }
  const target = preview.projectId ? projectPath(preview.projectId) : '/';
  return (
    <>
      <p className="notice">{t('next.accepted')}{signedIn && ` ${t('next.acceptedLogIn', { email: preview.email, project: place })}`}</p>
      {!signedIn && <p className="actions"><Link to={withContext('/login', target, preview.email)} className="button">{t('next.logInToOpen', { project: place })}</Link></p>}
    </>
  );
}
