// /reset-password/<token>: sets a new password with the emailed link, which signs in. The link
// is checked when the page opens: one that is used, expired, replaced by a newer one or cut
// short gets a page that says so before anyone types a password.
import { useEffect, useState } from 'react';
import { PasswordResetTokenValidDocument, ResetPasswordDocument, errorCode } from '@invites/client';
import { useAction } from '../action';
import { mutate, query } from '../api';
import { describeError } from '../errors';
import { t } from '../i18n';
import { Page } from '../components/Page';
import { ErrorText, Loading } from '../components/Status';
import { takeAfterReset } from '../invitation';
import { Link } from '../router';
import { useSession } from '../session';

type State = 'checking' | 'form' | 'invalid' | { done: string };

export function ResetPasswordPage({ token }: { token: string }) {
  const { signIn } = useSession();
  const [password, setPassword] = useState('');
  const [state, setState] = useState<State>('checking');
  const { busy, error, submit } = useAction();

  useEffect(() => {
    let live = true;
    void query(PasswordResetTokenValidDocument, { token }).then(({ data }) => {
      // Could not ask (offline, say): the form, whose answer will say.
      if (live) setState(data?.passwordResetTokenValid === false ? 'invalid' : 'form');
    });
    return () => {
      live = false;
    };
  }, [token]);

  const reset = submit(async () => {
    const { data, error } = await mutate(ResetPasswordDocument, { input: { token, password } });
    if (!data) {
      if (errorCode(error) !== 'NOT_FOUND') return describeError(error);
      setState('invalid');
      return;
    }
    signIn(data.resetPassword.token, data.resetPassword.user);
    setState({ done: takeAfterReset() });
  });

  if (state === 'checking') return <Page card title={t('reset.title')}><Loading /></Page>;
  if (state === 'invalid') {
    return (
      <Page card title={t('common.linkInvalidTitle')}>
        <p>{t('reset.invalid')}</p>
        <p className="actions"><Link to="/forgot-password" className="button">{t('reset.askNew')}</Link></p>
      </Page>
    );
  }
  if (state !== 'form') {
    return (
      <Page card title={t('reset.doneTitle')}>
        <p role="status">{t('reset.done')}</p>
        <p className="actions">
          {state.done !== '/'
            ? <Link to={state.done} className="button">{t('reset.backToInvitation')}</Link>
            : <Link to="/" className="button">{t('common.goToProjects')}</Link>}
        </p>
      </Page>
    );
  }
  return (
    <Page card title={t('reset.title')}>
      <form onSubmit={reset} className="stack">
        <label>
          {t('reset.newPassword')}
          <input type="password" name="password" autoComplete="new-password" required value={password}
            onChange={(e) => setPassword(e.target.value)} aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'reset-hint reset-error' : 'reset-hint'} />
        </label>
        <p id="reset-hint" className="hint">{t('reset.hint')}</p>
        <ErrorText id="reset-error">{error}</ErrorText>
        <button type="submit" disabled={busy}>{t('reset.submit')}</button>
      </form>
    </Page>
  );
}
