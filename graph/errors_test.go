package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/invites/invites/internal/invites"
)

func TestErrorPresenter(t *testing.T) {
	var logged strings.Builder
	log := slog.New(slog.NewTextHandler(&logged, nil))
	present := errorPresenter(log)
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, nil)

	t.Run("DomainError", func(t *testing.T) {
		err := fmt.Errorf("wrapped: %w", &invites.Error{Code: invites.BadUserInput, Message: "email is not valid", Field: "email"})
		got := present(ctx, err)
		if got.Message != "email is not valid" || got.Extensions["code"] != "BAD_USER_INPUT" || got.Extensions["field"] != "email" {
			t.Errorf("got %+v", got)
		}
	})

	t.Run("UnexpectedErrorHidesInternals", func(t *testing.T) {
		got := present(ctx, errors.New(`pq: relation "users" does not exist at 10.0.0.5`))
		if got.Message != "internal error" || got.Extensions["code"] != "INTERNAL" {
			t.Errorf("got %+v", got)
		}
		if !strings.Contains(logged.String(), "relation") {
			t.Error("the real error was not logged")
		}
	})

	t.Run("Panic", func(t *testing.T) {
		err := recoverFunc(log)(ctx, "boom")
		got := present(ctx, err)
		if got.Message != "internal error" || got.Extensions["code"] != "INTERNAL" {
			t.Errorf("got %+v", got)
		}
		if !strings.Contains(logged.String(), "boom") {
			t.Error("the panic was not logged")
		}
	})
}
