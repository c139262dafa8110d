package graph

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// TestErrorPresenter_LogLevel: a fault is logged as an error; the same fault once its client has
// left (a page navigated away) is logged at info, as nobody reads its answer.
func TestErrorPresenter_LogLevel(t *testing.T) {
	left, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"client waiting", context.Background(), "level=ERROR msg=\"request failed\""},
		{"client left", left, "level=INFO msg=\"request abandoned by its client\""},
	} {
		var out bytes.Buffer
		present := errorPresenter(slog.New(slog.NewTextHandler(&out, nil)))
		got := present(tc.ctx, errors.New("project: read: boom"))
		if code := got.Extensions["code"]; code != "INTERNAL" {
			t.Errorf("%s: code %v, want INTERNAL", tc.name, code)
		}
		if !strings.Contains(out.String(), tc.want) {
			t.Errorf("%s: logged %q, want %s", tc.name, out.String(), tc.want)
		}
	}
}
