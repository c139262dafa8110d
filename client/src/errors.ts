// Reading the `extensions` of the GraphQL errors inside whatever error a GraphQL client gives.
// Each client wraps the server's `errors` in an object of its own; their shapes are matched here
// by structure (as the libraries document them), so this package depends on none of them and
// each helper takes the error as `unknown`: what a `catch` gives, or a result's `error`.
//   urql                  CombinedError.graphQLErrors (also for a 4xx answer with a GraphQL body)
//   Apollo Client 3       ApolloError.graphQLErrors, or networkError.result.errors for a non-2xx answer
//   Apollo Client 4       CombinedGraphQLErrors.errors (and CombinedProtocolErrors.errors);
//                         ServerError.bodyText for a non-2xx answer that is not
//                         application/graphql-response+json
//   graphql-request       ClientError.response.errors
//   Relay                 the network error's source.errors (relay-runtime's "No data returned")

/** One GraphQL error as the server sends it. */
export interface GraphQLErrorLike {
  readonly message: string;
  readonly extensions?: { readonly [key: string]: unknown } | null;
}

/** How deep graphQLErrorsOf follows networkError and cause: far enough for every client above. */
const maxDepth = 4;

/**
 * Every GraphQL error inside error, in the server's order; [] for anything else (a network
 * failure, null, a string).
 */
export function graphQLErrorsOf(error: unknown): GraphQLErrorLike[] {
  return errorsWithin(error, maxDepth);
}

function errorsWithin(error: unknown, depth: number): GraphQLErrorLike[] {
  if (depth === 0 || !isObject(error)) return [];
  const found =
    graphQLErrorList(error['graphQLErrors']) ?? // urql, Apollo Client 3
    graphQLErrorList(error['errors']) ?? // Apollo Client 4, a plain GraphQL response
    graphQLErrorList(field(error['response'], 'errors')) ?? // graphql-request
    graphQLErrorList(field(error['result'], 'errors')) ?? // Apollo Client 3's ServerError
    graphQLErrorList(field(error['source'], 'errors')) ?? // Relay
    graphQLErrorList(field(parsedBody(error['bodyText']), 'errors')); // Apollo Client 4's ServerError
  if (found) return found;
  for (const inner of [error['networkError'], error['cause']]) {
    const errors = errorsWithin(inner, depth - 1);
    if (errors.length > 0) return errors;
  }
  return [];
}

/** The GraphQL errors in value when it is a non-empty array of them, else undefined. */
function graphQLErrorList(value: unknown): GraphQLErrorLike[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const errors = value.filter((e): e is GraphQLErrorLike => isObject(e) && typeof e['message'] === 'string');
  return errors.length > 0 ? errors : undefined;
}

/** A response body's JSON, or undefined when it is not JSON. */
function parsedBody(bodyText: unknown): unknown {
  if (typeof bodyText !== 'string') return undefined;
  try {
    return JSON.parse(bodyText) as unknown;
  } catch {
    return undefined;
  }
}

function field(value: unknown, name: string): unknown {
  return isObject(value) ? value[name] : undefined;
}

function isObject(value: unknown): value is { readonly [key: string]: unknown } {
  return typeof value === 'object' && value !== null;
}

/** The string extensions[name] of each GraphQL error in error that has one, in order. */
function extensionStrings(error: unknown, name: string): string[] {
  return graphQLErrorsOf(error).flatMap((e) => {
    const value = e.extensions?.[name];
    return typeof value === 'string' ? [value] : [];
  });
}

/**
 * The `extensions.code` of every GraphQL error in error (UNAUTHENTICATED, BAD_USER_INPUT,
 * LAST_OWNER, ...: the list is in the server's docs/api.md), in order.
 */
export function errorCodes(error: unknown): string[] {
  return extensionStrings(error, 'code');
}

/** The first error's `extensions.code`, or undefined when there is none (or no error). */
export function errorCode(error: unknown): string | undefined {
  return errorCodes(error)[0];
}

/**
 * The `extensions.field` of the first error that names one: the input at fault
 * (BAD_USER_INPUT).
 */
export function errorField(error: unknown): string | undefined {
  return extensionStrings(error, 'field')[0];
}

/**
 * The `extensions.reason` of the first error that gives one: which case of its code it is
 * (LINK_REPLACED: an invite link that a newer email replaced).
 */
export function errorReason(error: unknown): string | undefined {
  return extensionStrings(error, 'reason')[0];
}
