// Live updates: one graphql-ws connection (the graphql-transport-ws protocol) to this server's
// /graphql, opened when the first subscription starts and closed when the last ends, with the
// session's token in connection_init's payload.
import { createClient, type Client } from 'graphql-ws';
import { stringifyDocument, type AnyVariables, type TypedDocumentNode } from '@urql/core';
import { sessionToken } from './api';

let client: Client | null = null;

function liveClient(): Client {
  if (!client) {
    const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/graphql`;
    client = createClient({
      url,
      lazy: true,
      connectionParams: () => {
        const token = sessionToken();
        return token ? { Authorization: `Bearer ${token}` } : {};
      },
    });
  }
  return client;
}

/**
 * Runs a subscription, calling onData with each result's data, and returns what stops it. The
 * stream ends when the viewer may no longer see it (onEnd is called then, as on an error).
 */
export function subscribe<Data, Variables extends AnyVariables>(
  doc: TypedDocumentNode<Data, Variables>, variables: Variables, onData: (data: Data) => void, onEnd?: () => void,
): () => void {
  return liveClient().subscribe<Data>(
    { query: stringifyDocument(doc), variables: variables as Record<string, unknown> },
    {
      next: (r) => { if (r.data) onData(r.data as Data); },
      error: () => onEnd?.(),
      complete: () => onEnd?.(),
    },
  );
}
