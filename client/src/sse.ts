// '@invites/client/sse': subscriptions over server-sent events with graphql-sse (GraphQL over
// SSE, distinct connections mode: one POST per subscription), the session token in the
// Authorization header like any request. graphql-sse is needed only by this entry point.
import { createClient as createSSEClient } from 'graphql-sse';
import { forwardTo, type SubscriptionTransport } from './transport.js';

/** Options of sse(). */
export interface SSEOptions {
  /** The endpoint for the event streams; the client's url when left out. */
  url?: string;
}

/**
 * Subscriptions over server-sent events, for networks that let no WebSocket through:
 * `createClient({ url, token, subscriptions: sse() })`.
 */
export function sse({ url: sseUrl }: SSEOptions = {}): SubscriptionTransport {
  return ({ url, token, fetch }) => {
    const client = createSSEClient({
      url: sseUrl ?? url,
      headers: (): Record<string, string> => {
        const now = token();
        return now ? { Authorization: `Bearer ${now}` } : {};
      },
      ...(fetch ? { fetchFn: fetch } : {}),
    });
    return forwardTo(() => client);
  };
}
