// /projects/<id>/webhooks: an admin's webhook endpoints (at most WEBHOOK_ENDPOINT_LIMIT: the
// server's refusal says so) — add one (with the event types it wants), rotate its secret
// (shown once), turn it off or on, remove it, and read its delivery log a page at a time,
// retrying a failed delivery.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import {
  CreateWebhookEndpointDocument, DeleteWebhookEndpointDocument, ProjectWebhooksDocument, RetryWebhookDeliveryDocument,
  RotateWebhookSecretDocument, UpdateWebhookEndpointDocument, WebhookDeliveriesDocument, type ProjectFieldsFragment,
  type ProjectWebhooksQuery,
} from '@invites/client';
import { latestReads, mutate, query } from '../api';
import { describeError, when } from '../errors';
import { ErrorText, Loading } from '../components/Status';
import { MoreButton, TableFrame } from '../components/TableFrame';
import { ProjectFrame } from '../components/ProjectFrame';

type Endpoint = NonNullable<ProjectWebhooksQuery['project']>['webhookEndpoints'][number];
type DeliveryPage = Endpoint['deliveries'];

/** Deliveries shown per endpoint, and added by each "Show more": the API prices each listed
 * endpoint's page at the endpoint cap (20) times its size, so a page of 10 keeps the listing
 * of every endpoint within the query cost limit. */
const deliveryPage = 10;

/** The event types an endpoint may ask for (SPEC §13). */
const eventTypes = [
  'invite.created', 'invite.resent', 'invite.reminded', 'invite.accepted', 'invite.declined', 'invite.revoked', 'invite.expired',
  'invite.delivery_failed', 'member.joined', 'member.updated', 'member.removed', 'member.left', 'project.ownership_transferred',
  'invite_link.created', 'invite_link.revoked', 'bulk_invite.completed',
  'join_request.created', 'join_request.approved', 'join_request.denied',
];

const statusNames = { PENDING: 'Pending', SUCCEEDED: 'Delivered', FAILED: 'Failed' } as const;

export function WebhooksPage({ id }: { id: string }) {
  return (
    <ProjectFrame id={id} tab="webhooks">
      {(project) => <Webhooks project={project} />}
    </ProjectFrame>
  );
}

function Webhooks({ project }: { project: ProjectFieldsFragment }) {
  const [endpoints, setEndpoints] = useState<Endpoint[] | undefined>(undefined);
  const [error, setError] = useState('');
  // The secret just made, shown once.
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);

  // Only the latest read counts: a slow earlier one (the first load, a refresh) must not answer
  // the read that follows a change with the older list.
  const [read] = useState(() => latestReads(ProjectWebhooksDocument));

  async function load() {
    const answer = await read({ projectId: project.id, first: deliveryPage });
    if (!answer) return; // a later read answers instead
    const { data, error } = answer;
    if (!data?.project) {
      setError(describeError(error));
      return;
    }
    setEndpoints(data.project.webhookEndpoints);
  }
  useEffect(() => { void load(); }, [project.id]);

  async function act(run: () => Promise<{ error?: Parameters<typeof describeError>[0] }>) {
    setError('');
    const { error } = await run();
    if (error) setError(describeError(error));
    await load();
  }

  return (
    <>
      <AddEndpoint projectId={project.id} onAdded={(url, s) => { setSecret({ url, secret: s }); void load(); }} />
      {secret && (
        <section aria-labelledby="secret" className="notice">
          <h2 id="secret">Signing secret</h2>
          <p>The secret of {secret.url}, shown only now: keep it where your receiver checks signatures.</p>
          <p><code>{secret.secret}</code></p>
        </section>
      )}
      {error && <ErrorText>{error}</ErrorText>}
      <section aria-labelledby="endpoints">
        <h2 id="endpoints">Endpoints</h2>
        {endpoints === undefined ? <Loading /> : endpoints.length === 0 ? <p>No endpoints yet.</p> : endpoints.map((ep) => (
          <article key={ep.id} aria-label={`Endpoint ${ep.url}`}>
            <h3 className="email">{ep.url}</h3>
            <p className="muted">{ep.enabled ? 'Enabled' : 'Disabled'} · {ep.events.length === 0 ? 'all events' : ep.events.join(', ')}</p>
            <div className="actions">
              <button type="button" className="secondary" onClick={() => void act(() => mutate(UpdateWebhookEndpointDocument, { input: { id: ep.id, enabled: !ep.enabled } }))}>
                {ep.enabled ? 'Disable' : 'Enable'}
              </button>
              <button type="button" className="secondary" onClick={() => void act(async () => {
                const r = await mutate(RotateWebhookSecretDocument, { id: ep.id });
                if (r.data) setSecret({ url: ep.url, secret: r.data.rotateWebhookSecret.secret });
                return r;
              })}>Rotate secret</button>
              <button type="button" className="secondary" onClick={() => void act(() => mutate(DeleteWebhookEndpointDocument, { id: ep.id }))}>Remove</button>
              <button type="button" className="secondary" onClick={() => void load()}>Refresh</button>
            </div>
            <Deliveries endpoint={ep} onRetry={(d) => void act(() => mutate(RetryWebhookDeliveryDocument, { id: d }))} />
          </article>
        ))}
      </section>
    </>
  );
}

function AddEndpoint({ projectId, onAdded }: { projectId: string; onAdded: (url: string, secret: string) => void }) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    const { data, error } = await mutate(CreateWebhookEndpointDocument, { input: { projectId, url: url.trim(), events } });
    setBusy(false);
    if (!data) {
      setError(describeError(error));
      return;
    }
    setUrl('');
    setEvents([]);
    onAdded(data.createWebhookEndpoint.endpoint.url, data.createWebhookEndpoint.secret);
  }

  return (
    <section aria-labelledby="add-endpoint">
      <h2 id="add-endpoint">Add an endpoint</h2>
      <form onSubmit={submit}>
        <label>URL <input type="url" required value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.com/hooks/invites" /></label>
        <fieldset>
          <legend>Events (none checked: all)</legend>
          {eventTypes.map((t) => (
            <label key={t} className="check">
              <input type="checkbox" checked={events.includes(t)}
                onChange={(e) => setEvents(e.target.checked ? [...events, t] : events.filter((x) => x !== t))} /> {t}
            </label>
          ))}
        </fieldset>
        {error && <ErrorText>{error}</ErrorText>}
        <button type="submit" disabled={busy}>Add endpoint</button>
      </form>
    </section>
  );
}

function Deliveries({ endpoint, onRetry }: { endpoint: Endpoint; onRetry: (id: string) => void }) {
  // The endpoint's first page comes with the listing; older pages are added here, and dropped
  // when the listing is loaded again.
  const [older, setOlder] = useState<DeliveryPage | null>(null);
  const [error, setError] = useState('');
  // A page asked for before the listing was loaded again continues a log that is gone.
  const listings = useRef(0);
  useEffect(() => {
    listings.current++;
    setOlder(null);
  }, [endpoint.deliveries]);
  const { totalCount } = endpoint.deliveries;
  const edges = older ? [...endpoint.deliveries.edges, ...older.edges] : endpoint.deliveries.edges;
  const pageInfo = (older ?? endpoint.deliveries).pageInfo;

  async function showMore() {
    setError('');
    const listing = listings.current;
    const { data, error } = await query(WebhookDeliveriesDocument, { id: endpoint.id, first: deliveryPage, after: pageInfo.endCursor });
    if (listing !== listings.current) return;
    const node = data?.node;
    if (node?.__typename !== 'WebhookEndpoint') {
      setError(describeError(error));
      return;
    }
    setOlder({ ...node.deliveries, edges: [...(older?.edges ?? []), ...node.deliveries.edges] });
  }

  if (totalCount === 0) return <p className="muted">No deliveries yet.</p>;
  return (
    <>
      <TableFrame label={`Deliveries to ${endpoint.url}`}>
        <table>
          <caption>Deliveries ({totalCount}), newest first</caption>
          <thead>
            <tr><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Answer</th><th scope="col">Queued</th><th scope="col">Actions</th></tr>
          </thead>
          <tbody>
            {edges.map(({ node: d }) => (
              <tr key={d.id} className={d.status === 'FAILED' ? 'undeliverable' : undefined}>
                <th scope="row">{d.eventType}</th>
                <td>{statusNames[d.status]}</td>
                <td>{d.attempts}</td>
                <td>{d.responseStatus ?? '—'}</td>
                <td>{when(d.createdAt)}</td>
                <td>{d.status === 'FAILED' && (
                  <button type="button" className="secondary" aria-label={`Retry the ${d.eventType} delivery`} onClick={() => onRetry(d.id)}>Retry</button>
                )}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableFrame>
      {error && <ErrorText>{error}</ErrorText>}
      {pageInfo.hasNextPage && <MoreButton shown={edges.length} total={totalCount} what="deliveries" onClick={() => void showMore()} />}
    </>
  );
}
