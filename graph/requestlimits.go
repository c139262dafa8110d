package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/invites/invites/internal/invites"
)

// introspectionLimit caps the `__schema` and `__type` fields of an operation (aliases make
// them many): gqlgen's complexity counts `__schema` as free, and each one answers the whole
// schema, so that 1,000 of them made a 14 MB response.
type introspectionLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = introspectionLimit{}

func (introspectionLimit) ExtensionName() string                          { return "IntrospectionLimit" }
func (introspectionLimit) Validate(schema graphql.ExecutableSchema) error { return nil }

func (l introspectionLimit) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	n := 0
	for _, f := range graphql.CollectFields(op, op.Operation.SelectionSet, []string{"Query"}) {
		if f.Name == "__schema" || f.Name == "__type" {
			n++
		}
	}
	if n > l.max {
		return limitError(reasonIntrospection, "the query has %d __schema and __type fields; the limit is %d", n, l.max)
	}
	return nil
}

// errorLimit keeps the first max errors of a response and says in the response's
// extensions how many more were left out: some invalid documents yield an error per pair of
// fields.
type errorLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = errorLimit{}

func (errorLimit) ExtensionName() string                          { return "ErrorLimit" }
func (errorLimit) Validate(schema graphql.ExecutableSchema) error { return nil }

func (l errorLimit) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || len(resp.Errors) <= l.max {
		return resp
	}
	if resp.Extensions == nil {
		resp.Extensions = map[string]any{}
	}
	resp.Extensions["errorsOmitted"] = len(resp.Errors) - l.max
	resp.Errors = resp.Errors[:l.max:l.max]
	return resp
}

// reasonRequestTimeout is the `extensions.reason` of an INTERNAL error caused by REQUEST_TIMEOUT.
const reasonRequestTimeout = "REQUEST_TIMEOUT"

// withDeadline gives each request at most timeout. The request's context also ends when the
// client goes away, and every database call takes that context, so the work stops either way.
func withDeadline(next http.Handler, timeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isStream(r) { // a subscription lasts as long as its client wants
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// timedOut answers a request whose deadline passed before its response was made: gqlgen
// then makes no response at all, and the client would read `null`.
type timedOut struct{ timeout time.Duration }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = timedOut{}

func (timedOut) ExtensionName() string                          { return "TimedOut" }
func (timedOut) Validate(schema graphql.ExecutableSchema) error { return nil }

func (d timedOut) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	responses := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		if resp == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return &graphql.Response{Errors: gqlerror.List{{
				Message:    fmt.Sprintf("the request took longer than %s", d.timeout),
				Extensions: map[string]any{"code": string(invites.Internal), "reason": reasonRequestTimeout},
			}}}
		}
		return resp
	}
}

// isStream reports whether r may open a subscription's stream: a WebSocket upgrade, a
// request for server-sent events, or one for multipart/mixed (whose transport gives a query
// or a mutation the deadline itself).
func isStream(r *http.Request) bool {
	return r.Header.Get("Upgrade") != "" || wantsEventStream(r) || multipartMixed{}.Supports(r)
}
