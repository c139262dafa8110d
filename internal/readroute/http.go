package readroute

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// CookieName is the cookie that carries, in a browser, the primary's LSN after the session's
// last mutation: any server replica behind the same primary then keeps the browser's reads on
// the primary until its replica has that commit, which the memory of one process cannot do.
// It is signed (cookieValue): a forged position would send its client's reads to the primary
// for as long as it likes, so a cookie that does not check out says nothing.
const CookieName = "invites_read_after"

// cookieAge is how long the cookie lasts: past it, a replica within MaxLag has the commit.
const cookieAge = time.Minute

// Middleware marks each request with its session (WithSession): the hash of its bearer token
// and its client's address (clientAddr), and the LSN of its cookie; and sets the cookie on the
// answer to a POST that committed (Committed).
func (r *Router) Middleware(clientAddr func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var keys []string
		if scheme, token, ok := strings.Cut(req.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") && token != "" {
			sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
			keys = append(keys, "token:"+hex.EncodeToString(sum[:16]))
		}
		if addr := clientAddr(req); addr != "" {
			keys = append(keys, "client:"+addr)
		}
		var after LSN
		if c, err := req.Cookie(CookieName); err == nil {
			after = r.cookieLSN(c.Value) // a cookie that does not check out says nothing
		}
		ctx := WithSession(req.Context(), after, keys...)
		if req.Method == http.MethodPost && len(r.cfg.CookieKey) > 0 {
			w = &cookieWriter{ResponseWriter: w, req: requestFrom(ctx), value: r.cookieValue, secure: req.TLS != nil}
		}
		next.ServeHTTP(w, req.WithContext(ctx))
	})
}

// cookieValue is the cookie's value for lsn: the position, ".", and the base64 (URL, unpadded)
// of its HMAC-SHA256 under Config.CookieKey.
func (r *Router) cookieValue(lsn LSN) string {
	s := lsn.String()
	return s + "." + r.cookieMAC(s)
}

// cookieLSN is the position a cookie's value carries when its signature checks out, else 0.
func (r *Router) cookieLSN(value string) LSN {
	s, mac, ok := strings.Cut(value, ".")
	if !ok || len(r.cfg.CookieKey) == 0 || !hmac.Equal([]byte(mac), []byte(r.cookieMAC(s))) {
		return 0
	}
	lsn, err := ParseLSN(s)
	if err != nil {
		return 0
	}
	return lsn
}

func (r *Router) cookieMAC(position string) string {
	m := hmac.New(sha256.New, r.cfg.CookieKey)
	m.Write([]byte(CookieName + "=" + position))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// cookieWriter adds the cookie to the answer's headers once the request has committed.
type cookieWriter struct {
	http.ResponseWriter
	req     *request
	value   func(LSN) string
	secure  bool
	started bool
}

func (w *cookieWriter) WriteHeader(code int) {
	if !w.started {
		w.started = true
		if lsn := LSN(w.req.wrote.Load()); lsn > 0 {
			http.SetCookie(w.ResponseWriter, &http.Cookie{Name: CookieName, Value: w.value(lsn), Path: "/",
				MaxAge: int(cookieAge.Seconds()), HttpOnly: true, Secure: w.secure, SameSite: http.SameSiteLaxMode})
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *cookieWriter) Write(b []byte) (int, error) {
	if !w.started {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Flush keeps streamed answers (incremental delivery, SSE) streaming.
func (w *cookieWriter) Flush() {
	if !w.started {
		w.WriteHeader(http.StatusOK)
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *cookieWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Extension is the GraphQL server's part: a mutation's reads, and a subscription's, go to the
// primary (Primary), and once a mutation has answered (its transactions committed), its
// session's position is remembered (Committed).
func (r *Router) Extension() graphql.HandlerExtension { return extension{r} }

type extension struct{ r *Router }

func (extension) ExtensionName() string { return "ReadRoute" }

func (extension) Validate(graphql.ExecutableSchema) error { return nil }

func (e extension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	op := graphql.GetOperationContext(ctx).Operation
	if op == nil || op.Operation == ast.Query {
		return next(ctx)
	}
	if op.Operation == ast.Subscription {
		Primary(ctx, ReasonSubscription)
		return next(ctx)
	}
	Primary(ctx, ReasonWrite)
	answer := next(ctx)
	var once sync.Once
	return func(ctx context.Context) *graphql.Response {
		resp := answer(ctx)
		once.Do(func() {
			if err := e.r.Committed(ctx); err != nil {
				// Without the position, the session may read a moment-old page: logged, not failed.
				e.r.cfg.Logger.Warn("read-your-writes: remember the session's commit", "error", err)
			}
		})
		return resp
	}
}
