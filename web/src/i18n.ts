// The invitee's pages in the invitee's language (SPEC §17): the invite, join, sign-up, log-in,
// verify-email and password pages, and the header around them. The console stays English.
// Messages are ICU MessageFormat strings in one JSON catalog per language (src/locales/<tag>.json,
// flat "id": "message"); FormatJS formats them (CLDR plural rules through Intl.PluralRules, no
// eval: the strict CSP holds). scripts/catalogs.mjs fails the typecheck when a catalog misses a
// message the code uses, has one it does not, or breaks a message's placeholders.
//
// Which language: the one chosen on the page (?lang=, kept in sessionStorage for the visit), else
// the invite's own (pageLocale(inviteLocale)), else the browser's (navigator.languages), else English.
import { Children, type ReactNode, useEffect, useSyncExternalStore } from 'react';
import { createIntl, createIntlCache, type IntlShape } from '@formatjs/intl';
import ar from './locales/ar.json';
import de from './locales/de.json';
import en from './locales/en.json';
import es from './locales/es.json';
import fr from './locales/fr.json';
import ja from './locales/ja.json';
import ptBR from './locales/pt-BR.json';

export type MessageId = keyof typeof en;
type Catalog = Record<MessageId, string>;

/** The languages the invitee's pages speak, each named in itself for the language links. */
export const languages = [
  { tag: 'en', name: 'English', catalog: en },
  { tag: 'de', name: 'Deutsch', catalog: de },
  { tag: 'fr', name: 'Français', catalog: fr },
  { tag: 'es', name: 'Español', catalog: es },
  { tag: 'pt-BR', name: 'Português (Brasil)', catalog: ptBR },
  { tag: 'ja', name: '日本語', catalog: ja },
  { tag: 'ar', name: 'العربية', catalog: ar },
] as const satisfies readonly { tag: string; name: string; catalog: Catalog }[];
export type Locale = (typeof languages)[number]['tag'];

const rtl: ReadonlySet<string> = new Set(['ar']);
const chosenKey = 'invites.lang';

/** The pages whose words are translated; every other page (the console) is English. */
const inviteePaths = [/^\/invite\//, /^\/join\//, /^\/signup$/, /^\/login$/, /^\/verify-email\//, /^\/forgot-password$/, /^\/reset-password\//];
export function isInviteePath(path: string): boolean {
  return inviteePaths.some((p) => p.test(path));
}

/** The language of ours nearest a BCP 47 tag: exact, else by its language (pt-PT: Brazilian Portuguese). */
export function matchLocale(tag: string | null | undefined): Locale | undefined {
  if (!tag) return undefined;
  const lower = tag.trim().toLowerCase();
  const exact = languages.find((l) => l.tag.toLowerCase() === lower);
  if (exact) return exact.tag;
  const base = lower.split(/[-_]/)[0];
  return languages.find((l) => l.tag.toLowerCase().split('-')[0] === base)?.tag;
}

// The invite's own locale, once an invite page has loaded it: kept for the visit's next pages.
let inviteLocale: Locale | undefined;
const listeners = new Set<() => void>();
function changed() {
  for (const l of listeners) l();
}

/** The language chosen on a page (?lang=), which sticks for the visit. */
function chosen(): Locale | undefined {
  const asked = matchLocale(new URLSearchParams(window.location.search).get('lang'));
  try {
    if (asked) sessionStorage.setItem(chosenKey, asked);
    return asked ?? matchLocale(sessionStorage.getItem(chosenKey));
  } catch {
    return asked; // storage refused (private mode): the choice lasts for this address only
  }
}

/**
 * The language of an invitee's page: the one chosen on the page, else the invite's own locale
 * (given by the invite's page, and kept for the visit), else the browser's first language of
 * ours, else English.
 */
export function pageLocale(forInvite?: string | null): Locale {
  const fromInvite = matchLocale(forInvite);
  if (fromInvite && fromInvite !== inviteLocale) {
    inviteLocale = fromInvite;
    queueMicrotask(changed);
  }
  const browser = (navigator.languages ?? [navigator.language]).map(matchLocale).find((l) => l !== undefined);
  return chosen() ?? inviteLocale ?? browser ?? 'en';
}

/** The language of the page open now: English outside the invitee's pages. */
export function currentLocale(): Locale {
  return isInviteePath(window.location.pathname) ? pageLocale() : 'en';
}

const cache = createIntlCache();
const intls = new Map<Locale, IntlShape>();
function intlFor(locale: Locale): IntlShape {
  let intl = intls.get(locale);
  if (!intl) {
    const messages = languages.find((l) => l.tag === locale)!.catalog;
    intl = createIntl({ locale, messages, defaultLocale: 'en', onError: (e) => console.error(e) }, cache);
    intls.set(locale, intl);
  }
  return intl;
}

type Values = Record<string, string | number | ReactNode | ((chunks: ReactNode[]) => ReactNode)>;

/** A message in the page's language, as text. */
export function t(id: MessageId, values?: Record<string, string | number>): string {
  return intlFor(currentLocale()).formatMessage({ id }, values);
}

/** A message with markup (<b>…</b> and the like, given as functions in values), as React nodes. */
export function tr(id: MessageId, values: Values): ReactNode {
  const out = intlFor(currentLocale()).formatMessage({ id }, values as Record<string, never>);
  return Array.isArray(out) ? Children.toArray(out) : out;
}

/** A timestamp from the API in the page's language and the reader's time zone, which it names. */
export function when(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  // English as the console writes it (day month year, 24-hour clock); the others as their readers do.
  const locale = currentLocale();
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : locale, {
    year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short',
  }).format(d);
}

/**
 * The page's language, kept on <html lang dir>; re-rendered when it changes (an invite's locale
 * loads). Layout calls it, so every page sets it.
 */
export function useLocale(path: string): Locale {
  useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, () => inviteLocale);
  const locale = isInviteePath(path) ? pageLocale() : 'en';
  useEffect(() => {
    document.documentElement.lang = locale;
    document.documentElement.dir = rtl.has(locale) ? 'rtl' : 'ltr';
  }, [locale]);
  return locale;
}

/** Items as a list in the page's language ("a, b and c"). */
export function list(items: readonly string[]): string {
  return intlFor(currentLocale()).formatList(items, { type: 'conjunction' });
}
