// A page: its heading, which takes the focus when the page opens, and the window's title.
import { useEffect, useRef, type ReactNode } from 'react';

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
