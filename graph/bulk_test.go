package graph_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// upload posts a GraphQL multipart request (the GraphQL multipart request spec): the file goes
// to variables.input.csv.
func upload(t testing.TB, h http.Handler, token, query string, input map[string]any, csv string) response {
	t.Helper()
	return answer(t, uploadRaw(h, token, query, input, csv))
}

// uploadRaw is upload without decoding the answer.
func uploadRaw(h http.Handler, token, query string, input map[string]any, csv string) *httptest.ResponseRecorder {
	body, contentType := uploadBody(query, input, []byte(csv))
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
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

// bulkData is bulkMutation's answer.
type bulkData struct {
	BulkInvite struct {
		Results        []bulkResult
		Summary        bulkCounts
		IgnoredColumns []string
	}
}

// bulkResult is one row's result of bulkMutation: the fields of every member of the union,
// those of its __typename set.
type bulkResult struct {
	Typename           string `json:"__typename"`
	Row                int
	ExistingAccount    bool
	ExternalIDUpdated  bool
	PreviousExternalID *string
	Invite             *struct {
		ID, Email, Role, Status, DeliveryStatus string
		ExternalID                              *string
	}
	Member *struct {
		Role       string
		ExternalID *string
		User       struct{ Email string }
	}
	Email          *string
	ExternalID     *string
	Reason         string
	Message        string
	Retryable      bool
	ExistingInvite *struct{ ID, DeliveryStatus string }
}

// bulkCounts is a bulk invite's summary.
type bulkCounts struct {
	Total, NewInvitations, ExistingInvitations, ExistingMembers, Failed, ExternalIdsUpdated int
}

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
	var d bulkData
	ok(t, upload(t, h, owner, bulkMutation, map[string]any{"projectId": project}, csv), &d)
	res := d.BulkInvite

	if cols := res.IgnoredColumns; len(cols) != 1 || cols[0] != "Shoe Size" {
		t.Errorf("ignoredColumns = %v", cols)
	}
	want := []struct {
		typename string
		row      int
		check    func(r bulkResult) bool
	}{
		{"NewInvitation", 2, func(r bulkResult) bool {
			return r.Invite != nil && r.Invite.Role == "ADMIN" && orNil(r.Invite.ExternalID) == "A-1" && r.Invite.Email == a
		}},
		{"NewInvitation", 4, func(r bulkResult) bool {
			return r.Invite != nil && r.Invite.Role == "CONTRIBUTOR" && orNil(r.Invite.ExternalID) == `B "2"` && r.Invite.Email == b
		}},
		{"ExistingMember", 6, func(r bulkResult) bool {
			return r.Member != nil && r.Member.Role == "CONTRIBUTOR" && orNil(r.Member.ExternalID) == "M-2" &&
				r.ExternalIDUpdated && orNil(r.PreviousExternalID) == "M-1"
		}},
		{"FailedInvite", 7, func(r bulkResult) bool { return r.Reason == "INVALID_EMAIL" && !r.Retryable }},
		{"FailedInvite", 8, func(r bulkResult) bool { return r.Reason == "INVALID_EMAIL" }},
		{"FailedInvite", 9, func(r bulkResult) bool { return r.Reason == "INVALID_ROLE" && orNil(r.Email) == c }},
	}
	results := res.Results
	if len(results) != len(want) {
		t.Fatalf("%d results, want %d: %+v", len(results), len(want), results)
	}
	for i, w := range want {
		r := results[i]
		if r.Typename != w.typename || r.Row != w.row || !w.check(r) {
			t.Errorf("result %d = %+v, want a %s for line %v", i, r, w.typename, w.row)
		}
	}
	if got, want := res.Summary, (bulkCounts{Total: 6, NewInvitations: 2, ExistingInvitations: 0, ExistingMembers: 1, Failed: 3, ExternalIdsUpdated: 1}); got != want {
		t.Errorf("summary = %+v, want %+v", got, want)
	}

	// The same file again: the invites exist now, and a dry run says so without writing.
	before := countRows(t, "emails")
	var again bulkData
	ok(t, upload(t, h, owner, bulkMutation, map[string]any{"projectId": project, "dryRun": true}, csv), &again)
	results = again.BulkInvite.Results
	if results[0].Typename != "ExistingInvitation" || results[2].Typename != "ExistingMember" || results[2].ExternalIDUpdated {
		t.Errorf("second upload (dry run) = %+v", results)
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
	var d struct {
		BulkInvite struct{ Summary struct{ NewInvitations int } }
	}
	gql(t, h, owner, `mutation($input: BulkInviteInput!) { bulkInvite(input: $input) { summary { newInvitations } } }`,
		map[string]any{"input": map[string]any{"projectId": project, "rows": rows, "dryRun": true}}, &d)
	if got := d.BulkInvite.Summary.NewInvitations; got != 10000 {
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
	var created createdInvite
	gql(t, h, owner, createInvite, map[string]any{"i": map[string]any{"email": bounced, "projectId": project, "role": "CONTRIBUTOR"}}, &created)
	inviteID := created.CreateInvite.ID
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
	var d struct {
		BulkInvite struct {
			Results []struct {
				Typename       string `json:"__typename"`
				Row            int
				Invite         *struct{ ID string }
				Reason         string
				Retryable      bool
				ExistingInvite *struct{ ID, DeliveryStatus string }
			}
		}
	}
	gql(t, h, owner, q, map[string]any{"input": map[string]any{"projectId": project, "rows": []any{
		map[string]any{"email": bounced}, map[string]any{"email": fresh}, map[string]any{"email": "not an email"},
	}}}, &d)
	results := d.BulkInvite.Results
	if len(results) != 3 {
		t.Fatalf("results = %+v", results)
	}
	failed := results[0]
	if failed.Typename != "FailedInvite" || failed.Reason != "FAILED_TO_SEND" || failed.Retryable ||
		failed.ExistingInvite == nil || failed.ExistingInvite.ID != inviteID || failed.ExistingInvite.DeliveryStatus != "FAILED_PERMANENT" {
		t.Errorf("row 1 = %+v, want FAILED_TO_SEND with existingInvite %s", failed, inviteID)
	}
	if results[1].Typename != "NewInvitation" || results[1].Invite == nil || results[1].Invite.ID == "" {
		t.Errorf("row 2 = %+v", results[1])
	}
	if results[2].Reason != "INVALID_EMAIL" || results[2].ExistingInvite != nil {
		t.Errorf("row 3 = %+v, want INVALID_EMAIL with no existingInvite", results[2])
	}
	// The retired field is gone.
	r := do(t, h, owner, `mutation($input: BulkInviteInput!) { bulkInvite(input: $input) { results { ... on FailedInvite { invite { id } } } } }`,
		map[string]any{"input": map[string]any{"projectId": project, "rows": []any{}}})
	if e := wantCode(t, r, "BAD_USER_INPUT"); !strings.Contains(e.Message, `Cannot query field "invite" on type "FailedInvite"`) {
		t.Errorf("FailedInvite.invite: %+v", e)
	}
}
