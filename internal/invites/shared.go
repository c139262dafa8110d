package invites

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// What the packages built on the domain (internal/webhooks) share of its rules, so that they
// answer as it does: the same role check, the same input errors, the same pages.

// RequireRole returns viewer's membership of projectID: NOT_FOUND for a non-member (who learns
// nothing of the project), FORBIDDEN below min.
func RequireRole(ctx context.Context, db bun.IDB, projectID, viewer uuid.UUID, min Role) (*Member, error) {
	return requireRole(ctx, db, projectID, viewer, min)
}

// Invalid is the BAD_USER_INPUT error naming the input field.
func Invalid(field, format string, args ...any) *Error {
	return invalid(field, format, args...)
}

// FetchPage reads one page, newest first, of the rows of from ("table AS alias") that match
// where, ordered by the columns createdAt and id, as the domain's own lists are; q selects the
// rows' columns. key gives an item's position.
func FetchPage[T any](ctx context.Context, db *bun.DB, q *bun.SelectQuery, from, createdAt, id, where string, whereArgs []any,
	args PageArgs, key func(*T) (time.Time, uuid.UUID)) (*Page[*T], error) {
	w, err := args.parse()
	if err != nil {
		return nil, err
	}
	l := newList(from, createdAt, id).where(where, whereArgs...)
	return fetchPage(ctx, db, q, l, w, func(t *T) cursor {
		at, id := key(t)
		return cursor{At: at, ID: id}
	})
}
