// The app's one connection to the API: the typed client from client/, at this server's
// /graphql, with the session's bearer token read from localStorage before each request.
import { createClient, errorCode } from '@invites/client';
import { fetchExchange, type AnyVariables, type CombinedError, type OperationResult, type TypedDocumentNode } from '@urql/core';

const tokenKey = 'invites.session';

/** The session token kept by the app, or null when signed out. */
export function sessionToken(): string | null {
  try {
    return window.localStorage.getItem(tokenKey);
  } catch {
    return null; // storage turned off: every request goes anonymous
  }
}

/** Keeps (or, with null, forgets) the session token. */
export function keepSessionToken(token: string | null): void {
  try {
    if (token) window.localStorage.setItem(tokenKey, token);
    else window.localStorage.removeItem(tokenKey);
  } catch {
    // nothing to keep it in
  }
}

// No cache exchange: every page shows what the server says now.
export const client = createClient({ url: '/graphql', token: sessionToken, exchanges: [fetchExchange] });

/** What query and mutate give: the data, or the error that stopped it. */
export interface Answer<Data> {
  data?: Data;
  error?: CombinedError;
}

const endedListeners = new Set<() => void>();

/** Calls listener whenever the API refuses the kept token (the session ended); returns the unsubscribe. */
export function onSessionEnded(listener: () => void): () => void {
  endedListeners.add(listener);
  return () => endedListeners.delete(listener);
}

function answer<Data>(r: OperationResult<Data>): Answer<Data> {
  if (errorCode(r.error) === 'UNAUTHENTICATED' && sessionToken()) {
    keepSessionToken(null);
    endedListeners.forEach((l) => l());
  }
  return r.error ? { error: r.error, data: r.data ?? undefined } : { data: r.data ?? undefined };
}

export async function query<Data, Variables extends AnyVariables>(doc: TypedDocumentNode<Data, Variables>, variables: Variables): Promise<Answer<Data>> {
  return answer(await client.query(doc, variables, { requestPolicy: 'network-only' }).toPromise());
}

/**
 * Reads of one list where only the latest counts: each read ends the one before it, which then
 * answers null. Ending it tears its request down; without that, urql would give a newer read
 * of the same variables the older one's answer, still on its way, instead of asking again.
 */
export function latestReads<Data, Variables extends AnyVariables>(doc: TypedDocumentNode<Data, Variables>): (variables: Variables) => Promise<Answer<Data> | null> {
  let end = () => {};
  return (variables) => {
    end();
    return new Promise((resolve) => {
      let done = false;
      let sub: { unsubscribe(): void } | undefined;
      const finish = (a: Answer<Data> | null) => {
        if (done) return;
        done = true;
        sub?.unsubscribe();
        resolve(a);
      };
      sub = client.query(doc, variables, { requestPolicy: 'network-only' }).subscribe((r) => finish(answer(r)));
      if (done) sub.unsubscribe();
      end = () => finish(null);
    });
  };
}

/**
 * Reads of a list a page at a time: from its start through latestReads, a next page (after a
 * cursor) on its own. A next page answers null, too, when the list has been read from its start
 * again since it was asked for: it continues a list that is gone.
 */
export function pagedReads<Data, Variables extends AnyVariables>(doc: TypedDocumentNode<Data, Variables>): (variables: Variables, nextPage: boolean) => Promise<Answer<Data> | null> {
  const fromStart = latestReads(doc);
  let listings = 0;
  return async (variables, nextPage) => {
    const listing = nextPage ? listings : ++listings;
    const a = await (nextPage ? query(doc, variables) : fromStart(variables));
    return a && listing === listings ? a : null;
  };
}

export async function mutate<Data, Variables extends AnyVariables>(doc: TypedDocumentNode<Data, Variables>, variables: Variables): Promise<Answer<Data>> {
  return answer(await client.mutation(doc, variables).toPromise());
}
