import type { Client } from '@urql/core';
import { BulkInviteDocument, ConfirmBulkInviteDocument, errorCode, type BulkInviteFieldsFragment } from '@invites/client';

/** One row's outcome: the BulkInviteResult union, as the BulkInviteFields fragment selects it. */
export type BulkInviteRow = BulkInviteFieldsFragment['results'][number];

/** Previews a CSV (a File from an <input type="file">): what would happen, with nothing sent. */
export async function previewCsv(client: Client, projectId: string, csv: File): Promise<{ previewId: string; lines: string[] }> {
  const { data, error } = await client.mutation(BulkInviteDocument, { input: { projectId, csv, dryRun: true } }).toPromise();
  if (!data?.bulkInvite.previewId) throw new Error(`bulk invite failed: ${errorCode(error) ?? error?.message}`);
  return { previewId: data.bulkInvite.previewId, lines: describe(data.bulkInvite) };
}

/** Sends exactly what the preview showed; PREVIEW_STALE says that the project changed since. */
export async function confirmPreview(client: Client, previewId: string): Promise<string[]> {
  const { data, error } = await client.mutation(ConfirmBulkInviteDocument, { previewId }).toPromise();
  if (errorCode(error) === 'PREVIEW_STALE') return [`preview again: ${error?.graphQLErrors[0]?.message}`];
  if (!data) throw new Error(`confirming failed: ${errorCode(error) ?? error?.message}`);
  return describe(data.confirmBulkInvite);
}

function describe({ summary, results }: BulkInviteFieldsFragment): string[] {
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
