package graph

// How the transports write their answers: the media type chosen from Accept, and the JSON body.

import (
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/invites/invites/internal/invites"
)

// write sends resp as JSON with status. A response without data (a request error) has no
// "data" key, as the GraphQL over HTTP spec asks. The data is gqlgen's output, compact JSON
// already, and is written as it is, without a copy: encoding/json would validate and compact
// the whole page again (a tenth of a member page's CPU).
func write(w http.ResponseWriter, media string, status int, resp *graphql.Response) {
	status, body := responseBody(status, resp)
	writeBody(w, media, status, body)
}

// responseBody is resp's JSON body (responseJSON), or INTERNAL's with status 500 where resp
// cannot be written.
func responseBody(status int, resp *graphql.Response) (int, [][]byte) {
	body, err := responseJSON(resp)
	if err != nil {
		return http.StatusInternalServerError, [][]byte{[]byte(`{"errors":[{"message":"internal error","extensions":{"code":"` + string(invites.Internal) + `"}}]}`)}
	}
	return status, body
}

// writeBody sends a JSON body, given in parts, with status.
func writeBody(w http.ResponseWriter, media string, status int, body [][]byte) {
	size := 0
	for _, part := range body {
		size += len(part)
	}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(size))
	w.WriteHeader(status)
	for _, part := range body {
		if _, err := w.Write(part); err != nil {
			return // the client has gone; nothing to do
		}
	}
}

// responseJSON is resp's body, in parts: errors, data and extensions, each left out when
// empty.
func responseJSON(resp *graphql.Response) ([][]byte, error) {
	var errs, ext []byte
	var err error
	if len(resp.Errors) > 0 {
		if errs, err = json.Marshal(resp.Errors); err != nil {
			return nil, err
		}
	}
	if len(resp.Extensions) > 0 {
		if ext, err = json.Marshal(resp.Extensions); err != nil {
			return nil, err
		}
	}
	body := make([][]byte, 0, 7)
	sep := []byte("{")
	for _, member := range []struct {
		key   string
		value []byte
	}{{`"errors":`, errs}, {`"data":`, resp.Data}, {`"extensions":`, ext}} {
		if len(member.value) == 0 {
			continue
		}
		body = append(body, append(sep, member.key...), member.value)
		sep = []byte(",")
	}
	if len(body) == 0 {
		return [][]byte{[]byte("{}")}, nil
	}
	return append(body, []byte("}")), nil
}

// requestMediaType is the request's Content-Type without parameters, or "".
func requestMediaType(r *http.Request) string {
	media, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return media
}

// responseMediaType chooses the answer's media type from Accept: application/json when the
// client accepts it or says nothing, else application/graphql-response+json, the first of
// the two that Accept lists winning.
func responseMediaType(r *http.Request) string {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return mediaJSON
	}
	for part := range strings.SplitSeq(accept, ",") {
		media, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch media {
		case "*/*", "application/*", mediaJSON:
			return mediaJSON
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		}
	}
	return mediaGraphQLResponse
}
