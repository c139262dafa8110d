package graph

// Safe retries (SPEC §7): a mutation sent with an Idempotency-Key header (the IETF httpapi
// draft "The Idempotency-Key HTTP Header Field") runs once; its retries get its answer. The rule
// is internal/idempotency's; this file is its HTTP face:
//   - withRetries, one of wrapHTTP's wrappers (pipeline.go), puts the header where the
//     transports find it;
//   - serve (transport.go) claims the key (claimRetry) once the request is known to be a
//     mutation that will run: after parsing, validation, the variables and the limits, so that
//     a request that fails before running is never stored. Queries and subscriptions ignore the
//     header: they are safe to send again as they are.
//
// The key belongs to its caller: the signed-in user, or for an anonymous request its client
// address (TRUSTED_PROXIES). The request's "body" is what it asks (requestDigest), not its
// bytes: whitespace and key order in its JSON, and a multipart request's boundary, may change
// between retries. The answers:
//   - a retry of a request that ran: its stored status and body, with Idempotent-Replayed: true;
//   - the key with another body: 422, IDEMPOTENCY_KEY_REUSED;
//   - the key while its request still runs: 409, IDEMPOTENCY_KEY_IN_USE, with Retry-After;
//   - a malformed key: 400, BAD_USER_INPUT with reason INVALID_IDEMPOTENCY_KEY.
//
// A mutation with a key runs to its end even if its client goes away (runContext), and its
// answer is kept whatever its errors, except where they say a retry may go otherwise:
// UNAVAILABLE, INTERNAL (a failed or cut-short run, almost always rolled back) and
// RATE_LIMITED let the key go, as does an answer over IDEMPOTENCY_MAX_ANSWER; the next request
// with the key then runs.

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/invites/invites/internal/idempotency"
	"github.com/invites/invites/internal/invites"
)

const (
	headerIdempotencyKey = "Idempotency-Key"
	// reasonInvalidIdempotencyKey is the BAD_USER_INPUT reason of a malformed key.
	reasonInvalidIdempotencyKey = "INVALID_IDEMPOTENCY_KEY"
	// finishTimeout bounds keeping an answer, which outlives the request's context: a client
	// that has gone may retry, and its retry must find the answer.
	finishTimeout = 5 * time.Second
)

type retriesKey struct{}

// retries is what a POST with an Idempotency-Key carries to the transports.
type retries struct {
	store  *idempotency.Store
	header []string
	// scope is the caller, whose keys are theirs alone.
	scope func(context.Context) (string, error)
	log   *slog.Logger
}

// withRetries puts a POST's Idempotency-Key header where serve finds it. With no store, the
// header is ignored.
func (r *Resolver) withRetries(store *idempotency.Store, log *slog.Logger, next http.Handler) http.Handler {
	if store == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		header := req.Header.Values(headerIdempotencyKey)
		if len(header) == 0 || req.Method != http.MethodPost {
			next.ServeHTTP(w, req)
			return
		}
		rs := &retries{store: store, header: header, scope: r.retryScope, log: log}
		next.ServeHTTP(w, req.WithContext(context.WithValue(req.Context(), retriesKey{}, rs)))
	})
}

// retryScope is the caller whom a key belongs to: the signed-in user; for anyone else
// (signUp, logIn) the client's address, so that one person's key never answers another.
func (r *Resolver) retryScope(ctx context.Context) (string, error) {
	u, err := r.optionalViewer(ctx)
	if err != nil {
		return "", err
	}
	if u != nil {
		return "user:" + u.ID.String(), nil
	}
	return "client:" + clientAddr(ctx).String(), nil
}

// claimRetry decides a mutation sent with an Idempotency-Key before it runs: it answers a
// replay or a refusal itself (answered), or claims the key for this run, whose answer the claim
// keeps (retryClaim.finish). Any other request goes on as it is, with a nil claim.
func claimRetry(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, params *graphql.RawParams,
	op *graphql.OperationContext) (claim *retryClaim, answered bool) {
	rs, ok := r.Context().Value(retriesKey{}).(*retries)
	if !ok || op.Operation.Operation != ast.Mutation {
		return nil, false
	}
	key, err := idempotency.ParseKey(rs.header)
	if err != nil {
		sendError(w, r, exec, http.StatusBadRequest, reasonInvalidIdempotencyKey, "%s", err)
		return nil, true
	}
	res, err := rs.begin(r.Context(), key, params, op)
	switch {
	case err != nil:
		refuse(w, r, exec, op, http.StatusInternalServerError, err)
	case res.Outcome == idempotency.Replay:
		w.Header().Set("Idempotent-Replayed", "true")
		writeBody(w, res.Answer.ContentType, res.Answer.Status, [][]byte{res.Answer.Body})
	case res.Outcome == idempotency.Reused:
		refuse(w, r, exec, op, http.StatusUnprocessableEntity, invites.Errorf(invites.IdempotencyKeyReused,
			"this Idempotency-Key was used with another request: send a new key with each new request"))
	case res.Outcome == idempotency.InFlight:
		w.Header().Set("Retry-After", "1")
		refuse(w, r, exec, op, http.StatusConflict, invites.Errorf(invites.IdempotencyKeyInUse,
			"the request with this Idempotency-Key is still running: retry in a moment for its answer"))
	default:
		return &retryClaim{claim: res.Claim, log: rs.log}, false
	}
	return nil, true
}

// begin asks the store about the request: key, from its caller, asking what params and op say.
func (rs *retries) begin(ctx context.Context, key string, params *graphql.RawParams, op *graphql.OperationContext) (idempotency.Result, error) {
	scope, err := rs.scope(ctx)
	if err != nil {
		return idempotency.Result{}, err
	}
	digest, err := requestDigest(op, params)
	if err != nil {
		return idempotency.Result{}, err
	}
	return rs.store.Begin(ctx, idempotency.Request{Scope: scope, Key: key, Digest: digest})
}

// refuse answers a mutation with err, without running it, through the executor (the error
// presenter gives the code; the metrics count it): an outage is UNAVAILABLE with 503.
func refuse(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, op *graphql.OperationContext, status int, err error) {
	resp := exec.DispatchError(graphql.WithOperationContext(r.Context(), op), gqlerror.List{gqlerror.Wrap(err)})
	if hasCode(resp, string(invites.Unavailable)) {
		status = http.StatusServiceUnavailable
	}
	write(w, responseMediaType(r), status, resp)
}

// retryClaim is a mutation's hold on its Idempotency-Key while it runs.
type retryClaim struct {
	claim *idempotency.Claim
	log   *slog.Logger
	// stop ends runContext's context.
	stop context.CancelFunc
}

// runContext is the context that a mutation runs in: with a key (c not nil), the request's,
// deadline included, but not ended by the client going away. A client that sent a key will
// retry and ask for the answer: the run goes on to its end and keeps it, rather than stop at
// any point, perhaps after its commit, and leave nothing to answer with.
func (c *retryClaim) runContext(ctx context.Context) context.Context {
	if c == nil {
		return ctx
	}
	run := context.WithoutCancel(ctx)
	if deadline, ok := ctx.Deadline(); ok {
		run, c.stop = context.WithDeadline(run, deadline)
	}
	return run
}

// finish writes the answer of a mutation: when it holds a key (c is not nil), it first keeps
// the answer for the key's retries, or lets the key go where a retry may go otherwise.
func (c *retryClaim) finish(ctx context.Context, w http.ResponseWriter, media string, status int, resp *graphql.Response) {
	if c == nil {
		write(w, media, status, resp)
		return
	}
	if c.stop != nil {
		defer c.stop()
	}
	status, body := responseBody(status, resp)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	var err error
	if retryMayDiffer(status, resp) {
		err = c.claim.Release(ctx)
	} else {
		_, err = c.claim.Complete(ctx, idempotency.Answer{Status: status, ContentType: media, Body: joined(body)})
	}
	if err != nil {
		// The key stays claimed until its lease ends; its retries are told it is running.
		c.log.ErrorContext(ctx, "idempotency key not finished", "operation", operationName(ctx), "error", err)
	}
	writeBody(w, media, status, body)
}

// retryMayDiffer reports whether an answer says that running the request again may go
// otherwise: it failed, or was refused for now, before its work was done.
func retryMayDiffer(status int, resp *graphql.Response) bool {
	return status >= http.StatusInternalServerError || resp == nil ||
		hasCode(resp, string(invites.Unavailable), string(invites.Internal), string(invites.RateLimited))
}

// hasCode reports whether any of resp's errors has one of codes.
func hasCode(resp *graphql.Response, codes ...string) bool {
	for _, e := range resp.Errors {
		for _, code := range codes {
			if e.Extensions["code"] == code {
				return true
			}
		}
	}
	return false
}

func joined(parts [][]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// requestDigest is the SHA-256 of what a request asks: its document (a persisted query's
// text, however it was sent), its operation name and its variables, with each uploaded file's
// content, by its SHA-256, standing in for the file. A retry asks the same, whatever the order
// of keys in its JSON or its multipart boundary.
func requestDigest(op *graphql.OperationContext, params *graphql.RawParams) ([32]byte, error) {
	vars, err := withFileDigests(params.Variables)
	if err != nil {
		return [32]byte{}, err
	}
	b, err := json.Marshal(map[string]any{"query": op.RawQuery, "operationName": op.OperationName, "variables": vars})
	return sha256.Sum256(b), err
}

// withFileDigests is a copy of v with each upload replaced by its content's SHA-256; v is left
// as it is, for the executor, and each file is read back from its start.
func withFileDigests(v any) (any, error) {
	var err error
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if out[k], err = withFileDigests(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			if out[i], err = withFileDigests(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	case graphql.Upload:
		h := sha256.New()
		if _, err := io.Copy(h, v.File); err != nil {
			return nil, err
		}
		_, err := v.File.Seek(0, io.SeekStart)
		return map[string]any{"fileSHA256": h.Sum(nil)}, err
	}
	return v, nil
}
