// /forgot-password: asks for a password-reset link. The API answers alike whether or not an
// account has the email, so the page says what happens in both cases.
import { useState, type FormEvent } from 'react';
import { RequestPasswordResetDocument } from '@invites/client';
import { mutate } from '../api';
import { describeError } from '../errors';
import { Page } from '../components/Page';
import { ErrorText } from '../components/Status';
import { Link } from '../router';

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    const { data, error } = await mutate(RequestPasswordResetDocument, { email });
    setBusy(false);
    if (!data) {
      setError(describeError(error, { RATE_LIMITED: 'Too many reset emails were asked for. Wait an hour, then try again.' }));
      return;
    }
    setSentTo(email.trim());
  }

  if (sentTo) {
    return (
      <Page title="Check your email">
        <p role="status">If an account has the email {sentTo}, we have sent it a link to choose a new password.
          The link works once, for an hour.</p>
        <p>No email after a few minutes? Look in your spam folder, or <button type="button" className="link" onClick={() => setSentTo('')}>ask again</button>.</p>
        <p><Link to="/login">Back to log in</Link></p>
      </Page>
    );
  }
  return (
    <Page title="Forgot your password?">
      <p>Enter the email of your account: we will send you a link to choose a new password.</p>
      <form onSubmit={submit} className="stack">
        <label>
          Email
          <input type="email" name="email" autoComplete="username" required value={email}
            onChange={(e) => setEmail(e.target.value)} aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'forgot-error' : undefined} />
        </label>
        <ErrorText id="forgot-error">{error}</ErrorText>
        <button type="submit" disabled={busy}>Send me a reset link</button>
      </form>
      <p><Link to="/login">Back to log in</Link></p>
    </Page>
  );
}
