import { createClient, errorCode, InviteChangedDocument, websocket } from '@invites/client';
import { sse } from '@invites/client/sse';
import WebSocket from 'ws';

const url = 'https://invites.example/graphql';
const token = () => localStorage.getItem('token');

// Over WebSocket (graphql-ws), the default: wss://invites.example/graphql.
const client = createClient({ url, token });

/** Shows each change to the project's invites, until the function it returns is called. */
export function watchInvites(projectId: string, show: (line: string) => void): () => void {
  const { unsubscribe } = client.subscription(InviteChangedDocument, { projectId }).subscribe(({ data, error }) => {
    if (data) show(`${data.inviteChanged.email}: ${data.inviteChanged.status}, ${data.inviteChanged.deliveryStatus}`);
    else show(`stopped: ${errorCode(error) ?? error?.message}`); // FORBIDDEN: no longer an admin
  });
  return unsubscribe;
}

// Over server-sent events (graphql-sse), where no WebSocket gets through.
export const sseClient = createClient({ url, token, subscriptions: sse() });

// On node 20, which has no WebSocket of its own: the ws package's.
export const nodeClient = createClient({ url, token, subscriptions: websocket({ webSocketImpl: WebSocket }) });
