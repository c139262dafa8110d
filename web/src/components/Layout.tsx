// The frame of every page: a link past the header, the header with the session's links, then
// the page in <main>, made anew for each path so that no page keeps another's state.
import type { ReactNode } from 'react';
import { Link, navigate, useLocation } from '../router';
import { useSession } from '../session';

export function Layout({ path, children }: { path: string; children: ReactNode }) {
  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <Header />
      <main id="main" key={path}>
        <SessionEnded />
        {children}
      </main>
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
            <button type="button" className="link" onClick={() => void logOut().then(() => navigate('/'))}>Log out</button>
          </>
        ) : me === null ? (
          <>
            <Link to="/login">Log in</Link>
            <Link to="/signup">Sign up</Link>
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
      <p>Your session has ended, so you are logged out. <Link to={here}>Log in again</Link> to carry on.</p>
      <button type="button" className="link" onClick={dismissEnded}>Dismiss</button>
    </div>
  );
}
