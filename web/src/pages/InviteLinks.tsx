// The project page's invite links, for its admins: a form to make one (its link is shown once,
// to copy then), and the list with each link's uses and status, and a button to revoke it.
import { useCallback, useEffect, useState } from 'react';
import {
  CreateInviteLinkDocument, ProjectInviteLinksDocument, RevokeInviteLinkDocument,
  type InviteLinkFieldsFragment, type InviteLinkStatus, type ProjectFieldsFragment, type ProjectRole,
} from '@invites/client';
import { latestReads, mutate } from '../api';
import { useAction } from '../action';
import { describeError, roleNames, when } from '../errors';
import { ErrorText, Loading } from '../components/Status';
import { TableFrame } from '../components/TableFrame';
import { Announcer } from '../components/Announcer';
import { ConfirmDialog, type Question } from '../components/ConfirmDialog';
import { RoleSelect, defaultRole } from '../components/RoleSelect';
import { copyText } from '../clipboard';

const linkStatusNames: Record<InviteLinkStatus, string> = {
  ACTIVE: 'Active',
  EXPIRED: 'Expired',
  USED_UP: 'Used up',
  REVOKED: 'Revoked',
};

/** The date (YYYY-MM-DD, in the browser's time zone) days from today, for the date picker's bounds. */
function day(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function InviteLinks({ project }: { project: ProjectFieldsFragment }) {
  const [links, setLinks] = useState<InviteLinkFieldsFragment[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState('');
  const [rowError, setRowError] = useState<Record<string, string>>({});

  // Only the latest read counts, and the one after making a link asks the server again.
  const [read] = useState(() => latestReads(ProjectInviteLinksDocument));
  const load = useCallback(() => {
    void read({ id: project.id, first: 100 }).then((answer) => {
      if (!answer) return; // a later read answers instead
      const { data, error } = answer;
      if (!data?.project) return setError(describeError(error));
      setError('');
      setLinks(data.project.inviteLinks.edges.map((e) => e.node));
      setTotal(data.project.inviteLinks.totalCount);
    });
  }, [project.id, read]);
  useEffect(() => load(), [load]);

  const [question, setQuestion] = useState<Question | null>(null);
  const [message, setMessage] = useState('');
  function revoke(link: InviteLinkFieldsFragment) {
    const made = `the ${roleNames[link.role]} link made ${when(link.createdAt)}`;
    setQuestion({
      title: 'Revoke this invite link?',
      body: <p>Nobody else can join through {made}. Those who joined through it stay members.</p>,
      confirm: 'Revoke the link',
      onConfirm: () => void (async () => {
        setMessage('');
        setRowError((r) => ({ ...r, [link.id]: '' }));
        const { data, error } = await mutate(RevokeInviteLinkDocument, { id: link.id });
        if (!data) return setRowError((r) => ({ ...r, [link.id]: describeError(error, { INVITE_NOT_PENDING: 'This link was revoked already.' }) }));
        setLinks((ls) => ls && ls.map((l) => (l.id === link.id ? data.revokeInviteLink : l)));
        setMessage(`Revoked ${made}.`);
      })(),
    });
  }

  return (
    <section aria-labelledby="invite-links">
      <h2 id="invite-links">Invite links ({total})</h2>
      <CreateLink project={project} onCreated={load} />
      <Announcer message={message} />
      <ConfirmDialog question={question} onClose={() => setQuestion(null)} />
      {error ? <ErrorText>{error}</ErrorText> : links === null ? <Loading /> : links.length === 0 ? <p>No invite links yet: make one above, then share it where the people you want can find it.</p> : (
        <TableFrame label="Invite links">
          <table>
            <thead>
              <tr><th scope="col">Role</th><th scope="col">Uses</th><th scope="col">Who may join</th><th scope="col">Status</th><th scope="col">Open until</th><th scope="col">Made by</th><th scope="col">Actions</th></tr>
            </thead>
            <tbody>
              {links.map((l) => (
                <tr key={l.id}>
                  <th scope="row">{roleNames[l.role]}</th>
                  <td>{l.maxUses == null ? `${l.uses}` : `${l.uses} of ${l.maxUses}`}</td>
                  <td>{l.allowedEmailDomains.length ? l.allowedEmailDomains.join(', ') : 'Anyone with the link'}</td>
                  <td>{linkStatusNames[l.status]}</td>
                  <td><time dateTime={l.expiresAt}>{when(l.expiresAt)}</time></td>
                  <td>{l.createdBy.name}</td>
                  <td>
                    {l.status === 'ACTIVE' && (
                      <button type="button" className="secondary" aria-label={`Revoke the ${roleNames[l.role]} link made ${when(l.createdAt)}`}
                        onClick={() => void revoke(l)}>Revoke</button>
                    )}
                    <ErrorText>{rowError[l.id]}</ErrorText>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      )}
    </section>
  );
}

function CreateLink({ project, onCreated }: { project: ProjectFieldsFragment; onCreated: () => void }) {
  const roles = project.assignableRoles;
  const [role, setRole] = useState<ProjectRole>(defaultRole(roles));
  const [maxUses, setMaxUses] = useState('');
  const [expires, setExpires] = useState('');
  const [domains, setDomains] = useState('');
  const [approval, setApproval] = useState(false);
  const [url, setUrl] = useState('');
  const [copied, setCopied] = useState('');
  const action = useAction();

  const submit = action.submit(async () => {
    setUrl('');
    setCopied('');
    const input = {
      projectId: project.id,
      role,
      maxUses: maxUses ? Number(maxUses) : undefined,
      // The date picker gives a day: the link stays open until that day ends, in the browser's time zone.
      expiresAt: expires ? new Date(`${expires}T23:59:59`).toISOString() : undefined,
      allowedEmailDomains: domains.split(/[\s,]+/).filter((d) => d !== ''),
      requiresApproval: approval,
    };
    const { data, error } = await mutate(CreateInviteLinkDocument, { input });
    if (!data) return describeError(error);
    setUrl(data.createInviteLink.url);
    setMaxUses('');
    setExpires('');
    setDomains('');
    setApproval(false);
    onCreated();
  });
  async function copy() {
    setCopied((await copyText(url)) ? 'Link copied.' : 'Copying was refused: select the link and copy it yourself.');
  }

  // The heading sits above the form's grid, and each hint under its own field.
  return (
    <section aria-labelledby="new-link">
      <h3 id="new-link">Make an invite link</h3>
      <form onSubmit={submit} className="link-form" aria-labelledby="new-link">
        <div className="field">
          <label htmlFor="link-role">Role</label>
          <RoleSelect id="link-role" name="linkRole" roles={roles} value={role} onChange={setRole} />
        </div>
        <div className="field">
          <label htmlFor="link-uses">Most uses (optional)</label>
          <input id="link-uses" type="number" name="maxUses" min={1} value={maxUses} onChange={(e) => setMaxUses(e.target.value)}
            aria-describedby="uses-hint" />
          <p id="uses-hint" className="hint">Empty: no limit.</p>
        </div>
        <div className="field">
          <label htmlFor="link-expires">Open until (optional)</label>
          <input id="link-expires" type="date" name="expiresAt" min={day(0)} max={day(29)} value={expires} onChange={(e) => setExpires(e.target.value)}
            aria-describedby="expires-hint" />
          <p id="expires-hint" className="hint">At most 30 days from today.</p>
        </div>
        <div className="field">
          <label htmlFor="link-domains">Only emails at (optional)</label>
          <input id="link-domains" name="allowedEmailDomains" placeholder="example.com" value={domains} onChange={(e) => setDomains(e.target.value)}
            aria-describedby="domains-hint" />
          <p id="domains-hint" className="hint">Domains separated by commas or spaces. People must verify such an email to join.</p>
        </div>
        <div className="field">
          <label htmlFor="link-approval">
            <input id="link-approval" type="checkbox" name="requiresApproval" checked={approval} onChange={(e) => setApproval(e.target.checked)}
              aria-describedby="approval-hint" /> Requires approval
          </label>
          <p id="approval-hint" className="hint">People ask to join through the link, and an admin approves or denies each.</p>
        </div>
        <div className="form-end">
          <button type="submit" disabled={action.busy}>Make link</button>
          <ErrorText>{action.error}</ErrorText>
        </div>
      </form>
      {url && (
        <div className="notice">
          <p role="status">Here is the link. It is shown only now: copy it and share it.</p>
          <label>
            Invite link
            <input readOnly name="inviteLinkUrl" value={url} onFocus={(e) => e.currentTarget.select()} />
          </label>
          <button type="button" onClick={() => void copy()}>Copy link</button>
          {copied && <p role="status">{copied}</p>}
        </div>
      )}
    </section>
  );
}
