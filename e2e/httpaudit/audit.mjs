// Runs graphql-http's GraphQL-over-HTTP audit against the server at the URL given as the
// first argument and prints one JSON line per audit: {id, name, status, reason}. The Go test
// e2e/graphql_over_http_audit_test.go runs it and fails on any status but "ok".
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://127.0.0.1:8080/graphql');
  process.exit(2);
}
const results = await auditServer({ url });
for (const r of results) {
  const out = { id: r.id, name: r.name, status: r.status };
  if (r.status !== 'ok') {
    out.reason = r.reason;
    if (r.response) {
      out.httpStatus = r.response.status;
      out.body = await r.response.text().catch(() => '');
    }
  }
  console.log(JSON.stringify(out));
}
