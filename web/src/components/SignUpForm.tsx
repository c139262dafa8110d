// The sign-up form of the sign-up page and of an invite's page.
import { useState } from 'react';
import { SignUpDocument, type SignUpMutation } from '@invites/client';
import { useAction } from '../action';
import { mutate } from '../api';
import { describeError } from '../errors';
import { t } from '../i18n';
import { useSession } from '../session';
import { ErrorText } from './Status';

/**
 * Name, email and password. With an invite's token the email is the invite's, shown but fixed,
 * and signing up joins its project at once; with email, the form starts with that one.
 */
export function SignUpForm({ invite, email: initialEmail, submitLabel, onDone }: {
  invite?: { token: string; email: string; name?: string | null };
  email?: string;
  /** The button's words; "Sign up and join" with an invite, "Sign up" without. */
  submitLabel?: string;
  onDone: (payload: SignUpMutation) => void;
}) {
  const { signIn } = useSession();
  const [name, setName] = useState(invite?.name ?? '');
  const [email, setEmail] = useState(invite?.email ?? initialEmail ?? '');
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useAction();

  const signUp = submit(async () => {
    const input = invite ? { name, password, inviteToken: invite.token } : { name, email, password };
    const { data, error } = await mutate(SignUpDocument, { input });
    if (!data?.signUp) return describeError(error);
    signIn(data.signUp.token, data.signUp.user);
    onDone(data);
  });

  return (
    <form onSubmit={signUp} className="stack">
      <label>
        {t('form.name')}
        <input name="name" autoComplete="name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        {t('form.email')}
        <input type="email" name="email" autoComplete="username" required value={email} readOnly={invite !== undefined}
          onChange={(e) => setEmail(e.target.value)} aria-describedby={invite ? 'email-fixed' : undefined} />
      </label>
      {invite && <p id="email-fixed" className="hint">{t('signUp.emailFixed')}</p>}
      <label>
        {t('form.password')}
        <input type="password" name="password" autoComplete="new-password" required minLength={8} maxLength={256} value={password}
          onChange={(e) => setPassword(e.target.value)} aria-describedby="password-hint" />
      </label>
      <p id="password-hint" className="hint">{t('signUp.passwordHint')}</p>
      <ErrorText>{error}</ErrorText>
      <button type="submit" disabled={busy}>{submitLabel ?? (invite ? t('signUp.andJoin') : t('common.signUp'))}</button>
    </form>
  );
}
