// The layout (a header with the session's links, then the page) and the routes.
import { useEffect, useLayoutEffect, useRef, type ReactNode } from 'react';
import { Link, navigate, useLocation } from './router';
import { useSession } from './session';
import { HomePage } from './pages/HomePage';
import { LogInPage } from './pages/LogInPage';
import { SignUpPage } from './pages/SignUpPage';
import { InvitePage } from './pages/InvitePage';
import { VerifyEmailPage } from './pages/VerifyEmailPage';
import { ProjectPage } from './pages/ProjectPage';
import { BulkInvitePage } from './pages/BulkInvitePage';
import { ForgotPasswordPage } from './pages/ForgotPasswordPage';
import { ResetPasswordPage } from './pages/ResetPasswordPage';
import { AccountPage } from './pages/AccountPage';
import { JoinPage } from './pages/JoinPage';
import { WebhooksPage } from './pages/WebhooksPage';

function route(path: string): ReactNode {
  let m: RegExpMatchArray | null;
  if (path === '/') return <HomePage />;
  if (path === '/login') return <LogInPage />;
  if (path === '/signup') return <SignUpPage />;
  if ((m = path.match(/^\/invite\/([^/]+)$/))) return <InvitePage token={decodeURIComponent(m[1]!)} />;
  if ((m = path.match(/^\/join\/([^/]+)$/))) return <JoinPage token={decodeURIComponent(m[1]!)} />;
  if ((m = path.match(/^\/verify-email\/([^/]+)$/))) return <VerifyEmailPage token={decodeURIComponent(m[1]!)} />;
  if (path === '/forgot-password') return <ForgotPasswordPage />;
  if ((m = path.match(/^\/reset-password\/([^/]+)$/))) return <ResetPasswordPage token={decodeURIComponent(m[1]!)} />;
  if (path === '/account') return <AccountPage />;
  if ((m = path.match(/^\/projects\/([^/]+)$/))) return <ProjectPage id={decodeURIComponent(m[1]!)} />;
  if ((m = path.match(/^\/projects\/([^/]+)\/bulk$/))) return <BulkInvitePage id={decodeURIComponent(m[1]!)} />;
  if ((m = path.match(/^\/projects\/([^/]+)\/webhooks$/))) return <WebhooksPage id={decodeURIComponent(m[1]!)} />;
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

/**
 * A table's frame: on a narrow screen the table scrolls sideways inside it, so the frame takes
 * the focus (arrow keys scroll it) and is named after the table.
 */
export function TableFrame({ label, children }: { label: string; children: ReactNode }) {
  const frame = useRef<HTMLDivElement>(null);
  // On a phone (styles.css) each row shows as a card, each cell under its column's name: the
  // cells get that name as data-label, and explicit roles keep the table a table for screen
  // readers when CSS displays its parts as blocks.
  useLayoutEffect(() => {
    const table = frame.current?.querySelector('table');
    if (!table) return;
    table.setAttribute('role', 'table');
    const names = Array.from(table.querySelectorAll('thead th')).map((th) => th.textContent ?? '');
    table.querySelectorAll('tr').forEach((tr) => {
      tr.setAttribute('role', 'row');
      Array.from(tr.children).forEach((cell, i) => {
        const header = cell.tagName === 'TH';
        cell.setAttribute('role', header ? (cell.getAttribute('scope') === 'row' ? 'rowheader' : 'columnheader') : 'cell');
        if (tr.parentElement?.tagName === 'TBODY') cell.setAttribute('data-label', names[i] ?? '');
      });
    });
    table.querySelectorAll('thead, tbody').forEach((g) => g.setAttribute('role', 'rowgroup'));
  });
  return <div ref={frame} className="table-wrap" role="region" aria-label={label} tabIndex={0}>{children}</div>;
}

/** Shown while a page waits for the API. */
export function Loading() {
  return <p role="status">Loading…</p>;
}
