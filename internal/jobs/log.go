package jobs

import (
	"context"
	"log/slog"
)

// minLevelHandler drops records below level, so that River's routine messages stay out of the
// service's log while its warnings and errors still reach it.
type minLevelHandler struct {
	slog.Handler
	level slog.Level
}

func (h minLevelHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level && h.Handler.Enabled(ctx, l)
}

func (h minLevelHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevelHandler{h.Handler.WithAttrs(attrs), h.level}
}

func (h minLevelHandler) WithGroup(name string) slog.Handler {
	return minLevelHandler{h.Handler.WithGroup(name), h.level}
}
