// The error readers against the very objects each GraphQL client makes: urql, Apollo Client 3
// and 4, graphql-request and Relay each send an operation through a fetch that answers as the
// server does (no network), and errorCode & co. read the error the library reports.
// make client runs it: `node --test test/dist/errors.test.js`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApolloClient as Apollo3, HttpLink as HttpLink3, InMemoryCache as Cache3 } from '@apollo/client/core/index.js';
import { ApolloClient as Apollo4, HttpLink as HttpLink4, InMemoryCache as Cache4 } from '@apollo/client-4';
import { Client as UrqlClient, fetchExchange } from '@urql/core';
import { GraphQLClient } from 'graphql-request';
import { Environment, Network, RecordSource, Store, fetchQuery, type ConcreteRequest } from 'relay-runtime';
import { MeDocument, errorCode, errorCodes, errorField, errorReason, graphQLErrorsOf } from '@invites/client';

/** An answer of the server's: status, media type and body. */
interface Answer {
  status: number;
  type: string;
  body: object;
}

/** The answers the server gives, and what the readers must find in each. */
const answers: { name: string; answer: Answer; codes: string[]; field?: string; reason?: string }[] = [
  {
    name: 'a resolver error over application/json (HTTP 200)',
    answer: { status: 200, type: 'application/json', body: { errors: [{ message: 'name: 1 to 200 characters', path: ['me'], extensions: { code: 'BAD_USER_INPUT', field: 'name' } }], data: null } },
    codes: ['BAD_USER_INPUT'],
    field: 'name',
  },
  {
    name: 'a request error as application/graphql-response+json (HTTP 400)',
    answer: { status: 400, type: 'application/graphql-response+json', body: { errors: [{ message: 'Cannot query field "x" on type "User".', extensions: { code: 'BAD_USER_INPUT' } }] } },
    codes: ['BAD_USER_INPUT'],
  },
  {
    name: 'two errors, the second with a reason',
    answer: {
      status: 200,
      type: 'application/json',
      body: { errors: [{ message: 'not found', extensions: { code: 'NOT_FOUND' } }, { message: 'replaced', extensions: { code: 'NOT_FOUND', reason: 'LINK_REPLACED' } }], data: null },
    },
    codes: ['NOT_FOUND', 'NOT_FOUND'],
    reason: 'LINK_REPLACED',
  },
  {
    name: 'the database down (HTTP 503, application/json)',
    answer: { status: 503, type: 'application/json', body: { errors: [{ message: 'the database cannot be reached', extensions: { code: 'UNAVAILABLE' } }] } },
    codes: ['UNAVAILABLE'],
  },
];

/** A fetch that gives answer to every request. */
function answering(answer: Answer): typeof fetch {
  return async () => new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'Content-Type': answer.type } });
}

const url = 'http://invites.test/graphql';

/** How each client sends MeDocument and what error it reports (undefined when none). */
const clients: Record<string, (fetch: typeof globalThis.fetch) => Promise<unknown>> = {
  async urql(fetch) {
    const client = new UrqlClient({ url, exchanges: [fetchExchange], fetch });
    return (await client.query(MeDocument, {}).toPromise()).error;
  },
  'Apollo Client 3': (fetch) =>
    new Apollo3({ link: new HttpLink3({ uri: url, fetch }), cache: new Cache3() })
      .query({ query: MeDocument, fetchPolicy: 'no-cache' })
      .then(() => undefined, (e: unknown) => e),
  'Apollo Client 4': (fetch) =>
    new Apollo4({ link: new HttpLink4({ uri: url, fetch }), cache: new Cache4() })
      .query({ query: MeDocument, fetchPolicy: 'no-cache' })
      .then(() => undefined, (e: unknown) => e),
  'graphql-request': (fetch) =>
    new GraphQLClient(url, { fetch }).request(MeDocument).then(() => undefined, (e: unknown) => e),
  // Relay: the app's own fetch function hands the body over, whatever the status.
  Relay(fetch) {
    const network = Network.create(async (request, variables) => {
      const response = await fetch(url, { method: 'POST', body: JSON.stringify({ query: request.text, variables }) });
      return await response.json();
    });
    const environment = new Environment({ network, store: new Store(new RecordSource()) });
    return fetchQuery(environment, relayMeQuery, {}).toPromise().then(() => undefined, (e: unknown) => e);
  },
};

/** `query errorsTestQuery { me { id } }` as relay-compiler would emit it. */
const relayMeQuery: ConcreteRequest = (() => {
  const selections = [{ kind: 'LinkedField', name: 'me', alias: null, args: null, concreteType: 'User', plural: false, storageKey: null, selections: [{ kind: 'ScalarField', name: 'id', alias: null, args: null, storageKey: null }] }];
  return {
    kind: 'Request',
    fragment: { kind: 'Fragment', name: 'errorsTestQuery', type: 'Query', metadata: null, argumentDefinitions: [], selections, abstractKey: null },
    operation: { kind: 'Operation', name: 'errorsTestQuery', argumentDefinitions: [], selections },
    params: { cacheID: 'errorsTestQuery', id: null, metadata: {}, name: 'errorsTestQuery', operationKind: 'query', text: 'query errorsTestQuery { me { id } }' },
  } as ConcreteRequest;
})();

for (const [client, send] of Object.entries(clients)) {
  for (const { name, answer, codes, field, reason } of answers) {
    test(`${client}: ${name}`, async () => {
      const error = await send(answering(answer));
      assert.ok(error, 'no error reported');
      assert.deepEqual(errorCodes(error), codes);
      assert.equal(errorCode(error), codes[0]);
      assert.equal(errorField(error), field);
      assert.equal(errorReason(error), reason);
      assert.deepEqual(graphQLErrorsOf(error).map((e) => e.message), (answer.body as { errors: { message: string }[] }).errors.map((e) => e.message));
    });
  }
}

test('nothing to read: no error, a network failure, a string', () => {
  for (const error of [undefined, null, new TypeError('fetch failed'), 'offline', { errors: [] }, { graphQLErrors: [{ code: 'X' }] }]) {
    assert.deepEqual(errorCodes(error), [], `errorCodes(${String(error)})`);
    assert.equal(errorCode(error), undefined);
  }
});
