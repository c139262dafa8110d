// A typed fetch for the Invites API: the result and variables types come from the document,
// so `request(BulkInviteDocument, { input })` is checked against the schema at compile time.
import type { DocumentString } from './generated/documents';

/** Where `make run` serves the API. */
export const defaultEndpoint = 'http://localhost:8080/graphql';

/** One entry of a GraphQL response's `errors`. */
export interface GraphQLErrorEntry {
  message: string;
  path?: ReadonlyArray<string | number>;
  /** `code` is one of the codes listed at the top of schema.graphqls; `field` names the input at fault. */
  extensions?: { code?: string; field?: string; [key: string]: unknown };
}

/** A response that carried errors (or was not GraphQL at all). */
export class GraphQLRequestError extends Error {
  constructor(
    readonly errors: GraphQLErrorEntry[],
    /** The HTTP status. */
    readonly status: number,
  ) {
    super(errors.map((e) => e.message).join('; ') || `HTTP ${status}`);
    this.name = 'GraphQLRequestError';
  }

  /** The first error's `extensions.code`, such as UNAUTHENTICATED or BAD_USER_INPUT. */
  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }
}

/**
 * Sends one operation and returns its data, or throws a GraphQLRequestError. With a generated
 * document (`MeDocument`, ...) TData and TVars are inferred; with a plain string, name them.
 * Variables holding a File or Blob (bulkInvite's `input.csv`) go as a multipart request.
 */
export async function request<TData, TVars>(
  document: DocumentString<TData, TVars> | string,
  variables: TVars,
  token?: string,
  endpoint: string = defaultEndpoint,
): Promise<TData> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers['Authorization'] = `Bearer ${token}`;

  let body: BodyInit | null = multipartBody(document, variables);
  if (!body) {
    // fetch sets multipart's Content-Type itself, with the boundary; JSON needs it said.
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify({ query: document, variables });
  }

  const response = await fetch(endpoint, { method: 'POST', headers, body });
  let payload: { data?: TData | null; errors?: GraphQLErrorEntry[] };
  try {
    payload = (await response.json()) as typeof payload;
  } catch {
    throw new GraphQLRequestError([], response.status);
  }
  if (payload.errors?.length || payload.data == null) {
    throw new GraphQLRequestError(payload.errors ?? [], response.status);
  }
  return payload.data;
}

/**
 * The body of a GraphQL multipart request
 * (https://github.com/jaydenseric/graphql-multipart-request-spec) for variables holding files,
 * or null when they hold none. Each file becomes null in `operations` and a numbered form
 * field named, with its paths, in `map`.
 */
export function multipartBody(document: string, variables: unknown): FormData | null {
  const files = new Map<Blob, string[]>();
  const operations = {
    query: document,
    variables: withoutFiles(variables, 'variables', files),
  };
  if (files.size === 0) return null;

  const form = new FormData();
  form.append('operations', JSON.stringify(operations));
  const map: Record<string, string[]> = {};
  let i = 0;
  for (const paths of files.values()) map[String(i++)] = paths;
  form.append('map', JSON.stringify(map));
  i = 0;
  for (const file of files.keys()) {
    const name = file instanceof File ? file.name : 'upload';
    form.append(String(i++), file, name);
  }
  return form;
}

// withoutFiles copies value with every Blob (a File is one) replaced by null, noting the path
// of each in files.
function withoutFiles(value: unknown, path: string, files: Map<Blob, string[]>): unknown {
  if (typeof Blob !== 'undefined' && value instanceof Blob) {
    const paths = files.get(value) ?? [];
    paths.push(path);
    files.set(value, paths);
    return null;
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => withoutFiles(v, `${path}.${i}`, files));
  }
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) copy[k] = withoutFiles(v, `${path}.${k}`, files);
    return copy;
  }
  return value;
}
