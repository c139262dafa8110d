// /verify-email/<token>: verifies the email once the page opens, and says what that did:
// verifying claims every pending invite to the email, so it names the projects joined.
import { useEffect, useRef, useState } from 'react';
import { MyInvitesDocument, VerifyEmailDocument, errorCode } from '@invites/client';
import { mutate, query } from '../api';
import { describeError } from '../errors';
import { list, t, tr } from '../i18n';
import { Page } from '../components/Page';
import { ErrorText, Loading } from '../components/Status';
import { Link } from '../router';
import { useSession } from '../session';

type State =
  | { kind: 'working' }
  | { kind: 'verified'; email: string; joined: string[] | null }
  | { kind: 'invalid' }
  | { kind: 'failed'; message: string };

export function VerifyEmailPage({ token }: { token: string }) {
  const { me, refresh } = useSession();
  const [state, setState] = useState<State>({ kind: 'working' });
  const started = useRef(false);

  useEffect(() => {
    if (me === undefined || started.current) return;
    started.current = true;
    void (async () => {
      const before = Date.now();
      const { data, error } = await mutate(VerifyEmailDocument, { token });
      if (!data) {
        const code = errorCode(error);
        setState(code === 'NOT_FOUND' || code === 'BAD_USER_INPUT' ? { kind: 'invalid' } : { kind: 'failed', message: describeError(error) });
        return;
      }
      const user = data.verifyEmail;
      let joined: string[] | null = null;
      if (me && me.id === user.id) {
        // Signed in as that account: the invites it claimed just now are its joined projects.
        const accepted = await query(MyInvitesDocument, { status: 'ACCEPTED' });
        joined = (accepted.data?.myInvites ?? [])
          .filter((i) => i.claimedAt && new Date(i.claimedAt).getTime() >= before - 60_000 && i.project)
          .map((i) => i.project!.name);
        await refresh();
      }
      setState({ kind: 'verified', email: user.email, joined });
    })();
  }, [me, token, refresh]);

  switch (state.kind) {
    case 'working':
      return <Page title={t('verify.working')}><Loading /></Page>;
    case 'invalid':
      return (
        <Page title={t('verify.invalidTitle')}>
          <p>{t('verify.invalid')}</p>
          <p><Link to="/">{t('common.startPage')}</Link></p>
        </Page>
      );
    case 'failed':
      return <Page title={t('verify.failedTitle')}><ErrorText>{state.message}</ErrorText></Page>;
    case 'verified':
      return (
        <Page title={t('verify.title')}>
          <p>{t('verify.verified', { email: state.email })}</p>
          {state.joined && state.joined.length > 0 && (
            <p>{t('verify.joined', { count: state.joined.length, projects: list(state.joined) })}</p>
          )}
          {state.joined === null && (
            <p>{t('verify.anyAccepted')}{' '}
              {me ? t('verify.logInAs', { email: state.email }) : tr('verify.logInToSee', { link: (c) => <Link to="/login">{c}</Link> })}</p>
          )}
          {state.joined !== null && <p><Link to="/">{t('common.goToProjects')}</Link></p>}
        </Page>
      );
  }
}
