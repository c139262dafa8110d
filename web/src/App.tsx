// The layout (a header with the session's links, then the page) and the routes.
import { useEffect, useRef, type ReactNode } from 'react';
import { Link, navigate, useLocation } from './router';
import { useSession } from './session';
import { HomePage } from './pages/HomePage';
import { LogInPage } from './pages/LogInPage';
import { SignUpPage } from './pages/SignUpPage';
import { InvitePage } from './pages/InvitePage';
import { VerifyEmailPage } from './pages/VerifyEmailPage';
import { ProjectPage } from './pages/ProjectPage';
import { BulkInvitePage } from './pages/BulkInvitePage';

function route(path: string): ReactNode {
  let m: RegExpMatchArray | null;
  if (path === '/') return <HomePage />;
  if (path === '/login') return <LogInPage />;
  if (path === '/signup') return <SignUpPage />;
  if ((m = path.match(/^\/invite\/([^/]+)$/))) return <InvitePage token={decodeURIComponent(m[1]!)} />;
  if ((m = path.match(/^\/verify-email\/([^/]+)$/))) return <VerifyEmailPage token={decodeURIComponent(m[1]!)} />;
  if ((m = path.match(/^\/projects\/([^/]+)$/))) return <ProjectPage id={decodeURIComponent(m[1]!)} />;
  if ((m = path.match(/^\/projects\/([^/]+)\/bulk$/))) return <BulkInvitePage id={decodeURIComponent(m[1]!)} />;
  return (
    <Page title="Page not found">
      <p>There is no page at this address. <Link to="/">Go to the start page</Link>.</p>
    </Page>
  );
}

export function App() {
  const location = useLocation();
  const path = location.split('?')[0] ?? '/';
  const { me, logOut } = useSession();
  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <header className="top">
        <Link to="/" className="brand">Invites</Link>
        <nav aria-label="Account">
          {me ? (
            <>
              <span className="who">{me.email}</span>
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
      <main id="main" key={path}>{route(path)}</main>
    </>
  );
}

/** A page: its heading, which takes the focus when the page opens, and the window's title. */
export function Page({ title, children }: { title: string; children?: ReactNode }) {
  const h1 = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Invites`;
  }, [title]);
  useEffect(() => {
    // After a navigation in the app, a screen reader starts at the new page's heading.
    if (document.activeElement === document.body || document.activeElement === null) h1.current?.focus();
  }, []);
  return (
    <>
      <h1 ref={h1} tabIndex={-1}>{title}</h1>
      {children}
    </>
  );
}

/** An error in words, read out when it appears; id lets the control it concerns point at it. */
export function ErrorText({ id, children }: { id?: string; children: ReactNode }) {
  if (!children) return null;
  return <p id={id} className="error" role="alert">{children}</p>;
}

/** Shown while a page waits for the API. */
export function Loading() {
  return <p role="status">Loading…</p>;
}
