// The log-in form of the log-in page and of an invite's page, with the way to a new password
// that keeps where the person was going and the email typed.
import { useState } from 'react';
import { LogInDocument } from '@invites/client';
import { useAction } from '../action';
import { mutate } from '../api';
import { describeError } from '../errors';
import { t } from '../i18n';
import { withContext } from '../invitation';
import { Link } from '../router';
import { useSession } from '../session';
import { ErrorText } from './Status';

/**
 * Email and password; with fixedEmail (an invite's) the email cannot be changed, with email it
 * starts with that one. next is the page to come back to after "Forgot your password?".
 */
export function LogInForm({ fixedEmail, email: initialEmail, next = '/', onDone }: {
  fixedEmail?: string;
  email?: string;
  next?: string;
  onDone: () => void;
}) {
  const { signIn } = useSession();
  const [email, setEmail] = useState(fixedEmail ?? initialEmail ?? '');
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useAction();

  const logIn = submit(async () => {
    const { data, error } = await mutate(LogInDocument, { input: { email, password } });
    if (!data?.logIn) return describeError(error);
    signIn(data.logIn.token, data.logIn.user);
    onDone();
  });

  return (
    <form onSubmit={logIn} className="stack" aria-describedby={error ? 'login-error' : undefined}>
      <label>
        {t('form.email')}
        <input type="email" name="email" autoComplete="username" required value={email} readOnly={fixedEmail !== undefined}
          onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        {t('form.password')}
        <input type="password" name="password" autoComplete="current-password" required value={password}
          onChange={(e) => setPassword(e.target.value)} aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'login-error' : undefined} />
      </label>
      <p className="hint"><Link to={withContext('/forgot-password', next, email.trim())}>{t('forgot.title')}</Link></p>
      <ErrorText id="login-error">{error}</ErrorText>
      <button type="submit" disabled={busy}>{t('common.logIn')}</button>
    </form>
  );
}
