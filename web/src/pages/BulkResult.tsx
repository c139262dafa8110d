// A bulk invite's preview or result, as a step of its own after Coursemology's result dialog
// (PR 8406): a sticky bar keeps the title, the summary and the Send/Cancel buttons in view
// however long the rows; sections only when they have rows, each headed with its count, Failed
// first, and a long one collapsed; FAILED_TO_SEND rows in red with a caption that counts only
// them; a changed external ID or role in bold with "Previously: X" on hover and focus; the
// ignored columns named; the failed rows with every uploaded column, and as a CSV to fix and
// upload again. A preview says nothing of who has an account (the API tells that only once
// invites are sent), and one that the project has overtaken says what changed and offers to
// preview again. After a confirmed upload, an invite whose email bounces since (delivery) moves
// live to the failed rows, and the summary counts it there.
import { useEffect, useMemo, useRef } from 'react';
import type { DeliveryStatus, ProjectRole } from '@invites/client';
import { statusNames, when } from '../errors';
import { FailedTable, InviteTable, MemberTable } from '../bulk/BulkTables';
import { DownloadFailed } from '../bulk/DownloadFailed';
import { Disclosure } from '../components/Disclosure';
import { groupRows, plural, type Groups, type Result } from '../bulk/rows';

export function BulkResult({ result, delivery, preview, csvText, fileName, roles, busy, stale, error, onConfirm, onPreviewAgain, onCancel, onInviteMore }: {
  result: Result;
  /** The latest delivery status of invites changed since: given for a confirmed result only. */
  delivery?: ReadonlyMap<string, DeliveryStatus>;
  preview: boolean;
  csvText: string;
  fileName: string;
  /** The roles the viewer may give, which a refused role's reason lists. */
  roles: readonly ProjectRole[];
  busy: boolean;
  /** Why this preview can no longer be sent (the project changed, or it expired), in words. */
  stale?: string;
  /** Why sending failed otherwise, in words. */
  error?: string;
  onConfirm: () => void;
  onPreviewAgain: () => void;
  onCancel: () => void;
  onInviteMore: () => void;
}) {
  const groups = useMemo(() => groupRows(result, delivery), [result, delivery]);
  // A new preview or result takes the focus, so keyboard and screen-reader users land on it.
  const titleRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => titleRef.current?.focus(), [result, preview]);
  const title = preview ? 'Preview: nothing has been sent yet' : 'Bulk invite result';
  const willSend = result.summary.newInvitations;

  return (
    <section className="bulk-result" aria-labelledby="bulk-result-title">
      <div className="bulk-bar">
        <h2 id="bulk-result-title" ref={titleRef} tabIndex={-1}>{title}</h2>
        <p role="status">{summaryText(result, groups, preview)}</p>
        {!preview && (
          // Present (and empty) from the start, so that screen readers announce what it says later.
          <p role="status">
            {groups.bounced > 0 && `Since then, ${groups.bounced} more ${plural(groups.bounced, 'row')} could not be sent: ${groups.bounced === 1 ? 'its email' : 'their emails'} bounced.`}
          </p>
        )}
        {preview && stale && <div role="alert" className="notice"><p>Nothing was sent. {stale}</p></div>}
        {error && <p role="alert" className="error">{error}</p>}
        <div className="actions">
          {preview && (stale
            ? <button type="button" disabled={busy} onClick={onPreviewAgain}>Preview again</button>
            : <button type="button" disabled={busy} onClick={onConfirm}>Send {willSend} {plural(willSend, 'invitation')}</button>)}
          {preview
            ? <button type="button" className="secondary" disabled={busy} onClick={onCancel}>Cancel</button>
            : <button type="button" className="secondary" onClick={onInviteMore}>Invite more people</button>}
        </div>
      </div>
      {result.ignoredColumns.length > 0 && (
        <p className="notice">Ignored {plural(result.ignoredColumns.length, 'column')}, which the invite does not use: {result.ignoredColumns.map((c, i) => <span key={c}>{i > 0 && ', '}<code>{c}</code></span>)}.</p>
      )}
      {preview && result.previewExpiresAt && !stale && <p className="hint">You can send this preview until {when(result.previewExpiresAt)}.</p>}
      <Sections groups={groups} preview={preview} csvText={csvText} fileName={fileName} roles={roles} />
    </section>
  );
}

function Sections({ groups, preview, csvText, fileName, roles }: { groups: Groups; preview: boolean; csvText: string; fileName: string; roles: readonly ProjectRole[] }) {
  return (
    <>
      {groups.failed.length > 0 && (
        <Disclosure title="Failed" count={groups.failed.length}>
          <FailedTable failed={groups.failed} csvText={csvText} roles={roles} />
          <DownloadFailed failed={groups.failed} csvText={csvText} fileName={fileName} roles={roles} />
        </Disclosure>
      )}
      {groups.created.length > 0 && (
        <Disclosure title="New invitations" count={groups.created.length}>
          {preview
            ? <InviteTable rows={groups.created.map((r) => ({ row: r.row, invite: r.invite }))} label="New invitations" />
            : <InviteTable rows={groups.created.map((r) => ({ row: r.row, invite: r.invite, note: r.existingAccount ? 'Has an account' : 'No account yet' }))} noteTitle="Account" label="New invitations" />}
        </Disclosure>
      )}
      {groups.existing.length > 0 && (
        <Disclosure title="Existing invitations" count={groups.existing.length}>
          <InviteTable label="Existing invitations" noteTitle="Status" rows={groups.existing.map((r) => ({
            row: r.row, invite: r.invite, note: statusNames[r.invite.status], updated: r.externalIdUpdated, previous: r.previousExternalId, previousRole: r.previousRole,
          }))} />
        </Disclosure>
      )}
      {groups.members.length > 0 && (
        <Disclosure title="Existing members" count={groups.members.length}>
          <MemberTable rows={groups.members} />
        </Disclosure>
      )}
    </>
  );
}

/** Every outcome counted, as the sections show them now (a bounced row among the failed). */
function summaryText(result: Result, g: Groups, preview: boolean): string {
  const s = result.summary;
  const total = `${s.total} ${plural(s.total, 'row')}`;
  const roles = g.existing.filter((r) => r.previousRole).length;
  const others = [
    g.existing.length > 0 && `${g.existing.length} existing ${plural(g.existing.length, 'invitation')}`,
    g.members.length > 0 && `${g.members.length} existing ${plural(g.members.length, 'member')}`,
  ].filter(Boolean).join(', ');
  if (preview) {
    const changes = [
      `send ${g.created.length} new ${plural(g.created.length, 'invitation')}`,
      s.externalIdsUpdated > 0 && `update ${s.externalIdsUpdated} external ${plural(s.externalIdsUpdated, 'ID')}`,
      roles > 0 && `change ${roles} ${plural(roles, 'role')}`,
    ].filter(Boolean) as string[];
    const said = changes.length > 1 ? `${changes.slice(0, -1).join(', ')} and ${changes[changes.length - 1]}` : changes[0];
    return `${total} read: ${g.created.length} new, ${others ? `${others}, ` : ''}${g.failed.length} failed. Confirming will ${said}.`;
  }
  return `${total} processed: ${g.created.length} new ${plural(g.created.length, 'invitation')} sent, ${others ? `${others}, ` : ''}${g.failed.length} failed.`;
}
