// /login: email and password; then back to the page that sent the visitor here (?next=), named
// when it is an invitation's. ?email= fills the email in.
import { InvitationLine } from '../components/InvitationContext';
import { LogInForm } from '../components/LogInForm';
import { Page, ProjectBadge } from '../components/Page';
import { useInvitationContext, withContext } from '../invitation';
import { Link, navigate, safeNext, searchParam, useLocation } from '../router';

export function LogInPage() {
  const location = useLocation();
  const next = safeNext(searchParam(location, 'next'));
  const email = searchParam(location, 'email');
  const context = useInvitationContext(next);
  return (
    <Page card badge={context && <ProjectBadge name={context.projectName} />} title={context ? `Log in to join ${context.projectName}` : 'Log in'}>
      {context && <InvitationLine context={context} then="Log in, and you come back to the invitation." />}
      <LogInForm key={email || context?.email || ''} email={email || context?.email || undefined} next={next} onDone={() => navigate(next)} />
      <p>No account yet? <Link to={withContext('/signup', next, email)}>Sign up</Link>.</p>
    </Page>
  );
}
