package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// The query limits are read from the environment and answered over HTTP.
func TestServer_QueryLimits(t *testing.T) {
	base := startServer(t, map[string]string{
		"QUERY_BYTES_LIMIT": "300", "QUERY_TOKEN_LIMIT": "40", "ALIAS_LIMIT": "2", "SELECTION_LIMIT": "3",
		"DIRECTIVE_LIMIT": "1", "VALIDATION_COST_LIMIT": "12", "INTROSPECTION_LIMIT": "1", "ERROR_LIMIT": "2",
	})
	invalid, _ := postGraphQL(t, base, `{"query":"{ noSuchField }"}`)
	for _, tc := range []struct {
		name, query, reason string
		errors              int
	}{
		{"Bytes", "{ __typename }" + strings.Repeat(" ", 300), "QUERY_BYTES_LIMIT_EXCEEDED", 1},
		{"Tokens", "{" + strings.Repeat(" a", 39) + " }", "QUERY_TOKEN_LIMIT_EXCEEDED", 1},
		{"Aliases", "{ a: __typename b: __typename c: __typename }", "ALIAS_LIMIT_EXCEEDED", 1},
		{"Selections", "{ __typename __typename __typename __typename }", "SELECTION_LIMIT_EXCEEDED", 1},
		{"Directives", "{ __typename @skip(if: false) @include(if: true) }", "DIRECTIVE_LIMIT_EXCEEDED", 1},
		// a, its three ids (1 + 2 + 3), and b with its own: 14.
		{"ValidationCost", "{ a: me { id id id } b: me { id id id } }", "VALIDATION_COST_LIMIT_EXCEEDED", 1},
		{"Introspection", "{ a: __schema { queryType { name } } b: __type(name: \"Query\") { name } }", "INTROSPECTION_LIMIT_EXCEEDED", 1},
		// Three conflicting pairs, two errors kept (validation cost 12).
		{"Errors", `{ invitation(token: "1") { inviterName } invitation(token: "2") { inviterName } invitation(token: "3") { inviterName } }`, "GRAPHQL_VALIDATION_FAILED", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]string{"query": tc.query})
			status, text := postGraphQL(t, base, string(body))
			var r struct {
				Errors e2eErrors `json:"errors"`
			}
			if err := json.Unmarshal([]byte(text), &r); err != nil {
				t.Fatalf("HTTP %d %s", status, text)
			}
			if status != invalid || len(r.Errors) != tc.errors || r.Errors.code() != "BAD_USER_INPUT" ||
				r.Errors[0].Extensions.Reason != tc.reason {
				t.Errorf("HTTP %d %s; want %d (as an invalid document), %d errors, BAD_USER_INPUT with reason %s", status, text, invalid, tc.errors, tc.reason)
			}
		})
	}
	// A client that accepts application/graphql-response+json gets 400 (GraphQL over HTTP).
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(`{"query":"{ a: __typename b: __typename c: __typename }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("graphql-response+json: HTTP %d, want 400", resp.StatusCode)
	}

	body, _ := json.Marshal(map[string]string{"query": "{ a: __typename b: __typename }"})
	if status, text := postGraphQL(t, base, string(body)); status != http.StatusOK || !strings.Contains(text, `"b":"Query"`) {
		t.Errorf("a query within the limits: HTTP %d %s", status, text)
	}
}
