// A project's invites, for its admins: filtered by status, a page at a time, each with its email's
// delivery and the buttons to resend or revoke it, kept up to date live.
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  InviteChangedDocument, ProjectInvitesDocument, ResendInviteDocument, RevokeInviteDocument,
  type InviteFieldsFragment, type InviteStatus,
} from '@invites/client';
import { mutate, query } from '../api';
import { deliveryNames, describeError, roleNames, statusNames, when } from '../errors';
import { subscribe } from '../live';
import { ErrorText, Loading } from '../components/Status';
import { MoreButton, TableFrame, maxPageSize, pageSize } from '../components/TableFrame';

const statuses: InviteStatus[] = ['PENDING', 'ACCEPTED', 'DECLINED', 'REVOKED', 'EXPIRED'];

export function ProjectInvites({ projectId, version }: { projectId: string; version: number }) {
  const [status, setStatus] = useState<InviteStatus | ''>('');
  const [invites, setInvites] = useState<InviteFieldsFragment[] | null>(null);
  const [total, setTotal] = useState(0);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [rowError, setRowError] = useState<Record<string, string>>({});
  const [rowDone, setRowDone] = useState<Record<string, string>>({});

  // How many invites the person asked to see: a page, and a page more for each "Show more".
  const wanted = useRef(pageSize);
  const reach = () => Math.min(maxPageSize, wanted.current);
  // Counts the reads from the start: only the answer of the latest counts, and a next page asked
  // for before it continues a list that is gone (the latest read holds it, or another filter's).
  const reads = useRef(0);

  // after: the next page, added to the list; without it the list again from its start, first
  // items of it. Answers may come in any order: a live reload, "Show more" and a new filter
  // never take back each other's rows nor show an older list.
  const load = useCallback((after?: string, first = pageSize) => {
    const read = after ? reads.current : ++reads.current;
    void query(ProjectInvitesDocument, { id: projectId, first, after, status: status || undefined }).then(({ data, error }) => {
      if (read !== reads.current) return; // a later read from the start answers instead
      if (!after && first < reach()) return load(undefined, reach()); // "Show more" came since
      if (!data?.project) return setError(describeError(error));
      setError('');
      const page = data.project.invites;
      setInvites((is) => [...(after && is ? is : []), ...page.edges.map((e) => e.node)]);
      setTotal(page.totalCount);
      setNext(page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? null) : null);
    });
  }, [projectId, status]);
  useEffect(() => {
    wanted.current = pageSize;
    load();
  }, [load, version]);

  // Live: an invite shown takes its new status, delivery, role and external ID in place; a new
  // one (sent from another page, a bulk invite, another admin) reads the list again, once for a
  // burst of them, as far as the person asked to see: the pages that "Show more" added stay.
  const shown = useRef<Set<string>>(new Set());
  useEffect(() => { shown.current = new Set((invites ?? []).map((i) => i.id)); }, [invites]);
  useEffect(() => {
    let reload: ReturnType<typeof setTimeout> | undefined;
    const stop = subscribe(InviteChangedDocument, { projectId }, ({ inviteChanged: c }) => {
      if (shown.current.has(c.id)) {
        setInvites((is) => is && is.map((i) => (i.id === c.id ? { ...i, status: c.status, deliveryStatus: c.deliveryStatus, role: c.role, externalId: c.externalId } : i)));
      } else if (reload === undefined) {
        reload = setTimeout(() => {
          reload = undefined;
          load(undefined, reach());
        }, 300);
      }
    });
    return () => { stop(); clearTimeout(reload); };
  }, [projectId, load]);

  async function act(invite: InviteFieldsFragment, resend: boolean) {
    setRowError((r) => ({ ...r, [invite.id]: '' }));
    setRowDone((r) => ({ ...r, [invite.id]: '' }));
    const { data, error } = resend ? await mutate(ResendInviteDocument, { id: invite.id }) : await mutate(RevokeInviteDocument, { id: invite.id });
    if (error || !data) {
      return setRowError((r) => ({ ...r, [invite.id]: describeError(error, { RATE_LIMITED: 'This invite was sent a moment ago: wait a minute before sending it again.' }) }));
    }
    const updated = 'resendInvite' in data ? data.resendInvite : data.revokeInvite;
    setInvites((is) => is && is.map((i) => (i.id === invite.id ? updated : i)));
    setRowDone((r) => ({ ...r, [invite.id]: resend ? `Sent again to ${invite.email}.` : `Invite to ${invite.email} revoked.` }));
  }

  return (
    <section aria-labelledby="invites">
      <h2 id="invites">Invites ({total})</h2>
      <label className="filter">
        Show
        <select value={status} onChange={(e) => setStatus(e.target.value as InviteStatus | '')}>
          <option value="">All invites</option>
          {statuses.map((s) => <option key={s} value={s}>{statusNames[s]}</option>)}
        </select>
      </label>
      {error ? <ErrorText>{error}</ErrorText> : invites === null ? <Loading /> : invites.length === 0 ? <p>No invites here.</p> : (
        <TableFrame label="Invites">
          <table>
            <thead>
              <tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">External ID</th><th scope="col">Status</th><th scope="col">Email delivery</th><th scope="col">Expires</th><th scope="col">Actions</th></tr>
            </thead>
            <tbody>
              {invites.map((i) => (
                <tr key={i.id} className={i.deliveryStatus === 'FAILED_PERMANENT' ? 'undeliverable' : undefined}>
                  <th scope="row" className="email">{i.email}</th>
                  <td>{i.role ? roleNames[i.role] : ''}</td>
                  <td>{i.externalId ?? ''}</td>
                  <td>{statusNames[i.status]}{i.remindersSent > 0 && <span className="muted"> (reminded)</span>}</td>
                  <td>{deliveryNames[i.deliveryStatus]}</td>
                  <td><time dateTime={i.expiresAt}>{when(i.expiresAt)}</time></td>
                  <td>
                    {i.status === 'PENDING' && (
                      <div className="actions">
                        <button type="button" className="secondary" aria-label={`Resend to ${i.email}`} onClick={() => void act(i, true)}>Resend</button>
                        <button type="button" className="secondary" aria-label={`Revoke the invite to ${i.email}`} onClick={() => void act(i, false)}>Revoke</button>
                      </div>
                    )}
                    {rowDone[i.id] && <p role="status">{rowDone[i.id]}</p>}
                    <ErrorText>{rowError[i.id]}</ErrorText>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      )}
      {invites && next && (
        <MoreButton shown={invites.length} total={total} what="invites" onClick={() => {
          wanted.current += pageSize;
          load(next);
        }} />
      )}
    </section>
  );
}
