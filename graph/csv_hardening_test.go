package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
)

// csvTestOwner signs up an owner with a verified email (sending invites needs one) and gives
// them a project; it returns their token and the project's ID.
func csvTestOwner(t *testing.T, h http.Handler, project string) (string, string) {
	t.Helper()
	token := signUpVerified(t, h, uniqueEmail("owner"))
	return token, newProject(t, h, token, project)
}

// uploadBody is the multipart body of query (a bulkInvite, whose variables.input.csv is the
// file) with csv as the file, and its content type.
func uploadBody(query string, input map[string]any, csv []byte) ([]byte, string) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	input["csv"] = nil
	ops, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"input": input}})
	w.WriteField("operations", string(ops))
	w.WriteField("map", `{"0": ["variables.input.csv"]}`)
	part, _ := w.CreateFormFile("0", "people.csv")
	part.Write(csv)
	w.Close()
	return body.Bytes(), w.FormDataContentType()
}

// postUpload sends a bulkInvite multipart request with csv as the file over a real HTTP
// connection to srv, and decodes the answer.
func postUpload(t *testing.T, srv *httptest.Server, token string, input map[string]any, csv []byte) response {
	t.Helper()
	body, contentType := uploadBody(bulkMutation, input, csv)
	r, err := postBody(srv, token, body, contentType)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// postBody posts a prepared multipart body; it is safe to call from several goroutines.
func postBody(srv *httptest.Server, token string, body []byte, contentType string) (response, error) {
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := srv.Client().Do(req)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	var r response
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		return r, fmt.Errorf("response %d is not JSON: %v", res.StatusCode, err)
	}
	r.Status = res.StatusCode
	return r, nil
}

// liveHeap is the heap's live objects now, after a collection.
func liveHeap() float64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return float64(s[0].Value.Uint64()) / (1 << 20)
}

// csvWork is the most the upload of a refused CSV of n bytes may allocate, client and server.
func csvWork(n int) uint64 { return uint64(n) + 4<<20 }

// Finding 5: a 5 MiB dry-run CSV of one line of commas took RSS from 47 to 429 MiB. Now it is
// refused naming the line, and the heap stays within 50 MiB of where it was. How fast is
// BenchmarkBulkInvite_CSVCommaBomb's (make bench): a time is no test on a busy machine.
func TestBulkInvite_CSVCommaBomb(t *testing.T) {
	h := newHandler(t)
	srv := httptest.NewServer(h)
	defer srv.Close()
	owner, project := csvTestOwner(t, h, "Comma Bomb")
	const mib = 1 << 20
	for _, tc := range []struct {
		name, message string
		csv           []byte
	}{
		{"OneLineOfCommas", "line 1: more than 50 cells in one row", bytes.Repeat([]byte(","), 5*mib)},
		{"CommasAfterAHeader", "line 2: more than 50 cells in one row", append([]byte("email\n"), bytes.Repeat([]byte(","), 5*mib-6)...)},
		{"OneHugeCell", "line 2: a cell is longer than 1 KiB", append([]byte("email\n"), bytes.Repeat([]byte("a"), 5*mib-6)...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			idle := liveHeap()
			body, contentType := uploadBody(bulkMutation, map[string]any{"projectId": project, "dryRun": true}, tc.csv)
			var r response
			var err error
			before := allocated()
			peak := peakHeap(func() { r, err = postBody(srv, owner, body, contentType) })
			work := allocated() - before
			if err != nil {
				t.Fatal(err)
			}
			if e := wantCode(t, r, "BAD_USER_INPUT"); r.Status != http.StatusOK || !strings.Contains(e.Message, tc.message) {
				t.Errorf("status %d, message %q; want 200 and %q", r.Status, e.Message, tc.message)
			}
			// The work, in bytes allocated by client and server: about 1 MiB here, the file
			// streamed; at most one copy of it, never a cell's or a row's per comma.
			if most := csvWork(len(body)); work > most {
				t.Errorf("the upload allocated %d KiB for a body of %d KiB, want at most %d KiB", work>>10, len(body)>>10, most>>10)
			}
			// The sampled peak includes the client's copy of the body.
			if grew := peak - idle; grew > 50 {
				t.Errorf("the live heap grew by %.1f MiB (from %.1f to %.1f); want at most 50", grew, idle, peak)
			}
			t.Logf("heap %.1f MiB idle, %.1f MiB at its peak; %d KiB allocated", idle, peak, work>>10)
		})
	}
	t.Run("EightAtOnce", func(t *testing.T) {
		// 2.6 GiB before; the eight share one body, so what grows is the server's.
		body, contentType := uploadBody(bulkMutation, map[string]any{"projectId": project, "dryRun": true}, bytes.Repeat([]byte(","), 5*mib))
		idle := liveHeap()
		errs := make(chan error, 8)
		before := allocated()
		peak := peakHeap(func() {
			for range 8 {
				go func() {
					r, err := postBody(srv, owner, body, contentType)
					if err == nil && (r.code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "line 1: more than 50 cells")) {
						err = fmt.Errorf("status %d, errors %+v", r.Status, r.Errors)
					}
					errs <- err
				}()
			}
			for range 8 {
				if err := <-errs; err != nil {
					t.Error(err)
				}
			}
		})
		work := allocated() - before
		if grew := peak - idle; grew > 50 {
			t.Errorf("the live heap grew by %.1f MiB (from %.1f to %.1f); want at most 50", grew, idle, peak)
		}
		if most := 8 * csvWork(len(body)); work > most {
			t.Errorf("eight uploads allocated %d KiB for bodies of %d KiB, want at most %d KiB", work>>10, len(body)>>10, most>>10)
		}
		t.Logf("heap %.1f MiB idle, %.1f MiB at its peak; %d KiB allocated", idle, peak, work>>10)
	})
}

// Finding 10: a CSV whose lines end in CR alone was one line, refused as having no email
// column. Now it reads like any other, with the line numbers an editor shows.
func TestBulkInvite_CSVLineEndingsAndLimits(t *testing.T) {
	h := newHandler(t)
	srv := httptest.NewServer(h)
	defer srv.Close()
	owner, project := csvTestOwner(t, h, "Line Endings")
	a, b := uniqueEmail("cr"), uniqueEmail("cr")

	var d bulkData
	ok(t, postUpload(t, srv, owner, map[string]any{"projectId": project}, []byte("email,role,name\r"+a+",admin,Ada\r\r"+b+",,Bob\r")), &d)
	results := d.BulkInvite.Results
	if len(results) != 2 || results[0].Row != 2 || results[0].Invite == nil || results[0].Invite.Email != a || results[0].Invite.Role != "ADMIN" ||
		results[1].Row != 4 || results[1].Invite == nil || results[1].Invite.Email != b {
		t.Errorf("results %+v; want new invitations for lines 2 and 4", results)
	}

	for _, tc := range []struct {
		name, csv, message string
	}{
		{"51Cells", "email" + strings.Repeat(",", 50) + "\n" + a + "\n", "line 1: more than 50 cells in one row"},
		{"LongCellOnACROnlyLine", "email,name\r" + a + ",ok\r" + b + "," + strings.Repeat("n", 1025) + "\r", "line 3: a cell is longer than 1 KiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := postUpload(t, srv, owner, map[string]any{"projectId": project, "dryRun": true}, []byte(tc.csv))
			if e := wantCode(t, r, "BAD_USER_INPUT"); !strings.Contains(e.Message, tc.message) || e.Extensions.Field != "csv" {
				t.Errorf("message %q, field %q; want %q on csv", e.Message, e.Extensions.Field, tc.message)
			}
		})
	}
}

// Finding 7: an email with a character nobody can see was a new person.
func TestInvisibleCharacters_EndToEnd(t *testing.T) {
	h := newHandler(t)
	srv := httptest.NewServer(h)
	defer srv.Close()
	owner, project := csvTestOwner(t, h, "Invisible")

	t.Run("SignUp", func(t *testing.T) {
		ada := uniqueEmail("ada")
		signUp(t, h, ada)
		r := do(t, h, "", signUpMutation, map[string]any{"input": map[string]any{"email": ada + "\u200b", "password": "correct horse", "name": "Ada Again"}})
		if e := wantCode(t, r, "BAD_USER_INPUT"); e.Extensions.Field != "email" || !strings.Contains(e.Message, "U+200B (ZERO WIDTH SPACE)") {
			t.Errorf("error %+v; want the email named and the character", e)
		}
		var n int
		if err := pgDB(t).NewSelect().TableExpr("users").ColumnExpr("count(*)").Where("email LIKE ?", strings.TrimSuffix(ada, "@example.com")+"%").Scan(ctxBG, &n); err != nil || n != 1 {
			t.Errorf("%d accounts for %s (%v), want 1", n, ada, err)
		}
		logIn := `mutation($i: LogInInput!) { logIn(input: $i) { token } }`
		wantCode(t, do(t, h, "", logIn, map[string]any{"i": map[string]any{"email": ada + "\u200b", "password": "correct horse"}}), "INVALID_CREDENTIALS")
	})
	t.Run("ProjectNameAndExternalID", func(t *testing.T) {
		r := do(t, h, owner, `mutation($n: String!) { createProject(input: {name: $n}) { id } }`, map[string]any{"n": "\u202eollopA"})
		if e := wantCode(t, r, "BAD_USER_INPUT"); e.Extensions.Field != "name" {
			t.Errorf("error %+v; want the name named", e)
		}
		r = do(t, h, owner, createInvite, map[string]any{"i": map[string]any{"email": uniqueEmail("x"), "projectId": project, "role": "CONTRIBUTOR", "externalId": "a\u200bb"}})
		if e := wantCode(t, r, "BAD_USER_INPUT"); e.Extensions.Field != "externalId" {
			t.Errorf("error %+v; want the externalId named", e)
		}
	})

	member := uniqueEmail("member")
	join(t, h, owner, project, member, "CONTRIBUTOR", "")
	disguised := []string{"\ufeff" + member, member + "\u200b", "\u202e" + member}
	wantRefused := func(t *testing.T, r response, firstRow int) {
		t.Helper()
		var d bulkData
		ok(t, r, &d)
		results := d.BulkInvite.Results
		for i, r := range results {
			if r.Typename != "FailedInvite" || r.Reason != "INVALID_EMAIL" || r.Row != firstRow+i ||
				!strings.HasPrefix(r.Message, "email holds a character that cannot be seen or is easily mistaken") {
				t.Errorf("result %d = %+v; want INVALID_EMAIL", i, r)
			}
		}
		if got := d.BulkInvite.Summary.NewInvitations; len(results) != 3 || got != 0 {
			t.Errorf("%d results, %v new invitations; want 3 and 0", len(results), got)
		}
	}
	t.Run("BulkRows", func(t *testing.T) {
		rows := []any{}
		for _, email := range disguised {
			rows = append(rows, map[string]any{"email": email})
		}
		wantRefused(t, do(t, h, owner, bulkMutation, map[string]any{"input": map[string]any{"projectId": project, "rows": rows}}), 1)
	})
	t.Run("BulkCSV", func(t *testing.T) {
		csv := "\ufeffemail\n" + strings.Join(disguised, "\n") + "\n"
		wantRefused(t, postUpload(t, srv, owner, map[string]any{"projectId": project}, []byte(csv)), 2)
	})
	var emails int
	if err := pgDB(t).NewSelect().TableExpr("emails").ColumnExpr("count(*)").Where("recipient LIKE ? AND kind <> 'welcome'", "%"+member+"%").Scan(ctxBG, &emails); err != nil || emails != 1 {
		t.Errorf("%d emails to the member besides the welcome (%v); want only the invite they joined by", emails, err)
	}
}

// Finding 10: the bulk name column was read and dropped. It is stored, shown on the invite
// and offered by the invite page's preview; a blank name keeps it and a given one replaces it.
func TestBulkInvite_Names(t *testing.T) {
	h := newHandler(t)
	srv := httptest.NewServer(h)
	defer srv.Close()
	owner, project := csvTestOwner(t, h, "Names")
	ada, bob := uniqueEmail("ada"), uniqueEmail("bob")

	csv := "email,name\n" + ada + ", Ada Lovelace \n" + bob + ",\n"
	ok(t, postUpload(t, srv, owner, map[string]any{"projectId": project}, []byte(csv)), nil)
	preview := `query($t: String!) { invitation(token: $t) { email inviteeName } }`
	names := `query($p: ID!) { project(id: $p) { invites { edges { node { email name } } } } }`
	wantNames := func(want map[string]any) {
		t.Helper()
		var d struct {
			Project struct {
				Invites struct {
					Edges []struct {
						Node struct {
							Email string
							Name  *string
						}
					}
				}
			}
		}
		gql(t, h, owner, names, map[string]any{"p": project}, &d)
		got := map[string]any{}
		for _, e := range d.Project.Invites.Edges {
			got[e.Node.Email] = orNil(e.Node.Name)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("invites' names %v, want %v", got, want)
		}
	}
	wantNames(map[string]any{ada: "Ada Lovelace", bob: nil})
	for email, want := range map[string]any{ada: "Ada Lovelace", bob: nil} {
		var d struct {
			Invitation struct {
				Email       string
				InviteeName *string
			}
		}
		if gql(t, h, "", preview, map[string]any{"t": lastLinkToken(t, email)}, &d); orNil(d.Invitation.InviteeName) != want {
			t.Errorf("preview of %s: inviteeName %v, want %v", email, orNil(d.Invitation.InviteeName), want)
		}
	}

	// Again, inline: Ada's blank name keeps hers, Bob's given name is stored.
	rows := []any{map[string]any{"email": ada, "name": " "}, map[string]any{"email": bob, "name": "Bob"}}
	var d bulkData
	gql(t, h, owner, bulkMutation, map[string]any{"input": map[string]any{"projectId": project, "rows": rows}}, &d)
	if got := d.BulkInvite.Summary.ExistingInvitations; got != 2 {
		t.Errorf("existingInvitations = %v, want 2", got)
	}
	wantNames(map[string]any{ada: "Ada Lovelace", bob: "Bob"})

	gql(t, h, owner, bulkMutation, map[string]any{"input": map[string]any{"projectId": project, "rows": []any{map[string]any{"email": uniqueEmail("z"), "name": "Zed\u200b"}}}}, &d)
	if got := d.BulkInvite.Results; len(got) == 0 || got[0].Reason != "INVALID_NAME" {
		t.Errorf("a name with a zero-width space: %+v; want INVALID_NAME", got)
	}
}

// A CSV larger than what is kept in memory is spooled to a temporary file, and the file is
// gone once the request is answered, whether the upload was accepted or refused.
func TestBulkInvite_SpooledUploadRemoved(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	h := newHandler(t)
	srv := httptest.NewServer(h)
	defer srv.Close()
	owner, project := csvTestOwner(t, h, "Spool")
	var csv bytes.Buffer
	csv.WriteString("email,notes\n")
	for i := 0; csv.Len() < 1<<20; i++ {
		fmt.Fprintf(&csv, "person%d@example.com,%s\n", i, strings.Repeat("n", 200))
	}
	r := postUpload(t, srv, owner, map[string]any{"projectId": project, "dryRun": true}, csv.Bytes())
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("status %d, errors %+v", r.Status, r.Errors)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("%d files left in TMPDIR after the request: %v", len(left), left)
	}
}
