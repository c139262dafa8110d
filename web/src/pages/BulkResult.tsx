// A bulk invite's result, after Coursemology's bulk-invite result dialog (PR 8406): sections only
// when they have rows, each headed with its count, Failed first; FAILED_TO_SEND rows in red with a
// caption that counts only them; a changed external ID in bold with "Previously: X" on hover and
// focus; the ignored columns named; the failed rows as a CSV to fix and upload again. A preview
// says nothing of who has an account (the API tells that only once invites are sent), and one
// that the project has overtaken says what changed and offers to preview again. After a
// confirmed upload, an invite whose email bounces since (delivery) moves live to the failed rows
// as FAILED_TO_SEND, in red, as the server reports it on the next upload of the same address.
import { useEffect, useId, useMemo, useRef } from 'react';
import type { BulkInviteFieldsFragment, DeliveryStatus, MemberFieldsFragment, InviteFieldsFragment } from '@invites/client';
import { failureReasons, isUndeliverable, roleNames, statusNames, when } from '../errors';
import { parseCsv, toCsv } from '../csv';
import { TableFrame } from '../components/TableFrame';

type Result = BulkInviteFieldsFragment;
type Row = Result['results'][number];
type Failed = Extract<Row, { __typename: 'FailedInvite' }>;
type New = Extract<Row, { __typename: 'NewInvitation' }>;
type Existing = Extract<Row, { __typename: 'ExistingInvitation' }>;
type Member = Extract<Row, { __typename: 'ExistingMember' }>;

export function BulkResult({ result, delivery, preview, csvText, fileName, busy, stale, onConfirm, onPreviewAgain, onCancel }: {
  result: Result;
  /** The latest delivery status of invites changed since: given for a confirmed result only. */
  delivery?: ReadonlyMap<string, DeliveryStatus>;
  preview: boolean;
  csvText: string;
  fileName: string;
  busy: boolean;
  /** Why this preview can no longer be sent (the project changed, or it expired), in words. */
  stale?: string;
  onConfirm: () => void;
  onPreviewAgain: () => void;
  onCancel: () => void;
}) {
  const groups = useMemo(() => {
    const failed: Failed[] = [], created: New[] = [], existing: Existing[] = [], members: Member[] = [];
    let bounced = 0;
    for (const r of result.results) {
      if ((r.__typename === 'NewInvitation' || r.__typename === 'ExistingInvitation') && isUndeliverable(delivery?.get(r.invite.id))) {
        failed.push(unsentRow(r));
        bounced++;
        continue;
      }
      switch (r.__typename) {
        case 'FailedInvite': failed.push(r); break;
        case 'NewInvitation': created.push(r); break;
        case 'ExistingInvitation': existing.push(r); break;
        case 'ExistingMember': members.push(r); break;
      }
    }
    return { failed, created, existing, members, bounced };
  }, [result, delivery]);
  const unsent = groups.failed.filter((f) => f.reason === 'FAILED_TO_SEND').length;
  // A new preview or result takes the focus, so keyboard and screen-reader users land on it.
  const titleRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => titleRef.current?.focus(), [result, preview]);
  const s = result.summary;
  const title = preview ? 'Preview: nothing has been sent yet' : 'Bulk invite result';
  const willSend = s.newInvitations;

  return (
    <section className="bulk-result" aria-labelledby="bulk-result-title">
      <h2 id="bulk-result-title" ref={titleRef} tabIndex={-1}>{title}</h2>
      <p role="status">
        {preview
          ? `${s.total} ${plural(s.total, 'row')} read. Confirming will send ${willSend} new ${plural(willSend, 'invitation')}${s.externalIdsUpdated ? ` and update ${s.externalIdsUpdated} external ${plural(s.externalIdsUpdated, 'ID')}` : ''}.`
          : `${s.total} ${plural(s.total, 'row')} processed: ${s.newInvitations} new ${plural(s.newInvitations, 'invitation')} sent, ${s.failed} failed.`}
      </p>
      {!preview && (
        // Present (and empty) from the start, so that screen readers announce what it says later.
        <p role="status">
          {groups.bounced > 0 && `Since then, ${groups.bounced} more ${plural(groups.bounced, 'row')} could not be sent: ${groups.bounced === 1 ? 'its email' : 'their emails'} bounced.`}
        </p>
      )}
      {result.ignoredColumns.length > 0 && (
        <p className="notice">Ignored {plural(result.ignoredColumns.length, 'column')}, which the invite does not use: {result.ignoredColumns.map((c, i) => <span key={c}>{i > 0 && ', '}<code>{c}</code></span>)}.</p>
      )}
      {preview && result.previewExpiresAt && !stale && <p className="hint">You can send this preview until {when(result.previewExpiresAt)}.</p>}
      {preview && stale && (
        <div role="alert" className="notice">
          <p>Nothing was sent. {stale}</p>
        </div>
      )}
      {preview && (
        <div className="actions">
          {stale
            ? <button type="button" disabled={busy} onClick={onPreviewAgain}>Preview again</button>
            : <button type="button" disabled={busy} onClick={onConfirm}>Send {willSend} {plural(willSend, 'invitation')}</button>}
          <button type="button" className="secondary" disabled={busy} onClick={onCancel}>Cancel</button>
        </div>
      )}

      {groups.failed.length > 0 && (
        <section aria-labelledby="failed-title">
          <h3 id="failed-title">Failed ({groups.failed.length})</h3>
          <TableFrame label="Failed rows">
            <table>
              {unsent > 0 && <caption className="unsent-caption">{unsent} {plural(unsent, 'row')} highlighted in red could not be sent</caption>}
              <thead><tr><th scope="col">Row</th><th scope="col">Email</th><th scope="col">External ID</th><th scope="col">Reason</th></tr></thead>
              <tbody>
                {groups.failed.map((f) => (
                  <tr key={f.row} className={f.reason === 'FAILED_TO_SEND' ? 'unsent' : undefined}>
                    <td>{f.row}</td>
                    <th scope="row" className="email">{f.email}</th>
                    <td>{f.externalId ?? ''}</td>
                    <td className="reason">{failureReasons[f.reason]}{f.reason === 'FAILED_TO_SEND' && ' Correct the address, or revoke the invite in the invites list.'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableFrame>
          <DownloadFailed failed={groups.failed} csvText={csvText} fileName={fileName} />
        </section>
      )}

      {groups.created.length > 0 && (
        <section aria-labelledby="new-title">
          <h3 id="new-title">New invitations ({groups.created.length})</h3>
          {preview
            ? <InviteTable rows={groups.created.map((r) => ({ row: r.row, invite: r.invite }))} label="New invitations" />
            : <InviteTable rows={groups.created.map((r) => ({ row: r.row, invite: r.invite, note: r.existingAccount ? 'Has an account' : 'No account yet' }))} noteTitle="Account" label="New invitations" />}
        </section>
      )}
      {groups.existing.length > 0 && (
        <section aria-labelledby="existing-title">
          <h3 id="existing-title">Existing invitations ({groups.existing.length})</h3>
          <InviteTable rows={groups.existing.map((r) => ({ row: r.row, invite: r.invite, note: statusNames[r.invite.status], updated: r.externalIdUpdated, previous: r.previousExternalId }))} noteTitle="Status" label="Existing invitations" />
        </section>
      )}
      {groups.members.length > 0 && (
        <section aria-labelledby="members-title">
          <h3 id="members-title">Existing members ({groups.members.length})</h3>
          <MemberTable rows={groups.members} />
        </section>
      )}
    </section>
  );
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

function plural(n: number, word: string): string {
  return n === 1 ? word : word + 's';
}

/** Invitations; the note column (noteTitle) only where there is one to show. */
function InviteTable({ rows, noteTitle, label }: {
  rows: { row: number; invite: InviteFieldsFragment; note?: string; updated?: boolean; previous?: string | null }[];
  noteTitle?: string;
  label: string;
}) {
  return (
    <TableFrame label={label}>
      <table>
        <thead><tr><th scope="col">Row</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">External ID</th>{noteTitle && <th scope="col">{noteTitle}</th>}</tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.row}>
              <td>{r.row}</td>
              <th scope="row" className="email">{r.invite.email}</th>
              <td>{r.invite.role ? roleNames[r.invite.role] : ''}</td>
              <td><ExternalId value={r.invite.externalId} updated={r.updated} previous={r.previous} /></td>
              {noteTitle && <td>{r.note}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}

function MemberTable({ rows }: { rows: Member[] }) {
  return (
    <TableFrame label="Existing members">
      <table>
        <thead><tr><th scope="col">Row</th><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">External ID</th></tr></thead>
        <tbody>
          {rows.map((r) => {
            const m: MemberFieldsFragment = r.member;
            return (
              <tr key={r.row}>
                <td>{r.row}</td>
                <th scope="row">{m.user.name}</th>
                <td className="email">{m.user.email}</td>
                <td>{roleNames[m.role]}</td>
                <td><ExternalId value={m.externalId} updated={r.externalIdUpdated} previous={r.previousExternalId} /></td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableFrame>
  );
}

/** The external ID; a changed one in bold, with "Previously: X" on hover and on keyboard focus. */
function ExternalId({ value, updated, previous }: { value: string | null | undefined; updated?: boolean; previous?: string | null }) {
  const tip = useId();
  if (!updated) return <>{value ?? ''}</>;
  return (
    <span className="changed">
      <strong tabIndex={0} aria-describedby={tip}>{value || '(cleared)'}</strong>
      <span role="tooltip" id={tip} className="tooltip">Previously: {previous || 'none'}</span>
    </span>
  );
}

/** The failed rows as they were uploaded, with a reason column, to fix and upload again. */
function DownloadFailed({ failed, csvText, fileName }: { failed: Failed[]; csvText: string; fileName: string }) {
  const href = useMemo(() => {
    const records = parseCsv(csvText);
    const header = records[0]?.cells ?? ['email', 'external_id'];
    const byLine = new Map(records.map((r) => [r.line, r.cells]));
    const emailAt = header.findIndex((h) => h.trim().toLowerCase() === 'email');
    const idAt = header.findIndex((h) => h.trim().toLowerCase() === 'external_id');
    const rows = failed.map((f) => {
      let cells = byLine.get(f.row);
      if (!cells) {
        // Not found where the API counted it (a file the browser reads otherwise): rebuild it.
        cells = header.map(() => '');
        if (emailAt >= 0) cells[emailAt] = f.email;
        if (idAt >= 0) cells[idAt] = f.externalId ?? '';
      }
      const padded = header.map((_, i) => cells[i] ?? '');
      return [...padded, failureReasons[f.reason]];
    });
    const csv = toCsv([[...header, 'reason'], ...rows]);
    return URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  }, [failed, csvText]);
  useEffect(() => () => URL.revokeObjectURL(href), [href]);
  const base = fileName.replace(/\.csv$/i, '') || 'invites';
  return (
    <p><a className="button secondary" href={href} download={`${base}-failed.csv`}>Download the {failed.length} failed {plural(failed.length, 'row')} as CSV</a></p>
  );
}
