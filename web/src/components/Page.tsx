// A page: its heading, which takes the focus when the page opens, and the window's title. With
// card, the page is a centred card (the invitee's pages, log-in, sign-up, 404), topped by a
// badge such as the project's initial.
import { useEffect, useRef, type ReactNode } from 'react';

export function Page({ title, card = false, badge, children }: {
  title: string;
  card?: boolean;
  badge?: ReactNode;
  children?: ReactNode;
}) {
  const h1 = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Invites`;
  }, [title]);
  useEffect(() => {
    // After a navigation in the app, a screen reader starts at the new page's heading.
    if (document.activeElement === document.body || document.activeElement === null) h1.current?.focus();
  }, []);
  const content = (
    <>
      {badge}
      <h1 ref={h1} tabIndex={-1}>{title}</h1>
      {children}
    </>
  );
  return card ? <div className="card">{content}</div> : content;
}

/** The project's initial in a square, as its picture: it names nothing a screen reader needs. */
export function ProjectBadge({ name }: { name: string }) {
  const initial = Array.from(name.trim())[0]?.toLocaleUpperCase() ?? '?';
  return <div className="badge" aria-hidden="true">{initial}</div>;
}
