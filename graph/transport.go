package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/invites/invites/internal/invites"
)

// The transports serve GraphQL over HTTP as its spec (graphql.github.io/graphql-over-http)
// and graphql-http's audit expect, where gqlgen's own differ:
//   - Every error, the transport's own included, is GraphQL JSON with `extensions.code`
//     (BAD_USER_INPUT, with `extensions.reason` saying what was wrong with the request).
//   - A request the server cannot run (a body that is not JSON, no query, a variables field
//     that is not an object) is HTTP 400; too large a body 413; a method other than GET, POST
//     and OPTIONS 405 with Allow; a POST that is neither JSON nor multipart 415.
//   - A query that fails to parse or validate, or a variable that cannot be coerced, is HTTP
//     200 for `Accept: application/json` (so that clients such as Apollo Client 3 read the
//     errors) and 400 for `application/graphql-response+json`; such an answer has no "data".
//   - A mutation sent by GET is 405 with `Allow: POST`.
//   - An answer with an UNAVAILABLE error (the database is down) is HTTP 503.

const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaMultipart       = "multipart/form-data"
)

// Reasons for the transport's BAD_USER_INPUT errors, in `extensions.reason`.
const (
	reasonInvalidRequest   = "INVALID_REQUEST"
	reasonBodyTooLarge     = "BODY_TOO_LARGE"
	reasonMethodNotAllowed = "METHOD_NOT_ALLOWED"
	reasonUnsupportedMedia = "UNSUPPORTED_MEDIA_TYPE"
	reasonInvalidMultipart = "INVALID_MULTIPART"
)

// postJSON serves a POST with an application/json body.
type postJSON struct{}

func (postJSON) Supports(r *http.Request) bool {
	return r.Method == http.MethodPost && requestMediaType(r) == mediaJSON
}

func (postJSON) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		sendBodyError(w, r, exec, err)
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		sendError(w, r, exec, http.StatusBadRequest, reasonInvalidRequest, "the request body is empty: send a JSON object with a query")
		return
	}
	params := &graphql.RawParams{Headers: r.Header}
	params.ReadTime.Start = start
	if msg := decodeParams(body, params); msg != "" {
		sendError(w, r, exec, http.StatusBadRequest, reasonInvalidRequest, "%s", msg)
		return
	}
	serve(w, r, exec, params, true)
}

// getQuery serves a GET with the request in its URL's query string; it runs queries only.
type getQuery struct{}

func (getQuery) Supports(r *http.Request) bool { return r.Method == http.MethodGet }

func (getQuery) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		sendError(w, r, exec, http.StatusBadRequest, reasonInvalidRequest, "the URL's query string is malformed")
		return
	}
	params := &graphql.RawParams{Query: values.Get("query"), OperationName: values.Get("operationName"), Headers: r.Header}
	params.ReadTime.Start = graphql.Now()
	for _, p := range []struct {
		name string
		dst  *map[string]any
	}{{"variables", &params.Variables}, {"extensions", &params.Extensions}} {
		if v := values.Get(p.name); v != "" {
			if !decodeObject([]byte(v), p.dst) {
				sendError(w, r, exec, http.StatusBadRequest, reasonInvalidRequest, "%s must be a JSON object", p.name)
				return
			}
		}
	}
	serve(w, r, exec, params, false)
}

// multipartForm serves a POST per the GraphQL multipart request spec
// (github.com/jaydenseric/graphql-multipart-request-spec): the parts `operations`, `map`, then
// the files. The body's size is capped before this (limitBody); a file is kept in memory up to
// uploadMemory bytes and spooled to a temporary file beyond, so that concurrent uploads of a
// few MiB each do not all sit on the heap.
type multipartForm struct{}

// uploadMemory is how much of one uploaded file is kept in memory before it goes to disk.
const uploadMemory = 256 << 10

func (multipartForm) Supports(r *http.Request) bool {
	return r.Method == http.MethodPost && requestMediaType(r) == mediaMultipart
}

func (multipartForm) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	fail := func(err error, format string, args ...any) {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			sendBodyError(w, r, exec, err)
			return
		}
		sendError(w, r, exec, http.StatusBadRequest, reasonInvalidMultipart, format, args...)
	}
	const spec = " (see the GraphQL multipart request spec)"
	mr, err := r.MultipartReader()
	if err != nil {
		fail(err, "the multipart body is malformed"+spec)
		return
	}
	part, err := mr.NextPart()
	if err != nil || part.FormName() != "operations" {
		fail(err, "the first part must be `operations`"+spec)
		return
	}
	operations, err := io.ReadAll(part)
	if err != nil {
		fail(err, "the `operations` part could not be read")
		return
	}
	params := &graphql.RawParams{Headers: r.Header}
	params.ReadTime.Start = start
	if msg := decodeParams(operations, params); msg != "" {
		fail(nil, "operations: %s", msg)
		return
	}
	part, err = mr.NextPart()
	if err != nil || part.FormName() != "map" {
		fail(err, "the second part must be `map`"+spec)
		return
	}
	var files map[string][]string
	if err := json.NewDecoder(part).Decode(&files); err != nil {
		fail(err, "`map` must be a JSON object from each file's part name to the variable paths it fills, such as {\"0\": [\"variables.input.csv\"]}")
		return
	}
	var spooled []*os.File
	defer func() {
		for _, f := range spooled {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	for {
		part, err = mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			fail(err, "the multipart body is malformed"+spec)
			return
		}
		key := part.FormName()
		paths, ok := files[key]
		if !ok || len(paths) == 0 {
			fail(nil, "the part %q is not a file named in `map`", key)
			return
		}
		delete(files, key)
		content, size, file, err := spool(part)
		if file != nil {
			spooled = append(spooled, file)
		}
		if err != nil {
			fail(err, "the file %q could not be read", key)
			return
		}
		for _, path := range paths {
			upload := graphql.Upload{File: content, Filename: part.FileName(), Size: size,
				ContentType: part.Header.Get("Content-Type")}
			if !setUpload(params.Variables, path, upload) {
				fail(nil, "map: %q is not the path of a null variable for the file %q, such as \"variables.input.csv\"", path, key)
				return
			}
		}
	}
	for key := range files {
		fail(nil, "`map` names the file %q, but the request has no part %q", key, key)
		return
	}
	serve(w, r, exec, params, true)
}

// spool reads a file part: into memory when it fits in uploadMemory, else into a temporary file
// (returned, for the caller to remove) read back from its start.
func spool(part io.Reader) (content io.ReadSeeker, size int64, file *os.File, err error) {
	head, err := io.ReadAll(io.LimitReader(part, uploadMemory+1))
	if err != nil || len(head) <= uploadMemory {
		return bytes.NewReader(head), int64(len(head)), nil, err
	}
	file, err = os.CreateTemp("", "invites-upload-*")
	if err != nil {
		return nil, 0, nil, err
	}
	size, err = io.Copy(file, io.MultiReader(bytes.NewReader(head), part))
	if err == nil {
		_, err = file.Seek(0, io.SeekStart)
	}
	return file, size, file, err
}

// setUpload puts upload in place of the null (or absent) variable at path
// ("variables.input.csv", "variables.files.0"), and reports whether there was one.
func setUpload(vars map[string]any, path string, upload graphql.Upload) bool {
	parts := strings.Split(path, ".")
	if len(parts) < 2 || parts[0] != "variables" || vars == nil {
		return false
	}
	var cur any = vars
	for i, p := range parts[1:] {
		last := i == len(parts)-2
		switch c := cur.(type) {
		case map[string]any:
			if last {
				if v, ok := c[p]; ok && v != nil {
					return false
				}
				c[p] = upload
				return true
			}
			cur = c[p]
		case []any:
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 || n >= len(c) {
				return false
			}
			if last {
				if c[n] != nil {
					return false
				}
				c[n] = upload
				return true
			}
			cur = c[n]
		default:
			return false
		}
	}
	return false
}

// unsupported answers every request no other transport takes: 415 for a POST of another
// content type, 405 for another method.
type unsupported struct{}

func (unsupported) Supports(*http.Request) bool { return true }

func (unsupported) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	if r.Method == http.MethodPost {
		w.Header().Set("Accept-Post", mediaJSON+", "+mediaMultipart)
		sendError(w, r, exec, http.StatusUnsupportedMediaType, reasonUnsupportedMedia,
			"a POST must have Content-Type application/json (or multipart/form-data for a file upload)")
		return
	}
	w.Header().Set("Allow", "GET, POST, OPTIONS")
	sendError(w, r, exec, http.StatusMethodNotAllowed, reasonMethodNotAllowed,
		"the method %s is not allowed: use POST (or GET for a query)", r.Method)
}

// serve runs a decoded request and writes its answer. mutations says whether the method may
// run a mutation (GET may not).
func serve(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, params *graphql.RawParams, mutations bool) {
	ctx := r.Context()
	if params.Query == "" && params.Extensions["persistedQuery"] == nil {
		sendError(w, r, exec, http.StatusBadRequest, reasonInvalidRequest, "the request has no query")
		return
	}
	params.ReadTime.End = graphql.Now()
	media := responseMediaType(r)
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		// A parse, validation or variable error, or a limit: nothing ran.
		status := http.StatusOK
		if media == mediaGraphQLResponse {
			status = http.StatusBadRequest
		}
		write(w, media, status, exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs))
		return
	}
	if !mutations && opCtx.Operation.Operation != ast.Query {
		w.Header().Set("Allow", http.MethodPost)
		sendError(w, r, exec, http.StatusMethodNotAllowed, reasonMethodNotAllowed,
			"a %s must be sent with POST; GET runs queries only", opCtx.Operation.Operation)
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	resp := responses(ctx)
	status := http.StatusOK
	if resp == nil {
		status = http.StatusInternalServerError
		resp = &graphql.Response{Errors: gqlerror.List{{Message: "internal error", Extensions: map[string]any{"code": string(invites.Internal)}}}}
	}
	for _, e := range resp.Errors {
		if e.Extensions["code"] == codeUnavailable {
			status = http.StatusServiceUnavailable
		}
	}
	write(w, media, status, resp)
}

// sendError answers with one BAD_USER_INPUT error about the request itself. It goes through
// the executor so that the error presenter and the metrics see it.
func sendError(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, status int, reason, format string, args ...any) {
	err := &gqlerror.Error{
		Message:    fmt.Sprintf(format, args...),
		Extensions: map[string]any{"code": string(invites.BadUserInput), "reason": reason},
	}
	ctx := graphql.WithOperationContext(r.Context(), &graphql.OperationContext{})
	write(w, responseMediaType(r), status, exec.DispatchError(ctx, gqlerror.List{err}))
}

// sendBodyError answers a request whose body could not be read: 413 when it is over the cap.
func sendBodyError(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, err error) {
	if tooLarge, ok := errors.AsType[*http.MaxBytesError](err); ok {
		sendError(w, r, exec, http.StatusRequestEntityTooLarge, reasonBodyTooLarge,
			"the request body is larger than %d bytes", tooLarge.Limit)
		return
	}
	sendError(w, r, exec, http.StatusBadRequest, reasonInvalidRequest, "the request body could not be read")
}

// decodeParams reads a request's JSON object into params, and says what is wrong with it
// (in terms of JSON, never of Go types) when it cannot.
func decodeParams(body []byte, params *graphql.RawParams) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	err := dec.Decode(params)
	if err == nil {
		return ""
	}
	if typeErr, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		switch typeErr.Field {
		case "query", "operationName":
			return typeErr.Field + " must be a string"
		case "":
			return "the request must be a JSON object with a query (batches are not supported)"
		default:
			// variables or extensions, or a value within them: both must be objects.
			return strings.SplitN(typeErr.Field, ".", 2)[0] + " must be a JSON object"
		}
	}
	return "the request body is not valid JSON"
}

// decodeObject decodes a JSON object, numbers kept exact, and reports whether it was one.
func decodeObject(b []byte, dst *map[string]any) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(dst) == nil
}

// write sends resp as JSON with status. A response without data (a request error) has no
// "data" key, as the GraphQL over HTTP spec asks. The data is gqlgen's output, compact JSON
// already, and is written as it is, without a copy: encoding/json would validate and compact
// the whole page again (a tenth of a member page's CPU).
func write(w http.ResponseWriter, media string, status int, resp *graphql.Response) {
	body, err := responseJSON(resp)
	if err != nil {
		status = http.StatusInternalServerError
		body = [][]byte{[]byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)}
	}
	size := 0
	for _, part := range body {
		size += len(part)
	}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(size))
	w.WriteHeader(status)
	for _, part := range body {
		if _, err := w.Write(part); err != nil {
			return // the client has gone; nothing to do
		}
	}
}

// responseJSON is resp's body, in parts: errors, data and extensions, each left out when
// empty.
func responseJSON(resp *graphql.Response) ([][]byte, error) {
	var errs, ext []byte
	var err error
	if len(resp.Errors) > 0 {
		if errs, err = json.Marshal(resp.Errors); err != nil {
			return nil, err
		}
	}
	if len(resp.Extensions) > 0 {
		if ext, err = json.Marshal(resp.Extensions); err != nil {
			return nil, err
		}
	}
	body := make([][]byte, 0, 7)
	sep := []byte("{")
	for _, member := range []struct {
		key   string
		value []byte
	}{{`"errors":`, errs}, {`"data":`, resp.Data}, {`"extensions":`, ext}} {
		if len(member.value) == 0 {
			continue
		}
		body = append(body, append(sep, member.key...), member.value)
		sep = []byte(",")
	}
	if len(body) == 0 {
		return [][]byte{[]byte("{}")}, nil
	}
	return append(body, []byte("}")), nil
}

// requestMediaType is the request's Content-Type without parameters, or "".
func requestMediaType(r *http.Request) string {
	media, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return media
}

// responseMediaType chooses the answer's media type from Accept: application/json when the
// client accepts it or says nothing, else application/graphql-response+json, the first of
// the two that Accept lists winning.
func responseMediaType(r *http.Request) string {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return mediaJSON
	}
	for part := range strings.SplitSeq(accept, ",") {
		media, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch media {
		case "*/*", "application/*", mediaJSON:
			return mediaJSON
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		}
	}
	return mediaGraphQLResponse
}
