// The frame of every page: a link past the header, the header with the session's links, then
// the page in <main>, made anew for each path so that no page keeps another's state.
import type { ReactNode } from 'react';
import { isInviteePath, t, tr, useLocale } from '../i18n';
import { LanguageLinks } from './LanguageLinks';
import { Link, navigate, useLocation } from '../router';
import { useSession } from '../session';

export function Layout({ path, children }: { path: string; children: ReactNode }) {
  // The invitee's pages speak the invitee's language (i18n.ts), and offer the others.
  useLocale(path);
  return (
    <>
      <a className="skip" href="#main">{t('layout.skip')}</a>
      <Header />
      <main id="main" key={path}>
        <SessionEnded />
        {children}
      </main>
      {isInviteePath(path) && <LanguageLinks />}
    </>
  );
}

function Header() {
  const { me, logOut } = useSession();
  return (
    <header className="top">
      <Link to="/" className="brand">Invites</Link>
      <nav aria-label="Account">
        {me ? (
          <>
            <Link to="/account" className="who">{me.email}</Link>
            <button type="button" className="link" onClick={() => void logOut().then(() => navigate('/'))}>{t('common.logOut')}</button>
          </>
        ) : me === null ? (
          <>
            <Link to="/login">{t('common.logIn')}</Link>
            <Link to="/signup">{t('common.signUp')}</Link>
          </>
        ) : null}
      </nav>
    </header>
  );
}

/** Says that the session ended (it expired, or was logged out elsewhere) and offers to log in again. */
function SessionEnded() {
  const { ended, dismissEnded } = useSession();
  const location = useLocation();
  if (!ended) return null;
  const here = location.startsWith('/login') ? '/login' : `/login?next=${encodeURIComponent(location)}`;
  return (
    <div className="notice session-ended" role="status">
      <p>{tr('layout.sessionEnded', { link: (c) => <Link to={here}>{c}</Link> })}</p>
      <button type="button" className="link" onClick={dismissEnded}>{t('layout.dismiss')}</button>
    </div>
  );
}
