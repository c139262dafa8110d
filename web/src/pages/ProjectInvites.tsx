// A project's invites, for its admins: searched by the server (email, name, external ID),
// filtered by status, a page at a time, each with its email's delivery, kept up to date live;
// Resend and Revoke for one invite or for many picked with checkboxes (revoking asks first), each
// row that could not be done listed with the reason.
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  InviteChangedDocument, ProjectInvitesDocument, ResendInvitesDocument, RevokeInvitesDocument,
  type DeliveryStatus, type InviteFieldsFragment, type InviteStatus, type ResendInvitesMutation,
} from '@invites/client';
import { mutate, pagedReads } from '../api';
import { useAction } from '../action';
import { deliveryNames, describeError, describeRowError, isUndeliverable, roleNames, statusNames, when } from '../errors';
import { useListing, useSelection } from '../listing';
import { subscribe } from '../live';
import { Announcer } from '../components/Announcer';
import { ConfirmDialog, type Question } from '../components/ConfirmDialog';
import { ListControls, RowFailures, SelectAll } from '../components/ListControls';
import { ErrorText, Loading } from '../components/Status';
import { MoreButton, TableFrame, maxPageSize, pageSize } from '../components/TableFrame';

type Invite = InviteFieldsFragment;
type RowResult = ResendInvitesMutation['resendInvites'][number];

const statuses: InviteStatus[] = ['PENDING', 'ACCEPTED', 'DECLINED', 'REVOKED', 'EXPIRED'];
const deliveries: DeliveryStatus[] = ['FAILED_PERMANENT', 'BOUNCED', 'COMPLAINED', 'SUPPRESSED', 'DEFERRED', 'FAILED_RETRYABLE', 'DELIVERED', 'SENT', 'QUEUED'];
// One filter, kept in ?status=: an invite's status, or its email's delivery ("delivery:" and
// the API's DeliveryStatus), as the API filters by one or the other.
const deliveryPrefix = 'delivery:';
const statusFilter = [
  ['', 'All invitations'],
  ...statuses.map((s) => [s, statusNames[s]] as const),
  ...deliveries.map((d) => [deliveryPrefix + d, `Delivery: ${deliveryNames[d]}`] as const),
] as const;

/** The API's filter arguments for the filter picked. */
function filterArguments(filter: string): { status?: InviteStatus; deliveryStatus?: DeliveryStatus } {
  if (filter.startsWith(deliveryPrefix)) return { deliveryStatus: filter.slice(deliveryPrefix.length) as DeliveryStatus };
  return { status: (filter || undefined) as InviteStatus | undefined };
}

/** The invites shown, read from the start whenever the search or filter changes, kept live. */
function useInvites(projectId: string, search: string, status: string, version: number) {
  const [invites, setInvites] = useState<Invite[] | null>(null);
  const [total, setTotal] = useState(0);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState('');
  // How many invites the person asked to see: a page, and a page more for each "Show more".
  const wanted = useRef(pageSize);
  const reach = () => Math.min(maxPageSize, wanted.current);
  // Only the answer of the latest read from the start counts, and each asks the server again
  // (a reload after a change is the same read as the one it follows); a next page asked for
  // before it continues a list that is gone (the latest read holds it, or another filter's).
  const [read] = useState(() => pagedReads(ProjectInvitesDocument));

  // after: the next page, added to the list; without it the list again from its start, first
  // items of it. Answers may come in any order: a live reload, "Show more" and a new search
  // never take back each other's rows nor show an older list.
  const load = useCallback((after?: string, first = pageSize) => {
    const variables = { id: projectId, first, after, ...filterArguments(status), search: search || undefined };
    void read(variables, Boolean(after)).then((answer) => {
      if (!answer) return; // a later read from the start answers instead
      if (!after && first < reach()) return load(undefined, reach()); // "Show more" came since
      const { data, error } = answer;
      if (!data?.project) return setError(describeError(error));
      setError('');
      const page = data.project.invites;
      setInvites((is) => [...(after && is ? is : []), ...page.edges.map((e) => e.node)]);
      setTotal(page.totalCount);
      setNext(page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? null) : null);
    });
  }, [projectId, status, search, read]);
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

  const showMore = () => {
    wanted.current += pageSize;
    if (next) load(next);
  };
  const replace = (updated: Invite[]) => {
    const byId = new Map(updated.map((i) => [i.id, i]));
    setInvites((is) => is && is.map((i) => byId.get(i.id) ?? i));
  };
  return { invites, total, next, error, showMore, replace };
}

const count = (n: number) => (n === 1 ? '1 invitation' : `${n} invitations`);

export function ProjectInvites({ projectId, version }: { projectId: string; version: number }) {
  const listing = useListing('status');
  const selection = useSelection();
  const { invites, total, next, error, showMore, replace } = useInvites(projectId, listing.search, listing.filter, version);
  const action = useAction();
  const [question, setQuestion] = useState<Question | null>(null);
  const [message, setMessage] = useState('');
  const [failures, setFailures] = useState<{ title: string; rows: { id: string; who: string; reason: string }[] }>({ title: '', rows: [] });

  // Resends or revokes picked (one invite or many), then says what was done and what was not.
  function act(picked: Invite[], resend: boolean) {
    setMessage('');
    setFailures({ title: '', rows: [] });
    void action.run(async () => {
      const ids = picked.map((i) => i.id);
      const { data, error } = resend ? await mutate(ResendInvitesDocument, { ids }) : await mutate(RevokeInvitesDocument, { ids });
      if (!data) return describeError(error);
      const results: RowResult[] = 'resendInvites' in data ? data.resendInvites : data.revokeInvites;
      replace(results.flatMap((r) => (r.invite ? [r.invite] : [])));
      const failed = results.filter((r) => r.errorCode);
      const emailOf = (id: string) => picked.find((i) => i.id === id)?.email ?? id;
      const done = results.length - failed.length;
      const rows = failed.map((r) => ({ id: r.id, who: emailOf(r.id), reason: describeRowError(r.errorCode, r.message) }));
      setFailures({ title: resend ? 'Could not resend' : 'Could not revoke', rows });
      const one = picked.length === 1 ? picked[0]!.email : '';
      const said = resend ? (one ? `Sent again to ${one}.` : `${count(done)} sent again.`) : (one ? `Invitation to ${one} revoked.` : `${count(done)} revoked.`);
      setMessage(done === 0 ? '' : failed.length ? `${said} ${failed.length} could not be: the reasons are below.` : said);
      selection.clear();
    });
  }
  function revoke(picked: Invite[]) {
    const what = picked.length === 1 ? `the invitation to ${picked[0]!.email}` : count(picked.length);
    setQuestion({
      title: `Revoke ${what}?`,
      body: <p>The link in {picked.length === 1 ? 'its email' : 'their emails'} will stop working at once. To invite {picked.length === 1 ? 'this person' : 'these people'} again, send a new invitation.</p>,
      confirm: `Revoke ${what}`,
      onConfirm: () => act(picked, false),
    });
  }

  const open = (invites ?? []).filter((i) => i.status === 'PENDING');
  const picked = open.filter((i) => selection.has(i.id));
  return (
    <section aria-labelledby="invites">
      <h2 id="invites">Invitations ({total})</h2>
      <ListControls listing={listing} searchLabel="Search invitations by email, name or external ID" filterLabel="Filter by status" options={statusFilter} />
      <Announcer message={message} />
      <ErrorText>{action.error}</ErrorText>
      <RowFailures title={failures.title} failures={failures.rows} />
      <div className="actions toolbar">
        <SelectAll selection={selection} ids={open.map((i) => i.id)} what="invitations" />
        <button type="button" className="secondary" disabled={picked.length === 0 || action.busy} onClick={() => act(picked, true)}>Resend selected</button>
        <button type="button" className="secondary" disabled={picked.length === 0 || action.busy} onClick={() => revoke(picked)}>Revoke selected</button>
      </div>
      {error ? <ErrorText>{error}</ErrorText> : invites === null ? <Loading /> : invites.length === 0 ? (
        <p>{listing.search || listing.filter ? 'No invitation matches. Try another search or status.' : 'No invitations yet: invite someone above.'}</p>
      ) : (
        <TableFrame label="Invitations">
          <table className="invites">
            <thead>
              <tr>
                <th scope="col" />
                <th scope="col">Email</th><th scope="col">Role</th><th scope="col">External ID</th><th scope="col">Status</th>
                <th scope="col">Email delivery</th><th scope="col">Expires</th><th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {invites.map((i) => (
                <tr key={i.id} className={isUndeliverable(i.deliveryStatus) ? 'undeliverable' : undefined}>
                  <td>{i.status === 'PENDING' && <input type="checkbox" aria-label={`Select ${i.email}`} checked={selection.has(i.id)} onChange={() => selection.toggle(i.id)} />}</td>
                  <th scope="row" className="email">{i.email}</th>
                  <td>{i.role ? roleNames[i.role] : ''}</td>
                  <td>{i.externalId ?? ''}</td>
                  <td className="status">{statusNames[i.status]}{i.remindersSent > 0 && <span className="muted"> (reminded)</span>}</td>
                  <td className="status">{deliveryNames[i.deliveryStatus]}</td>
                  <td><time dateTime={i.expiresAt}>{when(i.expiresAt)}</time></td>
                  <td>
                    {i.status === 'PENDING' && (
                      <div className="row-actions">
                        <button type="button" className="secondary" aria-label={`Resend to ${i.email}`} disabled={action.busy} onClick={() => act([i], true)}>Resend</button>
                        <button type="button" className="secondary" aria-label={`Revoke the invite to ${i.email}`} disabled={action.busy} onClick={() => revoke([i])}>Revoke</button>
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      )}
      {invites && next && <MoreButton shown={invites.length} total={total} what="invitations" onClick={showMore} />}
      <ConfirmDialog question={question} onClose={() => setQuestion(null)} />
    </section>
  );
}
