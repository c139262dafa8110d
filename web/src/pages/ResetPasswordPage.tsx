// /reset-password/<token>: sets a new password with the emailed link, which signs in. The link
// is checked when the page opens: one that is used, expired, replaced by a newer one or cut
// short gets a page that says so before anyone types a password.
import { useEffect, useState } from 'react';
import { PasswordResetTokenValidDocument, ResetPasswordDocument, errorCode } from '@invites/client';
import { useAction } from '../action';
import { mutate, query } from '../api';
import { describeError } from '../errors';
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

  if (state === 'checking') return <Page card title="Choose a new password"><Loading /></Page>;
  if (state === 'invalid') {
    return (
      <Page card title="This link is not valid">
        <p>A password-reset link works once, for an hour, and only the newest one sent works. This one has been used,
          has expired, was replaced by a newer one, or was cut short.</p>
        <p className="actions"><Link to="/forgot-password" className="button">Ask for a new link</Link></p>
      </Page>
    );
  }
  if (state !== 'form') {
    return (
      <Page card title="Your password is changed">
        <p role="status">Your new password is set and you are logged in. Every other session of your account has ended.</p>
        <p className="actions">
          {state.done !== '/'
            ? <Link to={state.done} className="button">Back to your invitation</Link>
            : <Link to="/" className="button">Go to your projects</Link>}
        </p>
      </Page>
    );
  }
  return (
    <Page card title="Choose a new password">
      <form onSubmit={reset} className="stack">
        <label>
          New password
          <input type="password" name="password" autoComplete="new-password" required value={password}
            onChange={(e) => setPassword(e.target.value)} aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'reset-hint reset-error' : 'reset-hint'} />
        </label>
        <p id="reset-hint" className="hint">8 to 256 characters.</p>
        <ErrorText id="reset-error">{error}</ErrorText>
        <button type="submit" disabled={busy}>Set my new password</button>
      </form>
    </Page>
  );
}
