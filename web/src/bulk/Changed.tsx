// A value a bulk row changed (an external ID, an invite's role): in bold, with "Previously: X"
// on hover and on keyboard focus, after Coursemology's result.
import { useId } from 'react';

export function Changed({ value, previous }: { value: string; previous: string }) {
  const tip = useId();
  return (
    <span className="changed">
      <strong tabIndex={0} aria-describedby={tip}>{value}</strong>
      <span role="tooltip" id={tip} className="tooltip">Previously: {previous}</span>
    </span>
  );
}

/** The external ID; a changed one as Changed. */
export function ExternalId({ value, updated, previous }: { value: string | null | undefined; updated?: boolean; previous?: string | null }) {
  if (!updated) return <>{value ?? ''}</>;
  return <Changed value={value || '(cleared)'} previous={previous || 'none'} />;
}
