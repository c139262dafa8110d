// /reset-password/<token>: sets a new password with the emailed link, which signs in. A link
// that is used, expired, replaced by a newer one or cut short gets a page that says so.
import { useState, type FormEvent } from 'react';
import { ResetPasswordDocument, errorCode } from '@invites/client';
import { mutate } from '../api';
import { describeError } from '../errors';
import { Page } from '../components/Page';
import { ErrorText } from '../components/Status';
import { Link } from '../router';
import { useSession } from '../session';

export function ResetPasswordPage({ token }: { token: string }) {
  const { signIn } = useSession();
  const [password, setPassword] = useState('');
  const [state, setState] = useState<'form' | 'invalid' | 'done'>('form');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    const { data, error } = await mutate(ResetPasswordDocument, { input: { token, password } });
    setBusy(false);
    if (!data) {
      if (errorCode(error) === 'NOT_FOUND') setState('invalid');
      else setError(describeError(error));
      return;
    }
    signIn(data.resetPassword.token, data.resetPassword.user);
    setState('done');
  }

  switch (state) {
    case 'invalid':
      return (
        <Page title="This link is not valid">
          <p>A password-reset link works once, for an hour, and only the newest one sent works. This one has been used,
            has expired, was replaced by a newer one, or was cut short.</p>
          <p><Link to="/forgot-password">Ask for a new link</Link></p>
        </Page>
      );
    case 'done':
      return (
        <Page title="Your password is changed">
          <p role="status">Your new password is set and you are logged in. Every other session of your account has ended.</p>
          <p><Link to="/">Go to your projects</Link></p>
        </Page>
      );
    case 'form':
      return (
        <Page title="Choose a new password">
          <form onSubmit={submit} className="stack">
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
}
