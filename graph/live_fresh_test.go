package graph_test

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The events of a long-lived subscription read the rows they name when they are sent: a
// WebSocket connection or a stream may live for hours, and each of its events resolves with
// dataloaders of its own. Before, a stream kept its request's dataloaders for its life: an
// event showed a project's name as the stream's first event had read it, however long ago.

// freshQuery is inviteChanged with the invite's project's name, read through the dataloaders.
const freshQuery = `subscription($p: ID!) { inviteChanged(projectId: $p) { email project { name } } }`

// freshEvent is one freshQuery event's data.
type freshEvent struct {
	InviteChanged struct {
		Email   string
		Project struct{ Name string }
	}
}

// TestLive_EventsReadFreshRows: over each streaming transport, the project is renamed between
// two events; the second event shows the new name.
func TestLive_EventsReadFreshRows(t *testing.T) {
	for _, tc := range []struct {
		name string
		// open subscribes and returns a function that reads the next event's data.
		open func(t *testing.T, s liveServer, token, project string) func() freshEvent
	}{
		{"graphql-transport-ws", openFreshWS},
		{"sse", openFreshSSE},
		{"multipart", openFreshMultipart},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newLiveServer(t, nil)
			h := s.Config.Handler
			owner := signUpVerified(t, h, uniqueEmail("fresh-owner"))
			project := newProject(t, h, owner, "Apollo")
			next := tc.open(t, s, owner, project)
			for _, name := range []string{"Apollo", "Artemis"} {
				var renamed struct{ UpdateProject struct{ Name string } }
				gql(t, h, owner, `mutation($i: UpdateProjectInput!) { updateProject(input: $i) { name } }`,
					map[string]any{"i": map[string]any{"id": project, "name": name}}, &renamed)
				email := uniqueEmail("fresh-invitee")
				s.inviteAndPublish(t, owner, project, email)
				got := next().InviteChanged
				if got.Email != email || got.Project.Name != name {
					t.Fatalf("event after renaming the project %q: %+v, want %s of project %q", name, got, email, name)
				}
			}
		})
	}
}

func openFreshWS(t *testing.T, s liveServer, token, project string) func() freshEvent {
	ws := wsServer{url: "ws" + strings.TrimPrefix(s.URL, "http") + "/graphql", hub: s.hub, h: s.Config.Handler}
	c := ws.initWS(t, token)
	vars, _ := json.Marshal(map[string]any{"p": project})
	q, _ := json.Marshal(freshQuery)
	wsSend(t, c, `{"id":"1","type":"subscribe","payload":{"query":`+string(q)+`,"variables":`+string(vars)+`}}`)
	waitSubscribers(t, s.hub, 1)
	return func() freshEvent {
		m := wsRead(t, c)
		var p struct {
			Data   freshEvent
			Errors []gqlError
		}
		if err := json.Unmarshal(m.Payload, &p); err != nil || m.Type != "next" || len(p.Errors) > 0 {
			t.Fatalf("message %+v (%s), want next with data", m, m.Payload)
		}
		return p.Data
	}
}

func openFreshSSE(t *testing.T, s liveServer, token, project string) func() freshEvent {
	resp := s.open(t, token, "text/event-stream", freshQuery, map[string]any{"p": project})
	data := make(chan string, 16)
	go func() {
		defer close(data)
		for lines := bufio.NewScanner(resp.Body); lines.Scan(); {
			if d, ok := strings.CutPrefix(lines.Text(), "data: "); ok {
				data <- d
			}
		}
	}()
	waitSubscribers(t, s.hub, 1)
	return func() freshEvent {
		select {
		case d, ok := <-data:
			var p struct {
				Data   freshEvent
				Errors []gqlError
			}
			if !ok || json.Unmarshal([]byte(d), &p) != nil || len(p.Errors) > 0 {
				t.Fatalf("event %q (stream open: %v), want data", d, ok)
			}
			return p.Data
		case <-time.After(time.Minute):
			t.Fatal("no event after a minute")
			return freshEvent{}
		}
	}
}

func openFreshMultipart(t *testing.T, s liveServer, token, project string) func() freshEvent {
	parts := readParts(t, s.open(t, token, acceptSubscription, freshQuery, map[string]any{"p": project}))
	waitSubscribers(t, s.hub, 1)
	return func() freshEvent {
		var e struct {
			Payload *struct {
				Data   freshEvent
				Errors []gqlError
			}
		}
		if !nextPart(t, parts, &e) || e.Payload == nil || len(e.Payload.Errors) > 0 {
			t.Fatalf("part %+v, want a payload with data", e)
		}
		return e.Payload.Data
	}
}
