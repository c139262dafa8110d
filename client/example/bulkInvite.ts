// An example front-end module: preview a CSV of people with bulkInvite's dry run, then send
// it, and turn each row's result into a line for the admin. `make client` type-checks it.
import type { Client } from '@urql/core';
import { BulkInviteDocument, errorCode, type BulkInviteMutation, type InviteRowInput } from '../src/index.js';

/** One row's outcome: the BulkInviteResult union, as the BulkInvite operation selects it. */
export type BulkInviteRow = BulkInviteMutation['bulkInvite']['results'][number];

/** Describes one row for a person. A new member of the union fails to compile here. */
export function describeRow(r: BulkInviteRow): string {
  switch (r.__typename) {
    case 'NewInvitation':
      return `row ${r.row}: invited ${r.invite.email}` +
        (r.existingAccount ? ' (has an account: can accept in the app)' : '');
    case 'ExistingInvitation':
      return `row ${r.row}: ${r.invite.email} was invited already` +
        (r.externalIdUpdated ? `; external ID ${r.previousExternalId ?? '(none)'} -> ${r.invite.externalId ?? '(none)'}` : '');
    case 'ExistingMember':
      return `row ${r.row}: ${r.member.user.email} is a member (${r.member.role})` +
        (r.externalIdUpdated ? `; external ID ${r.previousExternalId ?? '(none)'} -> ${r.member.externalId ?? '(none)'}` : '');
    case 'FailedInvite':
      return `row ${r.row}: ${r.email || '(no email)'}: ${r.reason}: ${r.message}` +
        (r.retryable ? ' (may succeed later)' : '') +
        (r.existingInvite ? ` [invite ${r.existingInvite.id}, ${r.existingInvite.deliveryStatus}]` : '');
    default:
      return unhandled(r);
  }
}

function unhandled(r: never): never {
  throw new Error(`unhandled bulk-invite result ${(r as { __typename?: string }).__typename}`);
}

/** A whole batch: the counts, any ignored CSV columns, then one line per row. */
export function describeBulkInvite({ bulkInvite }: BulkInviteMutation): string[] {
  const { summary, ignoredColumns, results } = bulkInvite;
  const lines = [
    `${summary.total} rows: ${summary.newInvitations} new, ${summary.existingInvitations} invited already, ` +
      `${summary.existingMembers} members, ${summary.failed} failed, ${summary.externalIdsUpdated} external IDs changed`,
  ];
  if (ignoredColumns.length > 0) lines.push(`ignored columns: ${ignoredColumns.join(', ')}`);
  return lines.concat(results.map(describeRow));
}

/**
 * Uploads a CSV (a File from an <input type="file">; urql sends it as a multipart request):
 * dryRun shows what would happen. The client comes from createClient({ token }).
 */
export async function inviteFromCsv(client: Client, projectId: string, csv: File, dryRun: boolean): Promise<string[]> {
  const { data, error } = await client.mutation(BulkInviteDocument, { input: { projectId, csv, dryRun } }).toPromise();
  if (!data) throw new Error(`bulk invite failed: ${errorCode(error) ?? error?.message}`);
  return describeBulkInvite(data);
}

/** Invites a list of rows; rows without a role get CONTRIBUTOR. */
export async function inviteRows(client: Client, projectId: string, rows: InviteRowInput[]): Promise<string[]> {
  const { data, error } = await client.mutation(BulkInviteDocument, { input: { projectId, rows, defaultRole: 'CONTRIBUTOR' } }).toPromise();
  if (!data) throw new Error(`bulk invite failed: ${errorCode(error) ?? error?.message}`);
  return describeBulkInvite(data);
}
