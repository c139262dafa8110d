// The next step on the page of an invite link that requires approval: ask to join, with a
// message for the admins, then "Your request is waiting". A second request while one waits
// says so (JOIN_REQUEST_EXISTS).
import { useState } from 'react';
import { RequestToJoinDocument } from '@invites/client';
import { useAction } from '../action';
import { mutate } from '../api';
import { describeError } from '../errors';
import { t, tr } from '../i18n';
import { ErrorText } from '../components/Status';

export function AskToJoin({ token, place, email }: { token: string; place: string; email: string }) {
  const { busy, error, run } = useAction();
  const [message, setMessage] = useState('');
  const [sent, setSent] = useState(false);

  const ask = () => run(async () => {
    const { data, error } = await mutate(RequestToJoinDocument, { input: { linkToken: token, message: message || undefined } });
    if (!data) {
      if (error?.graphQLErrors.some((e) => e.extensions?.code === 'JOIN_REQUEST_EXISTS')) {
        setSent(true);
        return;
      }
      return describeError(error, {
        INVITE_NOT_PENDING: t('join.notPending'),
        INVITE_EXPIRED: t('join.inviteExpired'),
      });
    }
    setSent(true);
  });
  if (sent) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">{t('ask.sentTitle')}</h2>
        <p>{tr('ask.sent', { project: place, email, b: (c) => <strong>{c}</strong> })}</p>
      </section>
    );
  }
  return (
    <section aria-labelledby="next-step">
      <h2 id="next-step">{t('ask.title', { project: place })}</h2>
      <p>{tr('ask.intro', { me: email, b: (c) => <strong>{c}</strong> })}</p>
      <form onSubmit={(e) => { e.preventDefault(); void ask(); }}>
        <div className="field">
          <label htmlFor="join-message">{t('ask.message')}</label>
          <textarea id="join-message" name="message" maxLength={1000} value={message} onChange={(e) => setMessage(e.target.value)} />
        </div>
        <p className="actions"><button type="submit" disabled={busy}>{t('ask.submit')}</button></p>
      </form>
      <ErrorText>{error}</ErrorText>
    </section>
  );
}
