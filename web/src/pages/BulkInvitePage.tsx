// /projects/<id>/bulk: invite many people from a CSV file or pasted rows. The API's dry run
// comes first, as a preview that sends nothing; confirming sends exactly that preview (by its
// previewId), or says what changed in the project since, offering to preview again. While a
// preview or result is shown, the page follows the project's invites live, so that an email that
// bounces after confirming moves its row to the failed ones (BulkResult).
import { useEffect, useState } from 'react';
import { useAction } from '../action';
import {
  BulkInviteDocument, ConfirmBulkInviteDocument, InviteChangedDocument, errorCode,
  type BulkInviteFieldsFragment, type DeliveryStatus, type ProjectFieldsFragment, type ProjectRole,
} from '@invites/client';
import { mutate } from '../api';
import { subscribe } from '../live';
import { describeError } from '../errors';
import { Page } from '../components/Page';
import { ErrorText } from '../components/Status';
import { Link } from '../router';
import { BulkResult } from './BulkResult';
import { AdminPage } from '../components/AdminPage';
import { RoleSelect, defaultRole } from '../components/RoleSelect';

type Result = BulkInviteFieldsFragment;

export function BulkInvitePage({ id }: { id: string }) {
  return (
    <AdminPage id={id} title="Invite many people" path="bulk" refusal="can invite people">
      {(project) => <BulkInvite project={project} />}
    </AdminPage>
  );
}

function BulkInvite({ project }: { project: ProjectFieldsFragment }) {
  const [file, setFile] = useState<File | null>(null);
  const [pasted, setPasted] = useState('');
  // Changed to clear the file picker for the next upload.
  const [formKey, setFormKey] = useState(0);
  const [rowsRole, setRowsRole] = useState<ProjectRole>(defaultRole(project.assignableRoles));
  // Previewing and sending: busy while the API works, and what went wrong in words.
  const { busy, error, run: act, submit } = useAction();
  // What was previewed (its previewId is what confirming sends) or sent.
  const [sent, setSent] = useState<{ csv: File; text: string; result: Result; dryRun: boolean } | null>(null);
  // Why the preview shown can no longer be sent (PREVIEW_STALE, in the API's words).
  const [stale, setStale] = useState('');
  // The latest delivery status of each invite that changed since the preview was shown. The
  // stream starts with the preview, not the result, so that an email failing in the moment
  // between the mutation's answer and the stream's start is not missed; it stops on leaving the
  // page and on a new upload (sent back to null).
  const showing = sent !== null;
  const [delivery, setDelivery] = useState<ReadonlyMap<string, DeliveryStatus>>(new Map());
  useEffect(() => {
    if (!showing) return;
    setDelivery(new Map());
    return subscribe(InviteChangedDocument, { projectId: project.id }, ({ inviteChanged: c }) => {
      setDelivery((d) => (d.get(c.id) === c.deliveryStatus ? d : new Map(d).set(c.id, c.deliveryStatus)));
    });
  }, [showing, project.id]);

  async function run(csv: File): Promise<string | undefined> {
    setStale('');
    const { data, error } = await mutate(BulkInviteDocument, { input: { projectId: project.id, csv, defaultRole: rowsRole, dryRun: true } });
    if (!data) return describeError(error);
    setSent({ csv, text: await csv.text(), result: data.bulkInvite, dryRun: true });
  }

  async function confirm(previewId: string): Promise<string | undefined> {
    if (!sent) return;
    const { data, error } = await mutate(ConfirmBulkInviteDocument, { previewId });
    if (!data) {
      if (errorCode(error) !== 'PREVIEW_STALE') return describeError(error);
      setStale(describeError(error));
      return;
    }
    setSent({ ...sent, result: data.confirmBulkInvite, dryRun: false });
  }

  const preview = submit(async () => {
    const csv = file ?? (pasted.trim() ? new File([pasted], 'pasted.csv', { type: 'text/csv' }) : null);
    if (!csv) return 'Choose a CSV file, or paste rows with a header line, first.';
    return run(csv);
  });

  const back = <Link to={`/projects/${encodeURIComponent(project.id)}/invitations`}>Back to {project.name}</Link>;
  return (
    <Page title={`Invite people to ${project.name}`}>
      <p>{back}</p>
      {/* While a preview or result is shown, it is the page: the form waits hidden, its file kept. */}
      <form onSubmit={preview} className="stack" aria-describedby="bulk-help" hidden={sent !== null} key={formKey}>
        <p id="bulk-help" className="hint">
          The first line names the columns: <code>email</code> (required), and optionally <code>role</code>, <code>external_id</code> and <code>name</code>.
          You will see what would happen before anything is sent.
        </p>
        <label>
          CSV file
          <input type="file" name="csv" accept=".csv,text/csv" aria-describedby={error ? 'bulk-error' : undefined}
            onChange={(e) => { setFile(e.target.files?.[0] ?? null); setSent(null); }} />
        </label>
        <ErrorText id="bulk-error">{error}</ErrorText>
        <label>
          Or paste rows
          <textarea name="rows" rows={5} value={pasted} disabled={file !== null} spellCheck={false}
            placeholder={'email,role,external_id,name\nada@example.com,CONTRIBUTOR,A001,Ada Lovelace'}
            onChange={(e) => { setPasted(e.target.value); setSent(null); }} />
        </label>
        <label>
          Role for rows that name none
          <RoleSelect roles={project.assignableRoles} value={rowsRole} onChange={setRowsRole} />
        </label>
        <button type="submit" disabled={busy}>Preview</button>
      </form>
      {sent && (
        <BulkResult result={sent.result} preview={sent.dryRun} csvText={sent.text} fileName={sent.csv.name}
          delivery={sent.dryRun ? undefined : delivery}
          roles={project.assignableRoles} busy={busy} stale={stale} error={error}
          onConfirm={() => { const id = sent.result.previewId; if (id) void act(() => confirm(id)); }}
          onPreviewAgain={() => void act(() => run(sent.csv))}
          onCancel={() => { setSent(null); setStale(''); }}
          onInviteMore={() => { setSent(null); setFile(null); setPasted(''); setFormKey((k) => k + 1); }} />
      )}
    </Page>
  );
}
