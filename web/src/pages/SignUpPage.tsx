// /signup: name, email and password. On the way to an invitation (?next=/invite/… or
// /join/…) it names the project and goes straight back there; otherwise it says a verification
// email is on its way, then on to ?next=.
import { useState } from 'react';
import { InvitationLine } from '../components/InvitationContext';
import { Page, ProjectBadge } from '../components/Page';
import { SignUpForm } from '../components/SignUpForm';
import { useInvitationContext, withContext } from '../invitation';
import { Link, navigate, safeNext, searchParam, useLocation } from '../router';

export function SignUpPage() {
  const location = useLocation();
  const next = safeNext(searchParam(location, 'next'));
  const email = searchParam(location, 'email');
  const context = useInvitationContext(next);
  const [done, setDone] = useState<string | null>(null);
  if (done) {
    return (
      <Page card title="Check your email">
        <p>Your account is ready. We sent a link to <strong>{done}</strong>: open it to verify your email.
          You need a verified email to invite people.</p>
        <p className="actions"><Link to={next} className="button">Continue</Link></p>
      </Page>
    );
  }
  return (
    <Page card badge={context && <ProjectBadge name={context.projectName} />} title={context ? `Sign up to join ${context.projectName}` : 'Sign up'}>
      {context && <InvitationLine context={context} then="Sign up, and you come back to the invitation." />}
      <SignUpForm key={email || context?.email || ''} email={email || context?.email || undefined} submitLabel={context ? 'Sign up and continue' : undefined}
        onDone={(p) => (next !== '/' || p.signUp.user.emailVerified ? navigate(next) : setDone(p.signUp.user.email))} />
      <p>Have an account? <Link to={withContext('/login', next, email)}>Log in</Link>.</p>
    </Page>
  );
}
