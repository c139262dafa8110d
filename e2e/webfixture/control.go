package main

import (
	"database/sql"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/invites/invites/internal/dnstest"
	"github.com/invites/invites/internal/mail/smtptest"
)

// controlHandler gives the browser tests what a person has and a browser has not:
//
//   - GET /mail?to=&n=: the messages to an address as JSON ({subject, text, links}: the app's
//     links in the text), waiting up to 15 s for n of them;
//   - POST /sql {"sql", "args"}: the rows as JSON objects, to check what the pages did and to
//     move an invite's expiry into the past;
//   - POST /hook/<anything>: a webhook receiver that refuses the first post to each path (400)
//     and takes the others (204);
//   - POST /dns {"name", "values"}: publishes the TXT records of a name on the DNS server the
//     server asks (no values: the name is gone), as a domain's owner would at their DNS host.
func controlHandler(smtp *smtptest.Server, dns *dnstest.Server, db *sql.DB, base string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /mail", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		writeJSON(w, mailTo(smtp, base, r.URL.Query().Get("to"), max(n, 1)))
	})
	var mu sync.Mutex
	posts := map[string]int{}
	mux.HandleFunc("POST /hook/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		posts[r.URL.Path]++
		first := posts[r.URL.Path] == 1
		mu.Unlock()
		if first {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /dns", func(w http.ResponseWriter, r *http.Request) {
		var rec struct {
			Name   string   `json:"name"`
			Values []string `json:"values"`
		}
		if err := json.NewDecoder(r.Body).Decode(&rec); err != nil || rec.Name == "" {
			http.Error(w, "want {\"name\": \"_invites-challenge.example.com\", \"values\": [\"...\"]}", http.StatusBadRequest)
			return
		}
		dns.SetTXT(rec.Name, rec.Values...)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /sql", func(w http.ResponseWriter, r *http.Request) {
		var q struct {
			SQL  string `json:"sql"`
			Args []any  `json:"args"`
		}
		if err := json.NewDecoder(r.Body).Decode(&q); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rows, err := queryRows(r, db, q.SQL, q.Args)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, rows)
	})
	return mux
}

// email is one message as the tests read it.
type email struct {
	Subject string   `json:"subject"`
	Text    string   `json:"text"`
	Links   []string `json:"links"`
}

// mailTo returns the messages to an address, once there are n or after 15 s.
func mailTo(smtp *smtptest.Server, base, to string, n int) []email {
	deadline := time.Now().Add(15 * time.Second)
	msgs := smtp.Received(to)
	for len(msgs) < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		msgs = smtp.Received(to)
	}
	out := []email{}
	for _, m := range msgs {
		links := []string{}
		for _, kind := range []string{"/invite/", "/verify-email/", "/reset-password/"} {
			if l := m.Link(base + kind); l != "" {
				links = append(links, l)
			}
		}
		out = append(out, email{m.Subject, m.Text, links})
	}
	return out
}

// queryRows runs a statement ($1 placeholders, as PostgreSQL writes them) and returns its rows
// as objects keyed by column name.
func queryRows(r *http.Request, db *sql.DB, query string, args []any) ([]map[string]any, error) {
	rows, err := db.QueryContext(r.Context(), query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := map[string]any{}
		for i, c := range cols {
			if b, ok := vals[i].([]byte); ok {
				vals[i] = string(b)
			}
			row[c] = vals[i]
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client went away
}
