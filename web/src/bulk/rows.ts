// A bulk invite's rows as the page shows them: grouped into the result's sections (a sent row
// whose email bounced since moving to the failed ones), the reasons in words, and the failed
// rows with every column the file had.
import type { BulkInviteFieldsFragment, DeliveryStatus, ProjectRole } from '@invites/client';
import { failureReasons, isUndeliverable, roleNames } from '../errors';
import { parseCsv } from '../csv';

export type Result = BulkInviteFieldsFragment;
export type Row = Result['results'][number];
export type Failed = Extract<Row, { __typename: 'FailedInvite' }>;
export type New = Extract<Row, { __typename: 'NewInvitation' }>;
export type Existing = Extract<Row, { __typename: 'ExistingInvitation' }>;
export type Member = Extract<Row, { __typename: 'ExistingMember' }>;

export interface Groups {
  failed: Failed[];
  created: New[];
  existing: Existing[];
  members: Member[];
  /** Sent rows whose email bounced since the result came. */
  bounced: number;
}

export function groupRows(result: Result, delivery?: ReadonlyMap<string, DeliveryStatus>): Groups {
  const g: Groups = { failed: [], created: [], existing: [], members: [], bounced: 0 };
  for (const r of result.results) {
    if ((r.__typename === 'NewInvitation' || r.__typename === 'ExistingInvitation') && isUndeliverable(delivery?.get(r.invite.id))) {
      g.failed.push(unsentRow(r));
      g.bounced++;
      continue;
    }
    switch (r.__typename) {
      case 'FailedInvite': g.failed.push(r); break;
      case 'NewInvitation': g.created.push(r); break;
      case 'ExistingInvitation': g.existing.push(r); break;
      case 'ExistingMember': g.members.push(r); break;
    }
  }
  return g;
}

/** A sent row whose email bounced since, as the server reports one that had bounced before. */
function unsentRow(r: New | Existing): Failed {
  const i = r.invite;
  return {
    __typename: 'FailedInvite', row: r.row, email: i.email, externalId: i.externalId ?? null,
    reason: 'FAILED_TO_SEND', message: `the invite's email to ${i.email} could not be delivered; check the address`, retryable: false,
    existingInvite: { id: i.id, status: i.status, deliveryStatus: 'FAILED_PERMANENT' },
  };
}

export function plural(n: number, word: string): string {
  return n === 1 ? word : word + 's';
}

/** "Pending, Contributor or Admin". */
export function roleList(roles: readonly ProjectRole[]): string {
  const names = roles.map((r) => roleNames[r]);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : (names[0] ?? '');
}

/** Why a row failed, in words: a duplicate names the earlier row (the API's message does), and
 * an unknown role lists the roles the viewer may give. */
export function reasonText(f: Failed, roles: readonly ProjectRole[]): string {
  switch (f.reason) {
    case 'DUPLICATE_EMAIL':
    case 'DUPLICATE_EXTERNAL_ID':
      return /^row \d+/.test(f.message) ? sentence(f.message) : failureReasons[f.reason];
    case 'INVALID_ROLE':
      return `The role is not a project role: use ${roleList(roles)}.`;
    default:
      return failureReasons[f.reason];
  }
}

function sentence(s: string): string {
  const t = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(t) ? t : t + '.';
}

/** The failed rows as they were uploaded: the file's header and, for each row, its cells (one
 * per header column; rebuilt from the email and external ID when the line is not found). */
export function uploadedRows(failed: Failed[], csvText: string): { header: string[]; rows: string[][] } {
  const records = parseCsv(csvText);
  const header = records[0]?.cells ?? ['email', 'external_id'];
  const byLine = new Map(records.map((r) => [r.line, r.cells]));
  const emailAt = header.findIndex((h) => h.trim().toLowerCase() === 'email');
  const idAt = header.findIndex((h) => h.trim().toLowerCase() === 'external_id');
  const rows = failed.map((f) => {
    let cells = byLine.get(f.row);
    if (!cells) {
      cells = header.map(() => '');
      if (emailAt >= 0) cells[emailAt] = f.email;
      if (idAt >= 0) cells[idAt] = f.externalId ?? '';
    }
    return header.map((_, i) => cells[i] ?? '');
  });
  return { header, rows };
}

/** The column of the email in the file's header, or -1. */
export function emailColumn(header: string[]): number {
  return header.findIndex((h) => h.trim().toLowerCase() === 'email');
}
