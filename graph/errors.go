package graph

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/invites/invites/internal/invites"
)

// protocolCodes are gqlgen's own codes that clients act on and that pass unchanged: Apollo's
// automatic persisted queries resend the query on PERSISTED_QUERY_NOT_FOUND.
var protocolCodes = map[string]bool{string(invites.PersistedQueryNotFound): true}

// errorPresenter gives every error the contract's `extensions.code`, judged by the error's
// cause, not by its outer type (gqlgen wraps every resolver error in a *gqlerror.Error):
//   - a domain error (*invites.Error) keeps its code and message, and its field, reason and
//     rows as `extensions.field`, `extensions.reason` and `extensions.rows`;
//   - gqlgen's own errors about the request, raised before execution (a query that fails to
//     parse or validate, a bad variable, a limit, a transport error), are BAD_USER_INPUT,
//     gqlgen's code kept as `extensions.reason`;
//   - the database being unreachable is UNAVAILABLE;
//   - anything else (a driver error, a cancelled context, a panic, a null in a non-null field)
//     is INTERNAL with the message "internal error", or with `extensions.reason`
//     REQUEST_TIMEOUT where the request's deadline ended the work.
//
// UNAVAILABLE and INTERNAL errors are logged here, once each, with the operation and path;
// their messages never carry internals such as the database's address.
func errorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if domainErr, ok := errors.AsType[*invites.Error](err); ok {
			gqlErr.Message = domainErr.Message
			gqlErr.Extensions = map[string]any{"code": string(domainErr.Code)}
			if domainErr.Field != "" {
				gqlErr.Extensions["field"] = domainErr.Field
			}
			if domainErr.Reason != "" {
				gqlErr.Extensions["reason"] = domainErr.Reason
			}
			if len(domainErr.Rows) > 0 {
				gqlErr.Extensions["rows"] = domainErr.Rows
			}
			return gqlErr
		}
		c := cause(err)
		if c == nil && graphql.GetFieldContext(ctx) == nil {
			return requestError(gqlErr)
		}
		if introspectionDisabled(ctx, c) {
			gqlErr.Extensions = map[string]any{"code": string(invites.BadUserInput), "reason": "INTROSPECTION_DISABLED"}
			return gqlErr
		}
		code, reason := string(invites.Internal), ""
		switch {
		case ctx.Err() != nil:
			// The request's deadline (REQUEST_TIMEOUT) passed or its client left; what the
			// driver says then (a cancelled query, a connection closed under it) is not an outage.
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				reason = reasonRequestTimeout
			}
		case unavailable(c):
			code = string(invites.Unavailable)
		}
		if !errors.Is(c, errPanicked) { // a panic is logged with its stack by recoverFunc
			level, msg := slog.LevelError, "request failed"
			if errors.Is(ctx.Err(), context.Canceled) { // its client left: nobody reads the answer
				level, msg = slog.LevelInfo, "request abandoned by its client"
			}
			log.Log(ctx, level, msg, "code", code, "operation", operationName(ctx),
				"path", gqlErr.Path.String(), "error", err)
		}
		message, ext := "internal error", map[string]any{"code": code}
		switch {
		case code == string(invites.Unavailable):
			message = "the service is unavailable; retry later"
		case reason != "":
			message, ext["reason"] = "the request took longer than the server allows (REQUEST_TIMEOUT)", reason
		}
		return &gqlerror.Error{
			Message:    message,
			Path:       gqlErr.Path,
			Locations:  gqlErr.Locations,
			Extensions: ext,
		}
	}
}

// requestError is an error of gqlgen's own about the request (no other error inside it):
// BAD_USER_INPUT, with gqlgen's code, if any, as the reason. Errors that already carry the
// contract's code (the transports') and protocol codes pass as they are.
func requestError(gqlErr *gqlerror.Error) *gqlerror.Error {
	code, _ := gqlErr.Extensions["code"].(string)
	if protocolCodes[code] || code == string(invites.BadUserInput) {
		return gqlErr
	}
	if len(gqlErr.Path) > 0 && gqlErr.Path[0] == ast.PathName("variable") {
		gqlErr.Message = plainVariableMessage(gqlErr.Message)
	}
	ext := make(map[string]any, len(gqlErr.Extensions)+1)
	for k, v := range gqlErr.Extensions {
		ext[k] = v
	}
	if code != "" {
		ext["reason"] = code
	}
	ext["code"] = string(invites.BadUserInput)
	gqlErr.Extensions = ext
	return gqlErr
}

// introspectionDisabled reports whether err is gqlgen's refusal of __schema or __type when
// introspection is off: the one error gqlgen raises while executing that is the client's
// doing. gqlgen gives it no type of its own, hence its text.
func introspectionDisabled(ctx context.Context, err error) bool {
	fc := graphql.GetFieldContext(ctx)
	if err == nil || fc == nil || fc.Field.Field == nil || err.Error() != "introspection disabled" {
		return false
	}
	return fc.Field.Name == "__schema" || fc.Field.Name == "__type"
}

// cause returns the first error in err's chain that is not a *gqlerror.Error: what a resolver
// or the runtime returned. It is nil when err is gqlgen's (or gqlparser's) own.
func cause(err error) error {
	for err != nil {
		gqlErr, ok := err.(*gqlerror.Error)
		if !ok {
			return err
		}
		err = gqlErr.Unwrap()
	}
	return nil
}

// unavailable reports whether err says that the database cannot be reached (refused or lost
// connections, a server shutting down or starting up), as opposed to a fault in a query.
func unavailable(err error) bool {
	if err == nil {
		return false
	}
	if _, ok := errors.AsType[*pgconn.ConnectError](err); ok {
		return true
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok {
		// Class 08: connection exception; 57P01-57P03: the server is shutting down, was
		// restarted, or cannot accept connections yet.
		switch pgErr.Code {
		case "57P01", "57P02", "57P03":
			return true
		}
		return strings.HasPrefix(pgErr.Code, "08")
	}
	if _, ok := errors.AsType[*net.OpError](err); ok {
		return true
	}
	// ErrConnClosed: a statement on a connection that pgx closed when it was lost, such as the
	// rest of a transaction whose server stopped (a failover) under it.
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, pgconn.ErrConnClosed)
}

// operationName is the name of the operation being served, or "" for an anonymous one.
func operationName(ctx context.Context) string {
	if !graphql.HasOperationContext(ctx) {
		return ""
	}
	op := graphql.GetOperationContext(ctx)
	if op.OperationName != "" || op.Operation == nil {
		return op.OperationName
	}
	return op.Operation.Name
}

// errPanicked stands for a recovered panic once recoverFunc has logged it.
var errPanicked = errors.New("panic in resolver")

// recoverFunc logs a panic in a resolver with its stack; the request gets INTERNAL.
func recoverFunc(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		path := ""
		if fc := graphql.GetFieldContext(ctx); fc != nil {
			path = fc.Path().String()
		}
		log.ErrorContext(ctx, "panic in resolver", "code", string(invites.Internal), "operation", operationName(ctx),
			"path", path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return errPanicked
	}
}
