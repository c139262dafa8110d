// An urql client set up for the Invites API. urql sends each query and mutation as JSON, or as
// a GraphQL multipart request when a variable holds a File or Blob (bulkInvite's `input.csv`);
// subscriptions go over graphql-ws (websocket.ts), or over server-sent events with
// '@invites/client/sse'. The generated documents give it the result and variables types.
import { Client, cacheExchange, fetchExchange, subscriptionExchange, type Exchange } from '@urql/core';
import type { SubscriptionTransport, TokenSource } from './transport.js';
import { websocket } from './websocket.js';

/** Where `make run` serves the API. */
export const defaultUrl = 'http://localhost:8080/graphql';

/** How createClient reaches the API. */
export interface InvitesClientOptions {
  /** The GraphQL endpoint, absolute or (in a browser) relative to the page; defaultUrl when left out. */
  url?: string;
  /**
   * The session token from signUp or logIn, sent as `Authorization: Bearer <token>` (and in a
   * WebSocket's connection_init payload); or a function asked before each request, so that one
   * client serves before and after logging in. Empty, null or undefined: sent without one.
   */
  token?: TokenSource;
  /**
   * How subscriptions reach the server: websocket() (graphql-ws, the default), sse() from
   * '@invites/client/sse', or false for none.
   */
  subscriptions?: SubscriptionTransport | false;
  /** urql's exchanges, replacing [cacheExchange, fetchExchange, and the subscriptions' exchange]. */
  exchanges?: Exchange[];
  /** A fetch to use in place of the global one. */
  fetch?: typeof fetch;
}

/**
 * An urql Client for the Invites API:
 * `await client.query(ProjectsDocument, { first: 20 }).toPromise()` gives a result whose `data`
 * is a ProjectsQuery and whose `error` is urql's CombinedError (see errorCode), and
 * `client.subscription(InviteChangedDocument, { projectId })` a source of InviteChangedSubscription.
 */
export function createClient({ url = defaultUrl, token, subscriptions, exchanges, fetch }: InvitesClientOptions = {}): Client {
  const currentToken = () => (typeof token === 'function' ? token() : token) || undefined;
  return new Client({
    url,
    exchanges: exchanges ?? defaultExchanges(url, currentToken, subscriptions ?? websocket(), fetch),
    ...(fetch ? { fetch } : {}),
    // POST for every operation: a request that carries a bearer token gains nothing from GET's
    // HTTP caching, and one method keeps proxies' and the server's logs alike.
    preferGetMethod: false,
    fetchOptions: () => {
      const current = currentToken();
      return current ? { headers: { Authorization: `Bearer ${current}` } } : {};
    },
  });
}

function defaultExchanges(url: string, token: () => string | undefined, subscriptions: SubscriptionTransport | false,
  fetch: typeof globalThis.fetch | undefined): Exchange[] {
  const exchanges = [cacheExchange, fetchExchange];
  if (subscriptions) {
    exchanges.push(subscriptionExchange({ forwardSubscription: subscriptions({ url, token, ...(fetch ? { fetch } : {}) }) }));
  }
  return exchanges;
}
