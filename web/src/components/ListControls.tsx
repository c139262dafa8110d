// The controls above a console list: the search (by the server) and one filter, and the
// checkbox that picks every row of the page shown.
import type { Listing, Selection } from '../listing';

export function ListControls({ listing, searchLabel, filterLabel, options }: {
  listing: Listing;
  searchLabel: string;
  filterLabel: string;
  /** The filter's choices: value and words; '' is "all". */
  options: readonly (readonly [string, string])[];
}) {
  return (
    <div className="list-controls" role="search">
      <label>
        {searchLabel}
        <input type="search" value={listing.input} onChange={(e) => listing.setInput(e.target.value)} />
      </label>
      <label>
        {filterLabel}
        <select value={listing.filter} onChange={(e) => listing.setFilter(e.target.value)}>
          {options.map(([value, words]) => <option key={value} value={value}>{words}</option>)}
        </select>
      </label>
    </div>
  );
}

/** The checkbox that picks (or unpicks) every row shown that may be picked, and how many are. It
 * sits above the table, not in its header, which a phone does not show. */
export function SelectAll({ selection, ids, what }: { selection: Selection; ids: string[]; what: string }) {
  const all = ids.length > 0 && ids.every((id) => selection.has(id));
  const picked = ids.filter((id) => selection.has(id)).length;
  return (
    <>
      <label className="check">
        <input type="checkbox" checked={all} disabled={ids.length === 0} onChange={() => selection.toggleAll(ids)} />
        Select all {what} shown
      </label>
      <span className="muted">{picked} selected</span>
    </>
  );
}

/** What an action on many rows could not do, each row with the reason. */
export function RowFailures({ title, failures }: { title: string; failures: { id: string; who: string; reason: string }[] }) {
  if (failures.length === 0) return null;
  return (
    <section className="failures" aria-label={title}>
      <h3>{title} ({failures.length})</h3>
      <ul>{failures.map((f) => <li key={f.id}><strong>{f.who}</strong>: {f.reason}</li>)}</ul>
    </section>
  );
}
