// Client-side routing over the History API: the address shown, and links that change it without
// a reload. The server answers every path of routes.ts with the app, so a link opened from an
// email lands on its page.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

const listeners = new Set<() => void>();

function subscribe(l: () => void): () => void {
  listeners.add(l);
  window.addEventListener('popstate', l);
  return () => {
    listeners.delete(l);
    window.removeEventListener('popstate', l);
  };
}

const current = () => window.location.pathname + window.location.search;

/** The path and query string of the page shown, updated on every navigation. */
export function useLocation(): string {
  return useSyncExternalStore(subscribe, current);
}

/** Shows another page of the app without reloading it. */
export function navigate(to: string, { replace = false } = {}): void {
  if (replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  listeners.forEach((l) => l());
}

/** An ordinary link, followed in the app unless the person asks for a new tab. */
export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={onClick} {...rest} />;
}

/** The query string's value of name, or ''. */
export function searchParam(location: string, name: string): string {
  const i = location.indexOf('?');
  return i < 0 ? '' : (new URLSearchParams(location.slice(i)).get(name) ?? '');
}

/**
 * A path inside the app (from ?next=), never another site's address: next is resolved as the
 * browser would resolve a link to it, and kept only when it lands on this origin. So tabs and
 * line breaks (which a browser drops from an address: "/\t/host" is "//host"), backslashes
 * (read as slashes) and every encoded form of them are judged as the browser will follow them.
 */
export function safeNext(next: string, origin: string = window.location.origin): string {
  if (next === '') return '/';
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return '/';
  }
  return url.origin === origin ? url.pathname + url.search + url.hash : '/';
}
