// /login: email and password; then back to the page that sent the visitor here (?next=), named
// when it is an invitation's. ?email= fills the email in.
import { t, tr } from '../i18n';
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
    <Page card badge={context && <ProjectBadge name={context.projectName} />} title={context ? t('logIn.joinTitle', { project: context.projectName }) : t('common.logIn')}>
      {context && <InvitationLine context={context} then={t('context.thenLogIn')} />}
      <LogInForm key={email || context?.email || ''} email={email || context?.email || undefined} next={next} onDone={() => navigate(next)} />
      <p>{tr('logIn.noAccount', { link: (c) => <Link to={withContext('/signup', next, email)}>{c}</Link> })}</p>
    </Page>
  );
}
