// /verify-email/<token>: verifies the email once the page opens, and says what that did:
// verifying claims every pending invite to the email, so it names the projects joined.
import { useEffect, useRef, useState } from 'react';
import { MyInvitesDocument, VerifyEmailDocument, errorCode } from '@invites/client';
import { mutate, query } from '../api';
import { describeError } from '../errors';
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
      return <Page title="Verifying your email"><Loading /></Page>;
    case 'invalid':
      return (
        <Page title="This verification link is not valid">
          <p>It may have been used already, cut short, or replaced by a newer one. If your email is not verified yet,
            open the link from the latest email we sent you.</p>
          <p><Link to="/">Go to the start page</Link></p>
        </Page>
      );
    case 'failed':
      return <Page title="Your email is not verified yet"><ErrorText>{state.message}</ErrorText></Page>;
    case 'verified':
      return (
        <Page title="Your email is verified">
          <p>{state.email} is verified. You can now invite people.</p>
          {state.joined && state.joined.length > 0 && (
            <p>Invites waiting for this email were accepted: you have joined {listOf(state.joined)}.</p>
          )}
          {state.joined === null && (
            <p>Any invites waiting for this email were accepted.{' '}
              {me ? `Log in as ${state.email} to see its projects.` : <><Link to="/login">Log in</Link> to see your projects.</>}</p>
          )}
          {state.joined !== null && <p><Link to="/">Go to your projects</Link></p>}
        </Page>
      );
  }
}

function listOf(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return names.slice(0, -1).join(', ') + ' and ' + names[names.length - 1];
}
