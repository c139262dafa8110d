// /signup: name, email and password. On the way to an invitation (?next=/invite/… or
// /join/…) it names the project and goes straight back there; otherwise it says a verification
// email is on its way, then on to ?next=.
import { useState } from 'react';
import { t, tr } from '../i18n';
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
      <Page card title={t('common.checkEmail')}>
        <p>{tr('signUp.check', { email: done, b: (c) => <strong>{c}</strong> })}</p>
        <p className="actions"><Link to={next} className="button">{t('common.continue')}</Link></p>
      </Page>
    );
  }
  return (
    <Page card badge={context && <ProjectBadge name={context.projectName} />} title={context ? t('signUp.joinTitle', { project: context.projectName }) : t('common.signUp')}>
      {context && <InvitationLine context={context} then={t('context.thenSignUp')} />}
      <SignUpForm key={email || context?.email || ''} email={email || context?.email || undefined} submitLabel={context ? t('signUp.andContinue') : undefined}
        onDone={(p) => (next !== '/' || p.signUp.user.emailVerified ? navigate(next) : setDone(p.signUp.user.email))} />
      <p>{tr('signUp.haveAccount', { link: (c) => <Link to={withContext('/login', next, email)}>{c}</Link> })}</p>
    </Page>
  );
}
