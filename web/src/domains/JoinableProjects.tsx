// "Projects you can join" on the start page (SPEC §16): the projects whose verified domain is the
// signed-in person's verified email's and whose policy shows them (joinableProjects). Each
// names the domain that lets them in and the role; "Join" joins at once (SUGGEST, AUTO) and
// opens the project; "Ask to join" (REQUEST) sends a request with a message, shown then as
// "Request pending" with Cancel. Nothing at all is shown while the list is empty.
import { useCallback, useEffect, useState } from 'react';
import {
  CancelJoinRequestDocument, JoinProjectDocument, JoinableProjectsDocument, RequestToJoinDocument,
  type JoinableProjectsQuery,
} from '@invites/client';
import { useAction } from '../action';
import { latestReads, mutate } from '../api';
import { describeError } from '../errors';
import { t, when } from '../i18n';
import { roleName } from '../roles';
import { navigate } from '../router';
import { Announcer } from '../components/Announcer';
import { ErrorText } from '../components/Status';

type Joinable = JoinableProjectsQuery['joinableProjects'][number];

/** The domain part of an email address, lower-cased: a verified domain lets in exactly its own. */
function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

export function JoinableProjects({ email }: { email: string }) {
  const [joinable, setJoinable] = useState<Joinable[]>([]);
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  // Only the latest read counts, and the one after asking to join asks the server again.
  const [read] = useState(() => latestReads(JoinableProjectsDocument));
  const load = useCallback(() => {
    void read({}).then((answer) => {
      if (!answer) return; // a later read answers instead
      const { data, error } = answer;
      if (!data) return setError(describeError(error));
      setError('');
      setJoinable(data.joinableProjects);
    });
  }, [read]);
  useEffect(load, [load]);

  const domain = emailDomain(email);
  if (joinable.length === 0 && !message && !error) return null;
  return (
    <section aria-labelledby="joinable-title">
      <h2 id="joinable-title">{t('joinable.title')}</h2>
      <Announcer message={message} />
      <ErrorText>{error}</ErrorText>
      {joinable.length > 0 && (
        <ul className="cards">
          {joinable.map((j) => (
            <li key={j.project.id}>
              <p><strong>{j.project.name}</strong></p>
              <p className="muted">{t('joinable.through', { domain, role: roleName(j.role) })}</p>
              {j.policy === 'REQUEST'
                ? <AskToJoin joinable={j} onChanged={(m) => { setMessage(m); load(); }} />
                : <JoinNow joinable={j} />}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** SUGGEST (or AUTO, for someone verified before it was set): join at once, then open the project. */
function JoinNow({ joinable }: { joinable: Joinable }) {
  const action = useAction();
  const join = () => action.run(async () => {
    const { data, error } = await mutate(JoinProjectDocument, { projectId: joinable.project.id });
    if (!data) return describeError(error);
    navigate(`/projects/${encodeURIComponent(joinable.project.id)}`);
  });
  return (
    <>
      <p className="actions">
        <button type="button" disabled={action.busy} onClick={() => void join()}
          aria-label={t('joinable.joinProject', { project: joinable.project.name })}>{t('joinable.join')}</button>
      </p>
      <ErrorText>{action.error}</ErrorText>
    </>
  );
}

/** REQUEST: ask with a message for the admins; while the request waits, "Request pending" and Cancel. */
function AskToJoin({ joinable, onChanged }: { joinable: Joinable; onChanged: (message: string) => void }) {
  const [asking, setAsking] = useState(false);
  const [text, setText] = useState('');
  const action = useAction();
  const project = joinable.project.name;
  const id = `ask-${joinable.project.id}`;

  const ask = action.submit(async () => {
    const { data, error } = await mutate(RequestToJoinDocument, { input: { projectId: joinable.project.id, message: text || undefined } });
    if (!data) return describeError(error);
    setAsking(false);
    onChanged(t('joinable.asked', { project }));
  });
  const cancel = (requestId: string) => action.run(async () => {
    const { data, error } = await mutate(CancelJoinRequestDocument, { id: requestId });
    if (!data) return describeError(error);
    onChanged(t('joinable.cancelled', { project }));
  });

  const pending = joinable.pendingRequest;
  if (pending) {
    return (
      <>
        <p><strong>{t('joinable.pending')}</strong> <span className="muted">{t('joinable.pendingSince', { date: when(pending.createdAt) })}</span></p>
        <p className="actions">
          <button type="button" className="secondary" disabled={action.busy} onClick={() => void cancel(pending.id)}
            aria-label={t('joinable.cancelRequest', { project })}>{t('joinable.cancel')}</button>
        </p>
        <ErrorText>{action.error}</ErrorText>
      </>
    );
  }
  if (!asking) {
    return (
      <p className="actions">
        <button type="button" onClick={() => setAsking(true)} aria-label={t('joinable.askProject', { project })}>{t('joinable.ask')}</button>
      </p>
    );
  }
  return (
    <form onSubmit={ask} aria-label={t('joinable.askProject', { project })}>
      <div className="field">
        <label htmlFor={id}>{t('joinable.message', { project })}</label>
        <textarea id={id} name="message" maxLength={1000} value={text} onChange={(e) => setText(e.target.value)} />
      </div>
      <p className="actions">
        <button type="submit" disabled={action.busy}>{t('joinable.send')}</button>
        <button type="button" className="secondary" onClick={() => setAsking(false)}>{t('joinable.dontAsk')}</button>
      </p>
      <ErrorText>{action.error}</ErrorText>
    </form>
  );
}
