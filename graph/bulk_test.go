package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// upload posts a GraphQL multipart request (the GraphQL multipart request spec): the file goes
// to variables.input.csv.
func upload(t testing.TB, h http.Handler, token, query string, input map[string]any, csv string) response {
	t.Helper()
	rec := uploadRaw(h, token, query, input, csv)
	var r response
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatalf("response %d is not JSON: %.300s", rec.Code, rec.Body)
	}
	r.Status = rec.Code
	return r
}

// uploadRaw is upload without decoding the answer.
func uploadRaw(h http.Handler, token, query string, input map[string]any, csv string) *httptest.ResponseRecorder {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	input["csv"] = nil
	ops, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"input": input}})
	w.WriteField("operations", string(ops))
	w.WriteField("map", `{"0": ["variables.input.csv"]}`)
	part, _ := w.CreateFormFile("0", "people.csv")
	part.Write([]byte(csv))
	w.Close()
	req := httptest.NewRequest(http.MethodPost, "/graphql", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

const bulkMutation = `mutation($input: BulkInviteInput!) { bulkInvite(input: $input) {
	results {
		__typename
		... on NewInvitation { row existingAccount invite { id email role externalId status deliveryStatus } }
		... on ExistingInvitation { row externalIdUpdated previousExternalId invite { email role externalId } }
		... on ExistingMember { row externalIdUpdated previousExternalId member { role externalId user { email } } }
		... on FailedInvite { row email externalId reason message retryable existingInvite { id } }
	}
	summary { total newInvitations existingInvitations existingMembers failed externalIdsUpdated }
	ignoredColumns
} }`

func TestBulkInvite_CSVUpload(t *testing.T) {
	h := newHandler(t)
	owner := signUpVerified(t, h, uniqueEmail("owner"))
	project := newProject(t, h, owner, "Bulk")
	member := uniqueEmail("member")
	join(t, h, owner, project, member, "CONTRIBUTOR", "M-1")
	a, b, c := uniqueEmail("a"), uniqueEmail("b"), uniqueEmail("c")

	csv := "\uFEFFE-Mail,Role,External ID,Name,Shoe Size\r\n" +
		a + ",admin,A-1,\"Lovelace, Ada\",38\r\n" +
		"\r\n" +
		strings.ToUpper(b) + ",,\"B \"\"2\"\"\",Bea,\"4\n1\"\r\n" + // a name holds no line break; an ignored cell may
		member + ",ADMIN,M-2,,\r\n" +
		"not-an-email,,,,\r\n" +
		",,,Nameless,\r\n" +
		c + ",wizard,,,\r\n"
	d := ok(t, upload(t, h, owner, bulkMutation, map[string]any{"projectId": project}, csv))
	res := get(d, "bulkInvite").(map[string]any)

	if cols := res["ignoredColumns"].([]any); len(cols) != 1 || cols[0] != "Shoe Size" {
		t.Errorf("ignoredColumns = %v", cols)
	}
	want := []struct {
		typename string
		row      float64
		check    func(r any) bool
	}{
		{"NewInvitation", 2, func(r any) bool {
			return get(r, "invite", "role") == "ADMIN" && get(r, "invite", "externalId") == "A-1" && get(r, "invite", "email") == a
		}},
		{"NewInvitation", 4, func(r any) bool {
			return get(r, "invite", "role") == "CONTRIBUTOR" && get(r, "invite", "externalId") == `B "2"` && get(r, "invite", "email") == b
		}},
		{"ExistingMember", 6, func(r any) bool {
			return get(r, "member", "role") == "CONTRIBUTOR" && get(r, "member", "externalId") == "M-2" &&
				get(r, "externalIdUpdated") == true && get(r, "previousExternalId") == "M-1"
		}},
		{"FailedInvite", 7, func(r any) bool { return get(r, "reason") == "INVALID_EMAIL" && get(r, "retryable") == false }},
		{"FailedInvite", 8, func(r any) bool { return get(r, "reason") == "INVALID_EMAIL" }},
		{"FailedInvite", 9, func(r any) bool { return get(r, "reason") == "INVALID_ROLE" && get(r, "email") == c }},
	}
	results := res["results"].([]any)
	if len(results) != len(want) {
		t.Fatalf("%d results, want %d: %v", len(results), len(want), results)
	}
	for i, w := range want {
		r := results[i]
		if get(r, "__typename") != w.typename || get(r, "row") != w.row || !w.check(r) {
			t.Errorf("result %d = %v, want a %s for line %v", i, r, w.typename, w.row)
		}
	}
	sum := res["summary"].(map[string]any)
	for k, v := range map[string]float64{"total": 6, "newInvitations": 2, "existingInvitations": 0, "existingMembers": 1, "failed": 3, "externalIdsUpdated": 1} {
		if sum[k] != v {
			t.Errorf("summary.%s = %v, want %v", k, sum[k], v)
		}
	}

	// The same file again: the invites exist now, and a dry run says so without writing.
	before := countRows(t, "emails")
	d = ok(t, upload(t, h, owner, bulkMutation, map[string]any{"projectId": project, "dryRun": true}, csv))
	results = get(d, "bulkInvite", "results").([]any)
	if get(results[0], "__typename") != "ExistingInvitation" || get(results[2], "__typename") != "ExistingMember" || get(results[2], "externalIdUpdated") != false {
		t.Errorf("second upload (dry run) = %v", results)
	}
	if after := countRows(t, "emails"); after != before {
		t.Errorf("a dry run queued %d emails", after-before)
	}
}

func TestBulkInvite_Errors(t *testing.T) {
	h := newHandler(t)
	owner := signUpVerified(t, h, uniqueEmail("owner"))
	project := newProject(t, h, owner, "Bulk")
	contributor := join(t, h, owner, project, uniqueEmail("contrib"), "CONTRIBUTOR", "")
	outsider := signUpVerified(t, h, uniqueEmail("outsider"))
	rows := []any{map[string]any{"email": uniqueEmail("x")}}

	for _, tc := range []struct {
		name, token string
		input       map[string]any
		csv         string
		code        string
		message     string
	}{
		{"NeitherRowsNorCSV", owner, map[string]any{"projectId": project}, "", "BAD_USER_INPUT", "exactly one"},
		{"EmptyRows", owner, map[string]any{"projectId": project, "rows": []any{}}, "", "BAD_USER_INPUT", "empty"},
		{"NoEmailColumn", owner, map[string]any{"projectId": project}, "name,role\nAda,ADMIN\n", "BAD_USER_INPUT", "email column"},
		{"HeaderOnly", owner, map[string]any{"projectId": project}, "email,role\n", "BAD_USER_INPUT", "no data"},
		{"RepeatedColumn", owner, map[string]any{"projectId": project}, "email,E-Mail\na@example.com,b@example.com\n", "BAD_USER_INPUT", "second time"},
		{"BothRowsAndCSV", owner, map[string]any{"projectId": project, "rows": rows}, "email\na@example.com\n", "BAD_USER_INPUT", "exactly one"},
		{"Contributor", contributor, map[string]any{"projectId": project, "rows": rows}, "", "FORBIDDEN", ""},
		{"Outsider", outsider, map[string]any{"projectId": project, "rows": rows}, "", "NOT_FOUND", ""},
		{"Anonymous", "", map[string]any{"projectId": project, "rows": rows}, "", "UNAUTHENTICATED", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := countRows(t, "invites")
			var r response
			if tc.csv != "" {
				r = upload(t, h, tc.token, bulkMutation, tc.input, tc.csv)
			} else {
				r = do(t, h, tc.token, bulkMutation, map[string]any{"input": tc.input})
			}
			e := wantCode(t, r, tc.code)
			if !strings.Contains(e.Message, tc.message) {
				t.Errorf("message %q does not say %q", e.Message, tc.message)
			}
			if after := countRows(t, "invites"); after != before {
				t.Errorf("a refused batch wrote %d invites", after-before)
			}
		})
	}

	t.Run("UploadTooLarge", func(t *testing.T) {
		big := "email\n" + strings.Repeat("someone.with.a.long.address@example.com\n", 7<<20/40)
		r := upload(t, h, owner, bulkMutation, map[string]any{"projectId": project}, big)
		if r.code() != "BAD_USER_INPUT" {
			t.Errorf("a 7 MiB upload: status %d, errors %+v", r.Status, r.Errors)
		}
	})
}

// A batch of 10,000 rows given inline fits the JSON body limit.
func TestBulkInvite_TenThousandInlineRows(t *testing.T) {
	h := newHandler(t)
	owner := signUpVerified(t, h, uniqueEmail("owner"))
	project := newProject(t, h, owner, "Inline")
	prefix := strings.TrimSuffix(uniqueEmail("inline"), "@example.com")
	rows := make([]any, 10000)
	for i := range rows {
		rows[i] = map[string]any{"email": fmt.Sprintf("%s-%05d@example.com", prefix, i), "externalId": fmt.Sprintf("EXT-%05d", i), "name": "Someone With A Name"}
	}
	r := do(t, h, owner, `mutation($input: BulkInviteInput!) { bulkInvite(input: $input) { summary { newInvitations } } }`,
		map[string]any{"input": map[string]any{"projectId": project, "rows": rows, "dryRun": true}})
	if got := get(ok(t, r), "bulkInvite", "summary", "newInvitations"); got != float64(10000) {
		t.Errorf("newInvitations = %v, want 10000", got)
	}
}

// TestBulkInvite_ExistingInvite: the natural query, `invite { id }` on every member that has
// one and `existingInvite` on FailedInvite, validates, and a FAILED_TO_SEND row names the
// invite whose email failed for good.
func TestBulkInvite_ExistingInvite(t *testing.T) {
	h := newHandler(t)
	owner := signUpVerified(t, h, uniqueEmail("owner"))
	project := newProject(t, h, owner, "Bounced")
	bounced := uniqueEmail("bounced")
	d := ok(t, do(t, h, owner, createInvite, map[string]any{"i": map[string]any{"email": bounced, "projectId": project, "role": "CONTRIBUTOR"}}))
	inviteID := get(d, "createInvite", "id").(string)
	if _, err := pgDB(t).ExecContext(ctxBG, "UPDATE emails SET status = 'FAILED_PERMANENT' WHERE id = (SELECT email_id FROM invites WHERE id = ?)", inviteID); err != nil {
		t.Fatal(err)
	}
	q := `mutation($input: BulkInviteInput!) { bulkInvite(input: $input) { results {
		__typename
		... on NewInvitation { row invite { id } }
		... on ExistingInvitation { row invite { id } }
		... on FailedInvite { row reason retryable existingInvite { id deliveryStatus } }
	} } }`
	fresh := uniqueEmail("fresh")
	d = ok(t, do(t, h, owner, q, map[string]any{"input": map[string]any{"projectId": project, "rows": []any{
		map[string]any{"email": bounced}, map[string]any{"email": fresh}, map[string]any{"email": "not an email"},
	}}}))
	results := get(d, "bulkInvite", "results").([]any)
	if len(results) != 3 {
		t.Fatalf("results = %v", results)
	}
	failed := results[0]
	if get(failed, "__typename") != "FailedInvite" || get(failed, "reason") != "FAILED_TO_SEND" || get(failed, "retryable") != false ||
		get(failed, "existingInvite", "id") != inviteID || get(failed, "existingInvite", "deliveryStatus") != "FAILED_PERMANENT" {
		t.Errorf("row 1 = %v, want FAILED_TO_SEND with existingInvite %s", failed, inviteID)
	}
	if get(results[1], "__typename") != "NewInvitation" || get(results[1], "invite", "id") == nil {
		t.Errorf("row 2 = %v", results[1])
	}
	if get(results[2], "reason") != "INVALID_EMAIL" || get(results[2], "existingInvite") != nil {
		t.Errorf("row 3 = %v, want INVALID_EMAIL with no existingInvite", results[2])
	}
	// The retired field is gone.
	r := do(t, h, owner, `mutation($input: BulkInviteInput!) { bulkInvite(input: $input) { results { ... on FailedInvite { invite { id } } } } }`,
		map[string]any{"input": map[string]any{"projectId": project, "rows": []any{}}})
	if e := wantCode(t, r, "BAD_USER_INPUT"); !strings.Contains(e.Message, `Cannot query field "invite" on type "FailedInvite"`) {
		t.Errorf("FailedInvite.invite: %+v", e)
	}
}
