// The frame of every page: a link past the header, the header with the session's links, then
// the page in <main>, made anew for each path so that no page keeps another's state.
import type { ReactNode } from 'react';
import { Link, navigate } from '../router';
import { useSession } from '../session';

export function Layout({ path, children }: { path: string; children: ReactNode }) {
  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <Header />
      <main id="main" key={path}>{children}</main>
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
