package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/invites/invites/internal/invites"
)

// A query with @defer is answered in parts, per the incremental delivery format that Apollo
// Client reads (`deferSpec=20220824`, the one gqlgen's executor makes): the first part is
// the query's data without the deferred fields and `"hasNext": true`; each later part is
// `{"incremental": [{"data": ..., "path": [...], "label": ...}], "hasNext": ...}`, with the
// fields of one deferred fragment at the object that path names. gqlgen defers in queries
// only: a mutation's deferred fields are answered with the rest of it.

// incrementalItem is one deferred fragment's result.
type incrementalItem struct {
	Errors gqlerror.List   `json:"errors,omitempty"`
	Data   json.RawMessage `json:"data"`
	Path   ast.Path        `json:"path"`
	Label  string          `json:"label,omitempty"`
}

// writeIncremental answers a query whose first response (first) has more to come, in parts
// as responses makes them.
func writeIncremental(ctx context.Context, w http.ResponseWriter, first *graphql.Response, responses graphql.ResponseHandler) {
	w.Header().Set("Content-Type", `multipart/mixed; boundary="`+multipartBoundary+`"; deferSpec=20220824`)
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	parts := newPartWriter(w)
	hasNext := true
	body, err := json.Marshal(struct {
		Errors     gqlerror.List   `json:"errors,omitempty"`
		Data       json.RawMessage `json:"data"`
		HasNext    bool            `json:"hasNext"`
		Extensions map[string]any  `json:"extensions,omitempty"`
	}{first.Errors, first.Data, true, first.Extensions})
	for err == nil && parts.write(body) && hasNext {
		resp := nextResponse(ctx, responses)
		if resp == nil {
			break
		}
		hasNext = resp.HasNext != nil && *resp.HasNext
		if len(resp.Data) == 0 { // not a deferred result (whose path is empty at the root): the deadline's error
			body, err = json.Marshal(struct {
				Errors  gqlerror.List `json:"errors"`
				HasNext bool          `json:"hasNext"`
			}{resp.Errors, false})
			hasNext = false
			continue
		}
		body, err = json.Marshal(struct {
			Incremental []incrementalItem `json:"incremental"`
			HasNext     bool              `json:"hasNext"`
		}{[]incrementalItem{{resp.Errors, resp.Data, resp.Path, resp.Label}}, hasNext})
	}
	if err != nil {
		parts.write([]byte(`{"errors":[{"message":"internal error","extensions":{"code":"` + string(invites.Internal) + `"}}],"hasNext":false}`))
	}
	parts.close()
}

// nextResponse is responses' next response, or the deadline's error once ctx ends first:
// gqlgen's executor drops a deferred result whose context ended before it was taken, and
// would then wait for it forever.
func nextResponse(ctx context.Context, responses graphql.ResponseHandler) *graphql.Response {
	next := make(chan *graphql.Response, 1)
	go func() { next <- responses(ctx) }()
	select {
	case resp := <-next:
		return resp
	case <-ctx.Done():
		return &graphql.Response{Errors: gqlerror.List{{
			Message:    "the request ended before its deferred fields were answered",
			Extensions: map[string]any{"code": string(invites.Internal), "reason": reasonRequestTimeout},
		}}}
	}
}

// reasonDeferNeedsMultipart is the `extensions.reason` of a query with @defer sent by a
// client that accepts no multipart answer.
const reasonDeferNeedsMultipart = "DEFER_NEEDS_MULTIPART"

// refuseDefer answers a query with @defer from a client that cannot read its parts, as
// Apollo's router does (406): answering it whole would hide that the client asked for
// something else than it gets.
func refuseDefer(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	sendError(w, r, exec, http.StatusNotAcceptable, reasonDeferNeedsMultipart, "%s",
		fmt.Sprintf("the query uses @defer, whose answer comes in parts: send it with Accept: multipart/mixed;deferSpec=20220824, %s (or without @defer)", mediaJSON))
}
