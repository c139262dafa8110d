package graph_test

import (
	"strings"
	"testing"
)

// TestWebSocket_OperationsCheckTheirSession: a query over a socket acts as its session's user
// only while that session lasts. The socket authenticated at connection_init; once the session
// is logged out (over HTTP), the next query over the same socket answers as to an anonymous
// caller (me is null).
func TestWebSocket_OperationsCheckTheirSession(t *testing.T) {
	s := newWSServer(t, nil)
	token, _ := liveProject(t, s.h)
	c := s.initWS(t, token)
	const me = `{"id":"%s","type":"subscribe","payload":{"query":"{ me { email } }"}}`

	wsSend(t, c, strings.Replace(me, "%s", "1", 1))
	if m := wsRead(t, c); m.Type != "next" || !strings.Contains(string(m.Payload), `"email"`) {
		t.Fatalf("me while signed in: %+v, want next with the email", m)
	}
	if m := wsRead(t, c); m.Type != "complete" {
		t.Fatalf("after the answer: %+v, want complete", m)
	}

	var d struct{ LogOut bool }
	gql(t, s.h, token, `mutation { logOut }`, nil, &d)
	if !d.LogOut {
		t.Fatal("logOut answered false")
	}
	wsSend(t, c, strings.Replace(me, "%s", "2", 1))
	if m := wsRead(t, c); m.Type != "next" || string(m.Payload) != `{"data":{"me":null}}` {
		t.Errorf("me after logging out: %s %s, want next with me null", m.Type, m.Payload)
	}
}
