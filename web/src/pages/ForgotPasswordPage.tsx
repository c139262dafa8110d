// /forgot-password: asks for a password-reset link. The API answers alike whether or not an
// account has the email, so the page says what happens in both cases. It keeps the email typed
// on the log-in form (?email=) and the invitation the person was on their way to (?next=).
import { useState } from 'react';
import { RequestPasswordResetDocument } from '@invites/client';
import { useAction } from '../action';
import { mutate } from '../api';
import { describeError } from '../errors';
import { t, tr } from '../i18n';
import { InvitationLine } from '../components/InvitationContext';
import { Page, ProjectBadge } from '../components/Page';
import { ErrorText } from '../components/Status';
import { rememberAfterReset, useInvitationContext, withContext } from '../invitation';
import { Link, safeNext, searchParam, useLocation } from '../router';

export function ForgotPasswordPage() {
  const location = useLocation();
  const next = safeNext(searchParam(location, 'next'));
  const context = useInvitationContext(next);
  const [email, setEmail] = useState(searchParam(location, 'email'));
  const [sentTo, setSentTo] = useState('');
  const { busy, error, submit } = useAction();
  const backToLogIn = <p><Link to={withContext('/login', next, email.trim())}>{t('forgot.backToLogIn')}</Link></p>;

  const send = submit(async () => {
    const { data, error } = await mutate(RequestPasswordResetDocument, { email });
    if (!data) return describeError(error, { RATE_LIMITED: t('forgot.rateLimited') });
    rememberAfterReset(next);
    setSentTo(email.trim());
  });

  if (sentTo) {
    return (
      <Page card title={t('common.checkEmail')}>
        <p role="status">{t('forgot.sent', { email: sentTo })}</p>
        {context && <p>{t('forgot.backTo', { project: context.projectName })}</p>}
        <p>{tr('forgot.noEmail', { button: (c) => <button type="button" className="link" onClick={() => setSentTo('')}>{c}</button> })}</p>
        {backToLogIn}
      </Page>
    );
  }
  return (
    <Page card badge={context && <ProjectBadge name={context.projectName} />} title={t('forgot.title')}>
      {context && <InvitationLine context={context} then={t('context.thenReset')} />}
      <p>{t('forgot.intro')}</p>
      <form onSubmit={send} className="stack">
        <label>
          {t('form.email')}
          <input type="email" name="email" autoComplete="username" required value={email}
            onChange={(e) => setEmail(e.target.value)} aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'forgot-error' : undefined} />
        </label>
        <ErrorText id="forgot-error">{error}</ErrorText>
        <button type="submit" disabled={busy}>{t('forgot.send')}</button>
      </form>
      {backToLogIn}
    </Page>
  );
}
