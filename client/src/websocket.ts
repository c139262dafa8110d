// Subscriptions over WebSocket with graphql-ws (the graphql-transport-ws protocol), the session
// token in connection_init's payload as `Authorization: Bearer <token>`, where the server reads
// it (graph/live.go's wsInit).
import { createClient as createWSClient, type Client as WSClient } from 'graphql-ws/client';
import { forwardTo, type SubscriptionTransport } from './transport.js';

/** Options of websocket(). */
export interface WebSocketOptions {
  /** The WebSocket endpoint; the client's url with http(s) turned into ws(s) when left out. */
  url?: string;
  /**
   * A WebSocket class for runtimes without a global one: on node 20, the `ws` package's default
   * export (node 22 and browsers have their own).
   */
  webSocketImpl?: unknown;
}

/**
 * Subscriptions over graphql-ws, createClient's default. The socket opens at the first
 * subscription and closes after the last one ends; a subscription started after the token
 * changed (logging in or out) opens a socket of its own with the new token.
 */
export function websocket({ url: wsUrl, webSocketImpl }: WebSocketOptions = {}): SubscriptionTransport {
  return ({ url, token }) => {
    // Made at the first subscription, not before: graphql-ws refuses to start where no
    // WebSocket exists, and a client used only for queries (on a server, say) needs none.
    let current: { token: string | undefined; client: WSClient } | undefined;
    return forwardTo(() => {
      const now = token();
      if (!current || current.token !== now) {
        current = {
          token: now,
          client: createWSClient({
            url: webSocketUrl(wsUrl ?? url),
            connectionParams: now ? { Authorization: `Bearer ${now}` } : {},
            ...(webSocketImpl ? { webSocketImpl } : {}),
          }),
        };
      }
      return current.client;
    });
  };
}

/** url as a ws: or wss: URL, resolved against the page's address when it is relative. */
function webSocketUrl(url: string): string {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  let u: URL;
  try {
    u = new URL(url, base);
  } catch {
    throw new Error(`@invites/client: cannot subscribe at ${JSON.stringify(url)}: give createClient an absolute url outside a browser`);
  }
  u.protocol = u.protocol === 'https:' ? 'wss:' : u.protocol === 'http:' ? 'ws:' : u.protocol;
  return u.href;
}
