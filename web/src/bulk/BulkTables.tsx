// The tables of a bulk invite's result: the failed rows with every uploaded column, the
// invitations (a changed role or external ID in bold with what it was) and the members.
import type { InviteFieldsFragment, MemberFieldsFragment, ProjectRole } from '@invites/client';
import { roleNames } from '../errors';
import { TableFrame } from '../components/TableFrame';
import { Changed, ExternalId } from './Changed';
import { emailColumn, plural, reasonText, uploadedRows, type Failed, type Member } from './rows';

/** The failed rows as uploaded (every column of the file), with the reason; the rows that could
 * not be sent in red, counted by the caption. */
export function FailedTable({ failed, csvText, roles }: { failed: Failed[]; csvText: string; roles: readonly ProjectRole[] }) {
  const { header, rows } = uploadedRows(failed, csvText);
  const emailAt = emailColumn(header);
  const unsent = failed.filter((f) => f.reason === 'FAILED_TO_SEND').length;
  return (
    <TableFrame label="Failed rows">
      <table>
        {unsent > 0 && <caption className="unsent-caption">{unsent} {plural(unsent, 'row')} highlighted in red could not be sent</caption>}
        <thead>
          <tr><th scope="col">Row</th>{header.map((h, i) => <th scope="col" key={i}>{h}</th>)}<th scope="col">Reason</th></tr>
        </thead>
        <tbody>
          {failed.map((f, n) => (
            <tr key={f.row} className={f.reason === 'FAILED_TO_SEND' ? 'unsent' : undefined}>
              <td>{f.row}</td>
              {rows[n]!.map((cell, i) => (i === emailAt
                ? <th scope="row" className="email" key={i}>{cell || f.email}</th>
                : <td key={i}>{cell}</td>))}
              <td className="reason">{reasonText(f, roles)}{f.reason === 'FAILED_TO_SEND' && ' Correct the address, or revoke the invite in the invites list.'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}

export interface InviteRow {
  row: number;
  invite: InviteFieldsFragment;
  note?: string;
  updated?: boolean;
  previous?: string | null;
  previousRole?: ProjectRole | null;
}

/** Invitations; the note column (noteTitle) only where there is one to show. */
export function InviteTable({ rows, noteTitle, label }: { rows: InviteRow[]; noteTitle?: string; label: string }) {
  return (
    <TableFrame label={label}>
      <table>
        <thead><tr><th scope="col">Row</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">External ID</th>{noteTitle && <th scope="col">{noteTitle}</th>}</tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.row}>
              <td>{r.row}</td>
              <th scope="row" className="email">{r.invite.email}</th>
              <td><Role role={r.invite.role} previous={r.previousRole} /></td>
              <td><ExternalId value={r.invite.externalId} updated={r.updated} previous={r.previous} /></td>
              {noteTitle && <td>{r.note}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}

function Role({ role, previous }: { role: ProjectRole | null | undefined; previous?: ProjectRole | null }) {
  if (!role) return null;
  if (!previous) return <>{roleNames[role]}</>;
  return <Changed value={roleNames[role]} previous={roleNames[previous]} />;
}

export function MemberTable({ rows }: { rows: Member[] }) {
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
