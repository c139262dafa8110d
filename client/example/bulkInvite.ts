import type { Client } from '@urql/core';
import { BulkInviteDocument, errorCode, type BulkInviteMutation } from '@invites/client';

/** One row's outcome: the BulkInviteResult union, as the BulkInvite operation selects it. */
export type BulkInviteRow = BulkInviteMutation['bulkInvite']['results'][number];

/** Sends a CSV (a File from an <input type="file">); with dryRun, only says what would happen. */
export async function inviteFromCsv(client: Client, projectId: string, csv: File, dryRun: boolean): Promise<string[]> {
  const { data, error } = await client.mutation(BulkInviteDocument, { input: { projectId, csv, dryRun } }).toPromise();
  if (!data) throw new Error(`bulk invite failed: ${errorCode(error) ?? error?.message}`);
  const { summary, results } = data.bulkInvite;
  return [`${summary.total} rows, ${summary.failed} failed`, ...results.map(describeRow)];
}

/** A line for each row; a new member of the union fails to compile here. */
export function describeRow(r: BulkInviteRow): string {
  switch (r.__typename) {
    case 'NewInvitation':
      return `row ${r.row}: invited ${r.invite.email}`;
    case 'ExistingInvitation':
      return `row ${r.row}: ${r.invite.email} was invited already`;
    case 'ExistingMember':
      return `row ${r.row}: ${r.member.user.email} is a member (${r.member.role})`;
    case 'FailedInvite':
      return `row ${r.row}: ${r.email || '(no email)'}: ${r.reason}: ${r.message}`;
    default: {
      const unhandled: never = r;
      throw new Error(`unhandled result ${JSON.stringify(unhandled)}`);
    }
  }
}
