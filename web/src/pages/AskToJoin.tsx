// The next step on the page of an invite link that requires approval: ask to join, with a
// message for the admins, then "Your request is waiting". A second request while one waits
// says so (JOIN_REQUEST_EXISTS).
import { useState } from 'react';
import { RequestToJoinDocument } from '@invites/client';
import { useAction } from '../action';
import { mutate } from '../api';
import { describeError } from '../errors';
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
        INVITE_NOT_PENDING: 'This link cannot be used any more: it was used up or withdrawn.',
        INVITE_EXPIRED: 'This link has expired. Ask for a new one.',
      });
    }
    setSent(true);
  });
  if (sent) {
    return (
      <section aria-labelledby="next-step">
        <h2 id="next-step">Your request is waiting</h2>
        <p>An admin of {place} will decide; we will email <strong>{email}</strong> when they do.</p>
      </section>
    );
  }
  return (
    <section aria-labelledby="next-step">
      <h2 id="next-step">Ask to join {place}</h2>
      <p>An admin approves each person who joins through this link. You are logged in as <strong>{email}</strong>.</p>
      <form onSubmit={(e) => { e.preventDefault(); void ask(); }}>
        <div className="field">
          <label htmlFor="join-message">Message for the admins (optional)</label>
          <textarea id="join-message" name="message" maxLength={1000} value={message} onChange={(e) => setMessage(e.target.value)} />
        </div>
        <p className="actions"><button type="submit" disabled={busy}>Ask to join</button></p>
      </form>
      <ErrorText>{error}</ErrorText>
    </section>
  );
}
