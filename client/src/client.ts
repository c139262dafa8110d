// An urql client set up for the Invites API, and reading the `extensions.code` of its errors.
// urql sends each operation as JSON, or as a GraphQL multipart request when a variable holds a
// File or Blob (bulkInvite's `input.csv`); the generated documents give it the result and
// variables types.
import { Client, cacheExchange, fetchExchange, type Exchange } from '@urql/core';

/** Where `make run` serves the API. */
export const defaultUrl = 'http://localhost:8080/graphql';

/** How createClient reaches the API. */
export interface InvitesClientOptions {
  /** The GraphQL endpoint; defaultUrl when left out. */
  url?: string;
  /**
   * The session token from signUp or logIn, sent as `Authorization: Bearer <token>`; or a
   * function asked before each request, so that one client serves before and after logging in.
   * Empty, null or undefined: the request goes without one.
   */
  token?: string | null | (() => string | null | undefined);
  /** urql's exchanges; [cacheExchange, fetchExchange] when left out. */
  exchanges?: Exchange[];
  /** A fetch to use in place of the global one. */
  fetch?: typeof fetch;
}

/**
 * An urql Client for the Invites API:
 * `await client.query(ProjectsDocument, { first: 20 }).toPromise()` gives a result whose `data`
 * is a ProjectsQuery and whose `error` is urql's CombinedError (see errorCode).
 */
export function createClient({ url = defaultUrl, token, exchanges, fetch }: InvitesClientOptions = {}): Client {
  return new Client({
    url,
    exchanges: exchanges ?? [cacheExchange, fetchExchange],
    ...(fetch ? { fetch } : {}),
    // POST for every operation: a request that carries a bearer token gains nothing from GET's
    // HTTP caching, and one method keeps proxies' and the server's logs alike.
    preferGetMethod: false,
    fetchOptions: () => {
      const current = typeof token === 'function' ? token() : token;
      return current ? { headers: { Authorization: `Bearer ${current}` } } : {};
    },
  });
}

/** One GraphQL error as urql, Apollo Client and the wire all carry it. */
interface GraphQLErrorLike {
  readonly message: string;
  readonly extensions?: { readonly [key: string]: unknown } | null;
}

/**
 * An error from an urql result (CombinedError) or from Apollo Client (ApolloError): their
 * `graphQLErrors`, and for a non-2xx answer Apollo's `networkError.result.errors`.
 */
export interface ErrorWithGraphQLErrors {
  readonly graphQLErrors?: ReadonlyArray<GraphQLErrorLike>;
  readonly networkError?: unknown;
}

/** Every GraphQL error the error holds, in order. */
export function graphQLErrorsOf(error: ErrorWithGraphQLErrors | null | undefined): GraphQLErrorLike[] {
  if (!error) return [];
  const errors = [...(error.graphQLErrors ?? [])];
  const result = (error.networkError as { result?: unknown } | null | undefined)?.result;
  const fromNetwork = (result as { errors?: unknown } | null | undefined)?.errors;
  if (errors.length === 0 && Array.isArray(fromNetwork)) errors.push(...(fromNetwork as GraphQLErrorLike[]));
  return errors;
}

/**
 * The `extensions.code` of every GraphQL error in the error (UNAUTHENTICATED, BAD_USER_INPUT,
 * LAST_OWNER, ...: the list is at the top of schema.graphqls), in order.
 */
export function errorCodes(error: ErrorWithGraphQLErrors | null | undefined): string[] {
  return graphQLErrorsOf(error).flatMap((e) => {
    const code = e.extensions?.['code'];
    return typeof code === 'string' ? [code] : [];
  });
}

/** The first error's `extensions.code`, or undefined when there is none (or no error). */
export function errorCode(error: ErrorWithGraphQLErrors | null | undefined): string | undefined {
  return errorCodes(error)[0];
}

/** The `extensions.reason` of the first error that gives one: which case of its code it is
 * (LINK_REPLACED: an invite link that a newer email replaced). */
export function errorReason(error: ErrorWithGraphQLErrors | null | undefined): string | undefined {
  for (const e of graphQLErrorsOf(error)) {
    const reason = e.extensions?.['reason'];
    if (typeof reason === 'string') return reason;
  }
  return undefined;
}

/** The `extensions.field` of the first error that names one: the input at fault (BAD_USER_INPUT). */
export function errorField(error: ErrorWithGraphQLErrors | null | undefined): string | undefined {
  for (const e of graphQLErrorsOf(error)) {
    const field = e.extensions?.['field'];
    if (typeof field === 'string') return field;
  }
  return undefined;
}
