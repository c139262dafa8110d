package graph

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/invites/invites/internal/invites"
)

// connectError is a real connection failure from the driver: nothing listens on port 1. Its
// text names the user, host, port and database, none of which may reach a client.
func connectError(t *testing.T) error {
	t.Helper()
	db, err := sql.Open("pgx", "postgres://secretuser@127.0.0.1:1/secretdb?connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Ping()
	if err == nil || !strings.Contains(err.Error(), "secretuser") {
		t.Fatalf("ping of a closed port: %v", err)
	}
	return err
}

func TestErrorPresenter(t *testing.T) {
	var logged strings.Builder
	log := slog.New(slog.NewTextHandler(&logged, nil))
	present := errorPresenter(log)
	request := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, nil)
	request = graphql.WithOperationContext(request, &graphql.OperationContext{OperationName: "Viewer"})
	// A resolver's error reaches the presenter as gqlgen hands it: wrapped with the field's
	// path, in the field's context.
	field := graphql.WithFieldContext(request, &graphql.FieldContext{Object: "Query",
		Field: graphql.CollectedField{Field: &ast.Field{Alias: "me", Name: "me"}}})
	fromResolver := func(err error) error { return graphql.ErrorOnPath(field, err) }
	schemaField := graphql.WithFieldContext(request, &graphql.FieldContext{Object: "Query",
		Field: graphql.CollectedField{Field: &ast.Field{Alias: "__schema", Name: "__schema"}}})

	parseErr := gqlerror.Errorf("Expected Name, found <EOF>")
	errcode.Set(parseErr, errcode.ParseFailed)
	apqErr := gqlerror.Errorf("PersistedQueryNotFound")
	errcode.Set(apqErr, "PERSISTED_QUERY_NOT_FOUND")
	transportErr := &gqlerror.Error{Message: "the request has no query", Extensions: map[string]any{"code": "BAD_USER_INPUT", "reason": "INVALID_REQUEST"}}

	for _, tc := range []struct {
		name        string
		ctx         context.Context
		err         error
		code        string
		reason      string // extensions.reason, when not ""
		message     string // the message, when not ""
		logged      bool
		mustNotLeak string
	}{
		{name: "DomainError", ctx: field, err: fromResolver(fmt.Errorf("wrapped: %w", &invites.Error{Code: invites.BadUserInput, Message: "email is not valid", Field: "email"})),
			code: "BAD_USER_INPUT", message: "email is not valid"},
		{name: "DomainErrorOtherCode", ctx: field, err: fromResolver(invites.Errorf(invites.LastOwner, "transfer ownership first")), code: "LAST_OWNER"},
		{name: "ParseError", ctx: request, err: parseErr, code: "BAD_USER_INPUT", reason: "GRAPHQL_PARSE_FAILED", message: "Expected Name, found <EOF>"},
		{name: "TransportError", ctx: request, err: transportErr, code: "BAD_USER_INPUT", reason: "INVALID_REQUEST"},
		{name: "PersistedQueryNotFound", ctx: request, err: apqErr, code: "PERSISTED_QUERY_NOT_FOUND"},
		{name: "DriverError", ctx: field, err: fromResolver(fmt.Errorf("list projects: %w", &pgconn.PgError{Code: "22009", Message: "time zone displacement out of range"})),
			code: "INTERNAL", message: "internal error", logged: true, mustNotLeak: "displacement"},
		{name: "PlainError", ctx: field, err: fromResolver(errors.New(`relation "users" does not exist at 10.0.0.5`)), code: "INTERNAL", message: "internal error", logged: true, mustNotLeak: "10.0.0.5"},
		{name: "ContextCancelled", ctx: field, err: fromResolver(fmt.Errorf("query: %w", context.Canceled)), code: "INTERNAL", logged: true},
		{name: "NullInNonNullField", ctx: field, err: graphql.ErrorOnPath(field, gqlerror.Errorf("the requested element is null which the schema does not allow")), code: "INTERNAL", logged: true},
		{name: "IntrospectionDisabled", ctx: schemaField, err: graphql.ErrorOnPath(schemaField, errors.New("introspection disabled")),
			code: "BAD_USER_INPUT", reason: "INTROSPECTION_DISABLED", message: "introspection disabled"},
		{name: "SameTextElsewhere", ctx: field, err: fromResolver(errors.New("introspection disabled")), code: "INTERNAL", logged: true},
		{name: "ConnectionRefused", ctx: field, err: fromResolver(fmt.Errorf("authenticate: %w", connectError(t))), code: "UNAVAILABLE", logged: true, mustNotLeak: "secret"},
		{name: "ConnectionReset", ctx: field, err: fromResolver(&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}), code: "UNAVAILABLE", logged: true},
		{name: "ServerShuttingDown", ctx: field, err: fromResolver(&pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}), code: "UNAVAILABLE", logged: true},
		{name: "ConnectionClosedUnderATransaction", ctx: field, err: fromResolver(fmt.Errorf("insert invite: %w", pgconn.ErrConnClosed)), code: "UNAVAILABLE", logged: true},
		{name: "CannotConnectNow", ctx: field, err: fromResolver(&pgconn.PgError{Code: "57P03", Message: "the database system is starting up"}), code: "UNAVAILABLE", logged: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logged.Reset()
			got := present(tc.ctx, tc.err)
			if got.Extensions["code"] != tc.code {
				t.Errorf("code = %v, want %s (%+v)", got.Extensions["code"], tc.code, got)
			}
			if tc.reason != "" && got.Extensions["reason"] != tc.reason {
				t.Errorf("reason = %v, want %s", got.Extensions["reason"], tc.reason)
			}
			if tc.message != "" && got.Message != tc.message {
				t.Errorf("message = %q, want %q", got.Message, tc.message)
			}
			if tc.mustNotLeak != "" && strings.Contains(fmt.Sprint(got.Message, got.Extensions), tc.mustNotLeak) {
				t.Errorf("the answer %q leaks %q", got.Message, tc.mustNotLeak)
			}
			lines := strings.Count(logged.String(), "request failed")
			if tc.logged {
				if lines != 1 {
					t.Errorf("logged %d times, want once: %s", lines, logged.String())
				}
				for _, want := range []string{"operation=Viewer", "path=me", "code=" + tc.code, "error="} {
					if !strings.Contains(logged.String(), want) {
						t.Errorf("the log line lacks %q: %s", want, logged.String())
					}
				}
			} else if lines != 0 {
				t.Errorf("a client's error was logged: %s", logged.String())
			}
		})
	}

	t.Run("Panic", func(t *testing.T) {
		logged.Reset()
		got := present(field, fromResolver(recoverFunc(log)(field, "boom")))
		if got.Message != "internal error" || got.Extensions["code"] != "INTERNAL" {
			t.Errorf("got %+v", got)
		}
		if n := strings.Count(logged.String(), "boom"); n != 1 || !strings.Contains(logged.String(), "path=me") || !strings.Contains(logged.String(), "operation=Viewer") {
			t.Errorf("the panic was logged %d times, want once with its path and operation: %s", n, logged.String())
		}
	})
}
