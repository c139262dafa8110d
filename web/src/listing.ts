// What a console list shows, kept in its address so that a search or a filter can be shared and
// survives a reload: ?q= the search (done by the server) and one filter (?role= or ?status=).
// The search field answers every keystroke; the address, and so the list, follows once typing
// pauses. And the rows picked for an action on many at once.
import { useCallback, useEffect, useState } from 'react';
import { navigate, searchParam, useLocation } from './router';

/** How long typing must pause before the list is searched again. */
const debounceMs = 300;

export interface Listing {
  /** The search field's text, as typed. */
  input: string;
  setInput(text: string): void;
  /** The search the list shows (trimmed; '' for none). */
  search: string;
  /** The filter's value ('' for all). */
  filter: string;
  setFilter(value: string): void;
}

function withParams(location: string, changes: Record<string, string>): string {
  const [path, query = ''] = location.split('?');
  const params = new URLSearchParams(query);
  for (const [k, v] of Object.entries(changes)) {
    if (v) params.set(k, v);
    else params.delete(k);
  }
  const s = params.toString();
  return s ? `${path}?${s}` : path!;
}

export function useListing(filterName: string): Listing {
  const location = useLocation();
  const search = searchParam(location, 'q').trim();
  const filter = searchParam(location, filterName);
  const [input, setInput] = useState(search);
  // Back and Forward bring another search: the field shows it.
  useEffect(() => setInput((typed) => (typed.trim() === search ? typed : search)), [search]);
  useEffect(() => {
    if (input.trim() === search) return;
    const t = setTimeout(() => navigate(withParams(window.location.pathname + window.location.search, { q: input.trim() }), { replace: true }), debounceMs);
    return () => clearTimeout(t);
  }, [input, search]);
  const setFilter = useCallback((value: string) => {
    navigate(withParams(window.location.pathname + window.location.search, { [filterName]: value }), { replace: true });
  }, [filterName]);
  return { input, setInput, search, filter, setFilter };
}

export interface Selection {
  /** The ids picked. */
  ids: string[];
  has(id: string): boolean;
  toggle(id: string): void;
  /** Picks all of these, or none when all are picked already. */
  toggleAll(all: string[]): void;
  clear(): void;
}

/** The rows picked for an action on many, by id. */
export function useSelection(): Selection {
  const [ids, setIds] = useState<string[]>([]);
  const toggle = useCallback((id: string) => setIds((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id])), []);
  const toggleAll = useCallback((all: string[]) => setIds((s) => (all.length > 0 && all.every((id) => s.includes(id)) ? [] : all)), []);
  const clear = useCallback(() => setIds([]), []);
  return { ids, has: (id) => ids.includes(id), toggle, toggleAll, clear };
}
