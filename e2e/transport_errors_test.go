package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// httpAnswer is what a raw HTTP request to the server got back.
type httpAnswer struct {
	status int
	header http.Header
	body   []byte
}

// rawRequest sends one request; with chunked, the body is sent without a Content-Length.
func rawRequest(t *testing.T, method, url string, header map[string]string, body []byte, chunked bool) httpAnswer {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
		if chunked {
			r = struct{ io.Reader }{r} // hides the length from net/http
		}
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return httpAnswer{resp.StatusCode, resp.Header, b}
}

// goTypeName matches what a Go type name or decoder message looks like in an error message.
var goTypeName = regexp.MustCompile(`map\[|interface ?\{|\bstruct\b|\[\]|\bu?int(8|16|32|64)?\b|\bfloat(32|64)\b|graphql\.|RawParams|json:|Go (value|struct)`)

// wantRequestError checks that a is a GraphQL error answer with status, code BAD_USER_INPUT
// and reason (when not ""), no "data" key and no Go type names, and returns its message.
func wantRequestError(t *testing.T, a httpAnswer, status int, reason string) string {
	t.Helper()
	if a.status != status {
		t.Errorf("status = %d, want %d (body %.300s)", a.status, status, a.body)
	}
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/graphql-response+json") {
		t.Errorf("Content-Type = %q, want JSON", ct)
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal(a.body, &out); err != nil {
		t.Fatalf("body is not JSON: %.300s", a.body)
	}
	if _, ok := out["data"]; ok {
		t.Errorf(`a request error has a "data" key: %s`, a.body)
	}
	var errs e2eErrors
	if err := json.Unmarshal(out["errors"], &errs); err != nil || len(errs) == 0 {
		t.Fatalf("no errors in %s", a.body)
	}
	e := errs[0]
	if e.Extensions.Code != "BAD_USER_INPUT" {
		t.Errorf("code = %q, want BAD_USER_INPUT (%s)", e.Extensions.Code, a.body)
	}
	if reason != "" && e.Extensions.Reason != reason {
		t.Errorf("reason = %q, want %s (%s)", e.Extensions.Reason, reason, a.body)
	}
	if m := goTypeName.FindString(e.Message); m != "" {
		t.Errorf("message %q names a Go type (%q)", e.Message, m)
	}
	return e.Message
}

// multipartBody builds a GraphQL multipart request from its parts, in order.
func multipartBody(parts ...[2]string) (body []byte, contentType string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		if p[0] == "0" {
			f, _ := w.CreateFormFile(p[0], "people.csv")
			f.Write([]byte(p[1]))
			continue
		}
		w.WriteField(p[0], p[1])
	}
	w.Close()
	return b.Bytes(), w.FormDataContentType()
}

func TestServer_TransportErrors(t *testing.T) {
	base := startServer(t, map[string]string{})
	url := base + "/graphql"
	jsonHeader := map[string]string{"Content-Type": "application/json"}
	const bulk = `mutation($input: BulkInviteInput!) { bulkInvite(input: $input) { summary { total } } }`
	operations := func(csv string) string {
		return `{"query":` + quoteJSON(bulk) + `,"variables":{"input":{"projectId":"00000000-0000-0000-0000-000000000000","csv":` + csv + `}}}`
	}

	t.Run("MethodNotAllowed", func(t *testing.T) {
		for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
			a := rawRequest(t, method, url, jsonHeader, []byte(`{"query":"{ me { id } }"}`), false)
			wantRequestError(t, a, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED")
			if allow := a.header.Get("Allow"); allow != "GET, POST, OPTIONS" {
				t.Errorf("%s: Allow = %q", method, allow)
			}
		}
	})

	t.Run("UnsupportedMediaType", func(t *testing.T) {
		for _, ct := range []string{"text/plain", "", "application/x-www-form-urlencoded", "application/graphql"} {
			a := rawRequest(t, http.MethodPost, url, map[string]string{"Content-Type": ct}, []byte(`{"query":"{ me { id } }"}`), false)
			wantRequestError(t, a, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE")
		}
	})

	t.Run("BadRequestBodies", func(t *testing.T) {
		for _, tc := range []struct{ body, want string }{
			{``, "empty"},
			{`{ "not a JSON`, "not valid JSON"},
			{`{"query": 0}`, "query must be a string"},
			{`{"query": "{ me { id } }", "operationName": {"a": 1}}`, "operationName must be a string"},
			{`{"query": "{ me { id } }", "variables": "x"}`, "variables must be a JSON object"},
			{`{"query": "{ me { id } }", "extensions": ["x"]}`, "extensions must be a JSON object"},
			{`[{"query": "{ me { id } }"}]`, "JSON object"},
			{`{"qeury": "{ me { id } }"}`, "no query"},
		} {
			msg := wantRequestError(t, rawRequest(t, http.MethodPost, url, jsonHeader, []byte(tc.body), false), http.StatusBadRequest, "INVALID_REQUEST")
			if !strings.Contains(msg, tc.want) {
				t.Errorf("%s: message %q, want it to say %q", tc.body, msg, tc.want)
			}
		}
	})

	t.Run("BodyTooLarge", func(t *testing.T) {
		big := []byte(`{"query":"` + strings.Repeat(" ", 4<<20) + `{ me { id } }"}`)
		for _, chunked := range []bool{false, true} {
			msg := wantRequestError(t, rawRequest(t, http.MethodPost, url, jsonHeader, big, chunked), http.StatusRequestEntityTooLarge, "BODY_TOO_LARGE")
			if !strings.Contains(msg, "larger than 4194304 bytes") {
				t.Errorf("chunked %v: message %q", chunked, msg)
			}
		}
		csv := "email\n" + strings.Repeat("someone@example.com\n", (6<<20)/20+1)
		body, ct := multipartBody([2]string{"operations", operations("null")}, [2]string{"map", `{"0":["variables.input.csv"]}`}, [2]string{"0", csv})
		for _, chunked := range []bool{false, true} {
			msg := wantRequestError(t, rawRequest(t, http.MethodPost, url, map[string]string{"Content-Type": ct}, body, chunked), http.StatusRequestEntityTooLarge, "BODY_TOO_LARGE")
			if !strings.Contains(msg, "larger than 6291456 bytes") {
				t.Errorf("multipart, chunked %v: message %q", chunked, msg)
			}
		}
	})

	t.Run("Multipart", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			parts [][2]string
			want  string
		}{
			{"NoMap", [][2]string{{"operations", operations("null")}, {"0", "email\na@example.com\n"}}, "second part must be `map`"},
			{"NoOperations", [][2]string{{"map", `{"0":["variables.input.csv"]}`}}, "first part must be `operations`"},
			{"OperationsNotJSON", [][2]string{{"operations", `{"query": 1}`}, {"map", `{}`}}, "query must be a string"},
			{"MapNotJSON", [][2]string{{"operations", operations("null")}, {"map", `["variables.input.csv"]`}}, "`map` must be a JSON object"},
			{"MapPathNotAVariable", [][2]string{{"operations", operations("null")}, {"map", `{"0":["variables.input.csv.x"]}`}, {"0", "email\n"}}, "not the path of a null variable"},
			{"MapPathIntoAString", [][2]string{{"operations", operations(`"text"`)}, {"map", `{"0":["variables.input.csv"]}`}, {"0", "email\n"}}, "not the path of a null variable"},
			{"FileMissing", [][2]string{{"operations", operations("null")}, {"map", `{"0":["variables.input.csv"]}`}}, `no part "0"`},
			{"FileNotInMap", [][2]string{{"operations", operations("null")}, {"map", `{}`}, {"0", "email\n"}}, `not a file named in`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				body, ct := multipartBody(tc.parts...)
				msg := wantRequestError(t, rawRequest(t, http.MethodPost, url, map[string]string{"Content-Type": ct}, body, false), http.StatusBadRequest, "")
				if !strings.Contains(msg, tc.want) {
					t.Errorf("message %q, want it to say %q", msg, tc.want)
				}
			})
		}
	})

	t.Run("FileSentAsObject", func(t *testing.T) {
		// A file field given as an object, in JSON or in a multipart request's operations.
		a := rawRequest(t, http.MethodPost, url, jsonHeader, []byte(operations(`{"name":"people.csv"}`)), false)
		msg := wantRequestError(t, a, http.StatusOK, "GRAPHQL_VALIDATION_FAILED")
		if !strings.Contains(msg, "an Upload must be a file") || !strings.Contains(msg, "not an object") {
			t.Errorf("message %q", msg)
		}
		body, ct := multipartBody([2]string{"operations", operations(`{}`)}, [2]string{"map", `{}`})
		wantRequestError(t, rawRequest(t, http.MethodPost, url, map[string]string{"Content-Type": ct}, body, false), http.StatusOK, "GRAPHQL_VALIDATION_FAILED")
		// A file mapped onto a variable that is not an Upload.
		ops := `{"query":` + quoteJSON(bulk) + `,"variables":{"input":{"projectId":null}}}`
		body, ct = multipartBody([2]string{"operations", ops}, [2]string{"map", `{"0":["variables.input.projectId"]}`}, [2]string{"0", "email\n"})
		msg = wantRequestError(t, rawRequest(t, http.MethodPost, url, map[string]string{"Content-Type": ct}, body, false), http.StatusOK, "GRAPHQL_VALIDATION_FAILED")
		if msg != "cannot use a file as ID" {
			t.Errorf("a file for an ID: message %q", msg)
		}
	})

	t.Run("GetMutation", func(t *testing.T) {
		for _, accept := range []string{"application/json", "application/graphql-response+json"} {
			a := rawRequest(t, http.MethodGet, url+"?query=mutation%20%7B%20logOut%20%7D", map[string]string{"Accept": accept}, nil, false)
			wantRequestError(t, a, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED")
			if allow := a.header.Get("Allow"); allow != "POST" {
				t.Errorf("Allow = %q, want POST", allow)
			}
		}
		a := rawRequest(t, http.MethodGet, url+"?query=%7B%20me%20%7B%20id%20%7D%20%7D", nil, nil, false)
		if a.status != http.StatusOK || string(a.body) != `{"data":{"me":null}}` {
			t.Errorf("GET query = %d %s", a.status, a.body)
		}
		wantRequestError(t, rawRequest(t, http.MethodGet, url, nil, nil, false), http.StatusBadRequest, "INVALID_REQUEST")
		wantRequestError(t, rawRequest(t, http.MethodGet, url+"?query=%7B%20me%20%7B%20id%20%7D%20%7D&variables=%5B%5D", nil, nil, false), http.StatusBadRequest, "INVALID_REQUEST")
	})

	t.Run("GraphQLErrorsByAccept", func(t *testing.T) {
		// Parse, validation and variable errors: 200 for application/json (Apollo Client 3
		// reads them as graphQLErrors), 400 for application/graphql-response+json; no data.
		for _, tc := range []struct{ name, body, reason string }{
			{"Parse", `{"query":"{"}`, "GRAPHQL_PARSE_FAILED"},
			{"Validation", `{"query":"{ nosuchfield }"}`, "GRAPHQL_VALIDATION_FAILED"},
			{"Variable", `{"query":"query($id: ID!) { project(id: $id) { id } }","variables":{"id":null}}`, "GRAPHQL_VALIDATION_FAILED"},
		} {
			for accept, status := range map[string]int{"": 200, "application/json": 200, "*/*": 200, "application/graphql-response+json": 400} {
				a := rawRequest(t, http.MethodPost, url, map[string]string{"Content-Type": "application/json", "Accept": accept}, []byte(tc.body), false)
				wantRequestError(t, a, status, tc.reason)
				wantType := "application/json"
				if accept == "application/graphql-response+json" {
					wantType = accept
				}
				if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, wantType) {
					t.Errorf("%s with Accept %q: Content-Type %q", tc.name, accept, ct)
				}
			}
		}
	})

	t.Run("InputCoercion", func(t *testing.T) {
		// Variables are coerced as the GraphQL spec says: no strings for numbers, no
		// case-insensitive enums, no numbers past 32 bits for Int.
		const projects = `query($first: Int) { projects(first: $first) { totalCount } }`
		const members = `query($role: ProjectRole) { project(id: "00000000-0000-0000-0000-000000000000") { members(role: $role) { totalCount } } }`
		const logIn = `mutation($i: LogInInput!) { logIn(input: $i) { token } }`
		for _, tc := range []struct {
			name, query string
			vars        map[string]any
			want        string
		}{
			{"IntFromString", projects, map[string]any{"first": "5"}, `an Int must be a whole number`},
			{"IntFraction", projects, map[string]any{"first": 5.5}, `Int`},
			{"IntPast32Bits", projects, map[string]any{"first": 1 << 31}, `an Int must be a whole number`},
			{"IntFromBoolean", projects, map[string]any{"first": true}, `cannot use a boolean as Int`},
			{"InputObjectFromList", logIn, map[string]any{"i": []any{1}}, `must be a LogInInput (an object), not a list`},
			{"EnumWrongCase", members, map[string]any{"role": "admin"}, `"admin" is not a ProjectRole`},
			{"BooleanFromString", `query($dry: Boolean!) { __typename @include(if: $dry) }`, map[string]any{"dry": "true"}, `cannot use a string as Boolean`},
			{"EnumInAListWrongCase", bulk, map[string]any{"input": map[string]any{"projectId": "00000000-0000-0000-0000-000000000000",
				"rows": []any{map[string]any{"email": "a@example.com", "role": "ADMIN"}, map[string]any{"email": "b@example.com", "role": "Admin"}}}},
				`input: rows: item 1: role: the string "Admin" is not a ProjectRole`},
			{"IDFromFraction", `query($id: ID!) { project(id: $id) { id } }`, map[string]any{"id": 1.5}, `an ID must be a string or a whole number`},
			{"StringFromNumber", logIn, map[string]any{"i": map[string]any{"email": 5, "password": "x"}}, ``},
		} {
			body, _ := json.Marshal(map[string]any{"query": tc.query, "variables": tc.vars})
			msg := wantRequestError(t, rawRequest(t, http.MethodPost, url, jsonHeader, body, false), http.StatusOK, "GRAPHQL_VALIDATION_FAILED")
			if !strings.Contains(msg, tc.want) {
				t.Errorf("%s: message %q, want it to say %q", tc.name, msg, tc.want)
			}
		}
		// The same values as the spec has them are accepted.
		body, _ := json.Marshal(map[string]any{"query": projects, "variables": map[string]any{"first": 5}})
		if a := rawRequest(t, http.MethodPost, url, jsonHeader, body, false); a.status != http.StatusOK || !strings.Contains(string(a.body), `"code":"UNAUTHENTICATED"`) {
			t.Errorf("first: 5 = %d %s, want it to run (and need a session)", a.status, a.body)
		}
	})
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// A cursor whose time PostgreSQL cannot represent once made the driver's error text reach the
// client as BAD_USER_INPUT. Now the cursor's own check refuses it, naming after, before any SQL,
// and the answer names nothing of the database.
func TestServer_DriverErrorsDoNotLeak(t *testing.T) {
	base := startServer(t, map[string]string{})
	c := e2eClient{t, base}
	token := c.signUp(map[string]any{"email": e2eEmail("leak"), "password": "correct horse", "name": "L"}).SignUp.Token
	cursor := base64.RawURLEncoding.EncodeToString([]byte("-9223372036854775808:00000000-0000-0000-0000-000000000000"))
	body, _ := json.Marshal(map[string]any{"query": `query($after: String) { projects(first: 1, after: $after) { totalCount } }`, "variables": map[string]any{"after": cursor}})
	a := rawRequest(t, http.MethodPost, base+"/graphql", map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + token}, body, false)
	var r struct {
		Errors e2eErrors `json:"errors"`
	}
	if err := json.Unmarshal(a.body, &r); err != nil || len(r.Errors) == 0 {
		t.Fatalf("HTTP %d %s, want an error", a.status, a.body)
	}
	if e := r.Errors[0]; e.Extensions.Code != "BAD_USER_INPUT" || e.Extensions.Field != "after" {
		t.Errorf("code %q naming %q, want BAD_USER_INPUT naming after", e.Extensions.Code, e.Extensions.Field)
	}
	for _, s := range []string{"SQLSTATE", "ERROR", "time zone", "postgres", "127.0.0.1"} {
		if strings.Contains(string(a.body), s) {
			t.Errorf("the answer leaks %q: %s", s, a.body)
		}
	}
}
