// A table's frame: on a narrow screen the table scrolls sideways inside it, so the frame takes
// the focus (arrow keys scroll it) and is named after the table.
import { useLayoutEffect, useRef, type ReactNode } from 'react';

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

/** How many items a page of a list holds. */
export const pageSize = 50;

/** The most items the API gives in one page. */
export const maxPageSize = 100;

/** Loads the next page of a list shown in a table, and says how much of it is shown. */
export function MoreButton({ shown, total, what, onClick }: { shown: number; total: number; what: string; onClick: () => void }) {
  return (
    <p className="actions">
      <span className="muted">Showing {shown} of {total} {what}.</span>
      <button type="button" className="secondary" onClick={onClick}>Show more {what}</button>
    </p>
  );
}
