// What createClient hands a subscription transport, and the one way both transports (graphql-ws
// in websocket.ts, graphql-sse in sse.ts) forward urql's subscriptions to their client.
import type { SubscriptionForwarder } from '@urql/core';

/** A session token, or a function that gives the current one (read before each request). */
export type TokenSource = string | null | undefined | (() => string | null | undefined);

/** Where a transport sends subscriptions, and as whom. */
export interface SubscriptionEndpoint {
  /** The client's GraphQL endpoint (http or https; relative in a browser). */
  url: string;
  /** The current session token, or undefined when signed out. */
  token: () => string | undefined;
  /** The fetch that createClient was given, if any. */
  fetch?: typeof fetch;
}

/**
 * Carries subscriptions for urql's subscriptionExchange: websocket() (graphql-ws) and sse()
 * (graphql-sse, from '@invites/client/sse') make one.
 */
export type SubscriptionTransport = (endpoint: SubscriptionEndpoint) => SubscriptionForwarder;

/** A graphql-ws or graphql-sse client, as far as forwarding a subscription needs it. */
interface SubscribingClient {
  subscribe(
    payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null; extensions?: Record<string, unknown> | null },
    sink: { next(value: never): void; error(error: unknown): void; complete(): void },
  ): () => void;
}

/** urql's forwardSubscription for a client that clientFor gives at each new subscription. */
export function forwardTo(clientFor: () => SubscribingClient): SubscriptionForwarder {
  return (request) => ({
    subscribe(sink) {
      const unsubscribe = clientFor().subscribe({ ...request, query: request.query ?? '' }, sink);
      return { unsubscribe };
    },
  });
}
