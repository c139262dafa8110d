// The log-in form of the log-in page and of an invite's page.
import { useState, type FormEvent } from 'react';
import { LogInDocument } from '@invites/client';
import { mutate } from '../api';
import { describeError } from '../errors';
import { useSession } from '../session';
import { ErrorText } from './Status';

/** Email and password; with fixedEmail (an invite's) the email cannot be changed. */
export function LogInForm({ fixedEmail, onDone }: { fixedEmail?: string; onDone: () => void }) {
  const { signIn } = useSession();
  const [email, setEmail] = useState(fixedEmail ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    const { data, error } = await mutate(LogInDocument, { input: { email, password } });
    setBusy(false);
    if (!data?.logIn) {
      setError(describeError(error));
      return;
    }
    signIn(data.logIn.token, data.logIn.user);
    onDone();
  }

  return (
    <form onSubmit={submit} className="stack" aria-describedby={error ? 'login-error' : undefined}>
      <label>
        Email
        <input type="email" name="email" autoComplete="username" required value={email} readOnly={fixedEmail !== undefined}
          onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        Password
        <input type="password" name="password" autoComplete="current-password" required value={password}
          onChange={(e) => setPassword(e.target.value)} aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'login-error' : undefined} />
      </label>
      <ErrorText id="login-error">{error}</ErrorText>
      <button type="submit" disabled={busy}>Log in</button>
    </form>
  );
}
