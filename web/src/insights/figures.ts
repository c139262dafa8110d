// The insights' figures in words: durations, percentages, and a bucket's name.
import type { ProjectInsightsQuery } from '@invites/client';

export type Insights = NonNullable<ProjectInsightsQuery['project']>['insights'];
/** A week's, an inviter's or a batch's counts. */
export interface Bucket {
  start?: string | null;
  inviter?: { name: string } | null;
  sent: number;
  opened: number;
  accepted: number;
}

/** Seconds as the largest two units that say them: "2 days 3 h", "5 min", "40 s". */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return 'none accepted yet';
  const s = Math.round(seconds);
  const units: [number, string][] = [[86400, 'day'], [3600, 'h'], [60, 'min'], [1, 's']];
  const parts: string[] = [];
  let rest = s;
  for (const [size, name] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 || (size === 1 && parts.length === 0)) parts.push(name === 'day' ? `${n} ${n === 1 ? 'day' : 'days'}` : `${n} ${name}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** part as a percentage of whole, or an empty string where whole is 0. */
export function percent(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((100 * part) / whole)}%` : '';
}

const day = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });
const moment = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

/** A week's name: "Week of 7 Dec 2026" (weeks start Monday, 00:00 UTC). */
export function weekName(b: Bucket): string {
  return b.start ? `Week of ${day.format(new Date(b.start))}` : 'Unknown week';
}

/** A batch's name: when it was sent, and by whom. */
export function batchName(b: { start: string | null; inviter: { name: string } | null }): string {
  const at = b.start ? moment.format(new Date(b.start)) : 'Unknown time';
  return b.inviter ? `${at}, ${b.inviter.name}` : at;
}
