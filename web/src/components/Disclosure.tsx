// A section of a long result, headed with its count: its heading is a button that shows or
// hides the rows (the ARIA disclosure pattern), and a long one starts hidden so that the page
// stays as short as the counts.
import { useId, useState, type ReactNode } from 'react';

/** Sections with more rows than this start collapsed. */
export const collapseOver = 10;

export function Disclosure({ title, count, children }: { title: string; count: number; children: ReactNode }) {
  const [open, setOpen] = useState(count <= collapseOver);
  const body = useId();
  return (
    <section className="disclosure">
      <h3>
        <button type="button" className="disclosure-toggle" aria-expanded={open} aria-controls={body} onClick={() => setOpen(!open)}>
          {title} ({count})
        </button>
      </h3>
      <div id={body} hidden={!open}>{children}</div>
    </section>
  );
}
