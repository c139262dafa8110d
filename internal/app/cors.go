package app

import (
	"net/http"
)

// cors lets the front ends at origins call the API from a browser. Sessions are bearer
// tokens, not cookies, so allowing an origin exposes nothing a page could use without the
// token; credentials are not allowed. A preflight is answered here, before the API.
//
// Every answer says Vary: Origin (and a preflight's also the request headers it depends on),
// allowed or not, so that a cache between the browser and the server never hands one origin
// the answer made for another.
func cors(origins []string, next http.Handler) http.Handler {
	allowed := make(map[string]bool, len(origins))
	for _, o := range origins {
		allowed[o] = true
	}
	anyOrigin := allowed["*"]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Origin")
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		if preflight {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
		}
		origin := r.Header.Get("Origin")
		if origin == "" || !(anyOrigin || allowed[origin]) {
			next.ServeHTTP(w, r)
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		if preflight {
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			// Accept: Apollo Client's for a subscription over multipart HTTP
			// (`multipart/mixed;boundary="graphql";...`) has a quote, which makes a browser ask.
			h.Set("Access-Control-Allow-Headers", "Accept, Authorization, Content-Type, Apollo-Require-Preflight, Idempotency-Key")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		// What a page reads of a retried mutation's answer (graph/idempotency.go): beyond
		// the headers a browser shows every page.
		h.Set("Access-Control-Expose-Headers", "Idempotent-Replayed, Retry-After")
		next.ServeHTTP(w, r)
	})
}
