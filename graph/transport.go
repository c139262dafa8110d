package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
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
//   - A mutation with an Idempotency-Key is answered once, its retries from the store
//     (idempotency.go).
//
// This file has the JSON and GET transports and what every transport shares; the multipart
// one (file uploads) is in multipart.go, and the writing of answers in response.go.

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
	retry, answered := claimRetry(w, r, exec, params, opCtx) // a mutation's Idempotency-Key
	if answered {
		return
	}
	responses, ctx := exec.DispatchOperation(retry.runContext(ctx), opCtx)
	resp := responses(ctx)
	status := http.StatusOK
	if resp == nil {
		status = http.StatusInternalServerError
		resp = &graphql.Response{Errors: gqlerror.List{{Message: "internal error", Extensions: map[string]any{"code": string(invites.Internal)}}}}
	}
	if hasCode(resp, string(invites.Unavailable)) {
		status = http.StatusServiceUnavailable
	}
	retry.finish(ctx, w, media, status, resp)
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
