package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/invites/invites/internal/invites"
)

// protocolCodes are gqlgen's own codes that clients act on and that pass unchanged: Apollo's
// automatic persisted queries resend the query on PERSISTED_QUERY_NOT_FOUND.
var protocolCodes = map[string]bool{"PERSISTED_QUERY_NOT_FOUND": true}

// errorPresenter gives every error the contract's `extensions.code`: a domain error keeps its
// code and message; a query that fails to parse or validate, a bad variable or a query over
// the limits is BAD_USER_INPUT (gqlgen's own code kept as `extensions.reason`); anything else
// is INTERNAL with no internals in the message, and is logged.
func errorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if domainErr, ok := errors.AsType[*invites.Error](err); ok {
			gqlErr.Message = domainErr.Message
			gqlErr.Extensions = map[string]any{"code": string(domainErr.Code)}
			if domainErr.Field != "" {
				gqlErr.Extensions["field"] = domainErr.Field
			}
			return gqlErr
		}
		if _, ok := errors.AsType[*gqlerror.Error](err); ok {
			code, _ := gqlErr.Extensions["code"].(string)
			if protocolCodes[code] {
				return gqlErr
			}
			if gqlErr.Extensions == nil {
				gqlErr.Extensions = map[string]any{}
			}
			if code != "" {
				gqlErr.Extensions["reason"] = code
			}
			gqlErr.Extensions["code"] = string(invites.BadUserInput)
			return gqlErr
		}
		if !errors.Is(err, errPanicked) { // a panic's stack is logged already
			log.ErrorContext(ctx, "request failed", "path", gqlErr.Path.String(), "error", err)
		}
		return &gqlerror.Error{
			Message:    "internal error",
			Path:       gqlErr.Path,
			Extensions: map[string]any{"code": string(invites.Internal)},
		}
	}
}

// errPanicked stands for a recovered panic once recoverFunc has logged it.
var errPanicked = errors.New("panic in resolver")

// recoverFunc logs a panic in a resolver with its stack; the request gets INTERNAL.
func recoverFunc(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return errPanicked
	}
}
