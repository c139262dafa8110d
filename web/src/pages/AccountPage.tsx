// /account: the signed-in user's account: their email (with a new verification link while it
// is not verified) and a form that changes the password, ending the account's other sessions.
import { useState, type FormEvent } from 'react';
import { ChangePasswordDocument, ResendVerificationEmailDocument } from '@invites/client';
import { mutate } from '../api';
import { describeError } from '../errors';
import { Page } from '../components/Page';
import { ErrorText, Loading } from '../components/Status';
import { Link } from '../router';
import { useSession } from '../session';

export function AccountPage() {
  const { me } = useSession();
  if (me === undefined) return <Page title="Your account"><Loading /></Page>;
  if (me === null) {
    return (
      <Page title="Your account">
        <p><Link to="/login?next=%2Faccount">Log in</Link> to see your account.</p>
      </Page>
    );
  }
  return (
    <Page title="Your account">
      <p>You are logged in as {me.email}.</p>
      {!me.emailVerified && <ResendVerification />}
      <h2>Change your password</h2>
      <ChangePasswordForm />
    </Page>
  );
}

function ResendVerification() {
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function resend() {
    setBusy(true);
    setError('');
    const { data, error } = await mutate(ResendVerificationEmailDocument, {});
    setBusy(false);
    if (!data) return setError(describeError(error, { RATE_LIMITED: 'Too many verification emails were asked for. Wait an hour, then try again.' }));
    setMessage(data.resendVerificationEmail
      ? 'We sent you a new verification link. The links sent before no longer work.'
      : 'Your email is verified already.');
  }
  return (
    <section aria-labelledby="verify-heading">
      <h2 id="verify-heading">Verify your email</h2>
      <p>Your email is not verified yet: open the link we emailed you. Lost it? We can send a new one.</p>
      <button type="button" onClick={() => void resend()} disabled={busy}>Send a new verification link</button>
      {message && <p role="status">{message}</p>}
      <ErrorText>{error}</ErrorText>
    </section>
  );
}

function ChangePasswordForm() {
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [done, setDone] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    setDone(false);
    const { data, error } = await mutate(ChangePasswordDocument, { input: { currentPassword, newPassword } });
    setBusy(false);
    if (!data) return setError(describeError(error, { INVALID_CREDENTIALS: 'The current password is wrong.' }));
    setCurrent('');
    setNew('');
    setDone(true);
  }
  return (
    <form onSubmit={submit} className="stack">
      <label>
        Current password
        <input type="password" name="current-password" autoComplete="current-password" required value={currentPassword}
          onChange={(e) => setCurrent(e.target.value)} />
      </label>
      <label>
        New password
        <input type="password" name="new-password" autoComplete="new-password" required value={newPassword}
          onChange={(e) => setNew(e.target.value)} aria-describedby={error ? 'change-hint change-error' : 'change-hint'} />
      </label>
      <p id="change-hint" className="hint">8 to 256 characters. Your other sessions end; this one stays.</p>
      <ErrorText id="change-error">{error}</ErrorText>
      {done && <p role="status">Your password is changed. Every other session of your account has ended.</p>}
      <button type="submit" disabled={busy}>Change password</button>
    </form>
  );
}
