// /projects/<id>/requests: the requests to join that wait for the project's admins (SPEC §16):
// select one or many, then approve them with a role or deny them with a reason, after a
// confirmation; each row's refusal is shown beside it.
import { useCallback, useEffect, useState } from 'react';
import {
  ApproveJoinRequestsDocument, DenyJoinRequestsDocument, ProjectJoinRequestsDocument,
  type JoinRequestFieldsFragment, type ProjectFieldsFragment, type ProjectRole,
} from '@invites/client';
import { latestReads, mutate } from '../api';
import { describeError, when } from '../errors';
import { ProjectFrame } from '../components/ProjectFrame';
import { ErrorText, Loading } from '../components/Status';
import { ConfirmDialog, type Question } from '../components/ConfirmDialog';
import { RoleSelect, defaultRole } from '../components/RoleSelect';
import { Announcer } from '../components/Announcer';

export function ProjectRequestsPage({ id }: { id: string }) {
  return (
    <ProjectFrame id={id} tab="requests">
      {(project) => <Requests project={project} />}
    </ProjectFrame>
  );
}

function Requests({ project }: { project: ProjectFieldsFragment }) {
  const [requests, setRequests] = useState<JoinRequestFieldsFragment[] | undefined>(undefined);
  const [error, setError] = useState('');
  const [selected, setSelected] = useState<string[]>([]);
  const [role, setRole] = useState<ProjectRole>(defaultRole(project.assignableRoles));
  const [reason, setReason] = useState('');
  const [question, setQuestion] = useState<Question | null>(null);
  const [rowError, setRowError] = useState<Record<string, string>>({});
  const [message, setMessage] = useState('');

  // Only the latest read counts, and the one after a decision asks the server again.
  const [read] = useState(() => latestReads(ProjectJoinRequestsDocument));
  const load = useCallback(() => {
    void read({ id: project.id, status: 'PENDING', first: 100 }).then((answer) => {
      if (!answer) return; // a later read answers instead
      const { data, error } = answer;
      if (data?.project) setRequests(data.project.joinRequests.edges.map((e) => e.node));
      else setError(describeError(error));
    });
  }, [project.id, read]);
  useEffect(() => load(), [load]);

  function decide(approve: boolean) {
    const ids = selected;
    const n = ids.length === 1 ? 'this request' : `these ${ids.length} requests`;
    setQuestion({
      title: approve ? `Approve ${n}?` : `Deny ${n}?`,
      body: <p>{approve ? `Each person becomes a member as ${role.toLowerCase()}.` : 'Each person is told by email.'}</p>,
      confirm: approve ? 'Approve' : 'Deny',
      onConfirm: () => void (async () => {
        setMessage('');
        const res = approve
          ? (await mutate(ApproveJoinRequestsDocument, { ids, role })).data?.approveJoinRequests
          : (await mutate(DenyJoinRequestsDocument, { ids, reason: reason || undefined })).data?.denyJoinRequests;
        if (!res) return setError('The decision could not be sent; try again.');
        const errors: Record<string, string> = {};
        for (const r of res) if (r.errorCode) errors[r.id] = r.message ?? r.errorCode;
        setRowError(errors);
        setSelected(Object.keys(errors));
        setMessage(`${res.filter((r) => !r.errorCode).length} ${approve ? 'approved' : 'denied'}.`);
        load();
      })(),
    });
  }

  if (!requests) return error ? <ErrorText>{error}</ErrorText> : <Loading />;
  return (
    <section aria-labelledby="requests-title">
      <h2 id="requests-title">Requests to join ({requests.length})</h2>
      <Announcer message={message} />
      <ErrorText>{error}</ErrorText>
      {requests.length === 0 ? <p>No requests wait for a decision.</p> : (
        <>
          <ul className="plain">
            {requests.map((r) => (
              <li key={r.id}>
                <label>
                  <input type="checkbox" checked={selected.includes(r.id)}
                    onChange={(e) => setSelected((s) => (e.target.checked ? [...s, r.id] : s.filter((x) => x !== r.id)))} />
                  {' '}{r.user.name} ({r.user.email}), asked {when(r.createdAt)}
                </label>
                {r.message && <p className="hint">{r.message}</p>}
                {rowError[r.id] && <ErrorText>{rowError[r.id]}</ErrorText>}
              </li>
            ))}
          </ul>
          <div className="field">
            <label htmlFor="request-role">Role on approval</label>
            <RoleSelect id="request-role" name="requestRole" roles={project.assignableRoles} value={role} onChange={setRole} />
          </div>
          <div className="field">
            <label htmlFor="request-reason">Reason for a denial (optional)</label>
            <input id="request-reason" name="reason" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <p className="actions">
            <button type="button" disabled={selected.length === 0} onClick={() => decide(true)}>Approve selected</button>
            <button type="button" className="secondary" disabled={selected.length === 0} onClick={() => decide(false)}>Deny selected</button>
          </p>
        </>
      )}
      <ConfirmDialog question={question} onClose={() => setQuestion(null)} />
    </section>
  );
}
