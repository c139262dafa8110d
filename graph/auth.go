package graph

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"github.com/invites/invites/internal/invites"
)

type authKey struct{}

// auth is one request's bearer token and, once a resolver has asked, the user it names.
type auth struct {
	token string
	once  sync.Once
	user  *invites.User
	err   error
}

// WithBearerToken puts the request's bearer token, if any, where resolvers find it. The token
// is checked only when a resolver needs the viewer, at most once per request.
func WithBearerToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := &auth{}
		if scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
			a.token = strings.TrimSpace(token)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), authKey{}, a)))
	})
}

func authFrom(ctx context.Context) *auth {
	if a, ok := ctx.Value(authKey{}).(*auth); ok {
		return a
	}
	return &auth{}
}

// viewer returns the signed-in user, or UNAUTHENTICATED.
func (r *Resolver) viewer(ctx context.Context) (*invites.User, error) {
	a := authFrom(ctx)
	a.once.Do(func() { a.user, a.err = r.Service.Authenticate(ctx, a.token) })
	return a.user, a.err
}

// viewerAnd returns the signed-in user and the UUID of the object that id names (what, for
// NOT_FOUND's message): the first two steps of every mutation on one object.
func (r *Resolver) viewerAnd(ctx context.Context, what, id string) (*invites.User, uuid.UUID, error) {
	viewer, err := r.viewer(ctx)
	if err != nil {
		return nil, uuid.Nil, err
	}
	parsed, err := invites.ParseID(what, id)
	if err != nil {
		return nil, uuid.Nil, err
	}
	return viewer, parsed, nil
}

// optionalViewer returns the signed-in user, or nil for an anonymous caller (or one whose
// token has expired): for fields that answer everyone.
func (r *Resolver) optionalViewer(ctx context.Context) (*invites.User, error) {
	u, err := r.viewer(ctx)
	if invites.ErrorCode(err) == invites.Unauthenticated {
		return nil, nil
	}
	return u, err
}

// bearerToken returns the request's token, for logOut.
func bearerToken(ctx context.Context) string { return authFrom(ctx).token }

// freshAuth gives each operation a check of its own of the bearer token. A WebSocket
// connection carries its connection_init's token for hours: without this, the queries and
// mutations sent over it would act as the user its session named at connection_init, even
// after that session was logged out (subscriptions are re-checked at every change anyway).
// An HTTP request is one operation, so it costs nothing there.
type freshAuth struct{}

func (freshAuth) ExtensionName() string                          { return "FreshAuth" }
func (freshAuth) Validate(schema graphql.ExecutableSchema) error { return nil }

func (freshAuth) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return next(context.WithValue(ctx, authKey{}, &auth{token: authFrom(ctx).token}))
}
