// /forgot-password: asks for a password-reset link. The API answers alike whether or not an
// account has the email, so the page says what happens in both cases. It keeps the email typed
// on the log-in form (?email=) and the invitation the person was on their way to (?next=).
import { useState } from 'react';
import { RequestPasswordResetDocument } from '@invites/client';
import { useAction } from '../action';
import { mutate } from '../api';
import { describeError } from '../errors';
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
  const backToLogIn = <p><Link to={withContext('/login', next, email.trim())}>Back to log in</Link></p>;

  const send = submit(async () => {
    const { data, error } = await mutate(RequestPasswordResetDocument, { email });
    if (!data) return describeError(error, { RATE_LIMITED: 'Too many reset emails were asked for. Wait an hour, then try again.' });
    rememberAfterReset(next);
    setSentTo(email.trim());
  });

  if (sentTo) {
    return (
      <Page card title="Check your email">
        <p role="status">If an account has the email {sentTo}, we have sent it a link to choose a new password.
          The link works once, for an hour.</p>
        {context && <p>Once your new password is set, the page offers to take you back to {context.projectName}.</p>}
        <p>No email after a few minutes? Look in your spam folder, or <button type="button" className="link" onClick={() => setSentTo('')}>ask again</button>.</p>
        {backToLogIn}
      </Page>
    );
  }
  return (
    <Page card badge={context && <ProjectBadge name={context.projectName} />} title="Forgot your password?">
      {context && <InvitationLine context={context} then="Choose a new password, then come back to the invitation." />}
      <p>Enter the email of your account: we will send you a link to choose a new password.</p>
      <form onSubmit={send} className="stack">
        <label>
          Email
          <input type="email" name="email" autoComplete="username" required value={email}
            onChange={(e) => setEmail(e.target.value)} aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'forgot-error' : undefined} />
        </label>
        <ErrorText id="forgot-error">{error}</ErrorText>
        <button type="submit" disabled={busy}>Send me a reset link</button>
      </form>
      {backToLogIn}
    </Page>
  );
}
