package graph_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

const endpointFields = `id url events enabled createdAt project { id }`

type endpointData struct {
	ID, URL, CreatedAt string
	Events             []string
	Enabled            bool
	Project            struct{ ID string }
}

// Webhook endpoints through the API: shown to ADMIN and above, their secret once, their
// delivery log, the contract's codes for bad input.
func TestWebhooks_Endpoints(t *testing.T) {
	h := newHandler(t)
	owner := signUpVerified(t, h, uniqueEmail("owner"))
	project := newProject(t, h, owner, "Hooks")
	contributor := join(t, h, owner, project, uniqueEmail("contrib"), "CONTRIBUTOR", "")
	stranger := signUp(t, h, uniqueEmail("stranger"))

	var created struct {
		CreateWebhookEndpoint struct {
			Endpoint endpointData
			Secret   string
		}
	}
	create := `mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { endpoint { ` + endpointFields + ` } secret } }`
	gql(t, h, owner, create, map[string]any{"i": map[string]any{"projectId": project, "url": "http://127.0.0.1:9/hook",
		"events": []string{"invite.created", "member.joined"}}}, &created)
	ep := created.CreateWebhookEndpoint
	if !strings.HasPrefix(ep.Secret, "whsec_") || ep.Endpoint.URL != "http://127.0.0.1:9/hook" || !ep.Endpoint.Enabled ||
		strings.Join(ep.Endpoint.Events, ",") != "invite.created,member.joined" || ep.Endpoint.Project.ID != project {
		t.Fatalf("created %+v", ep)
	}

	// An invite queues a delivery in its transaction: the log shows it.
	invite(t, h, owner, project, uniqueEmail("x"), "CONTRIBUTOR", "")
	var list struct {
		Project struct {
			WebhookEndpoints []struct {
				ID         string
				Deliveries struct {
					TotalCount int
					Edges      []struct {
						Cursor string
						Node   struct {
							ID, EventType, Status, CreatedAt string
							Attempts                         int
							ResponseStatus                   *int
							DeliveredAt, NextAttemptAt       *string
						}
					}
					PageInfo struct{ HasNextPage bool }
				}
			}
		}
	}
	gql(t, h, owner, `query($p: ID!) { project(id: $p) { webhookEndpoints { id deliveries(first: 10) { totalCount
		edges { cursor node { id eventType status attempts responseStatus createdAt deliveredAt nextAttemptAt } } pageInfo { hasNextPage } } } } }`,
		map[string]any{"p": project}, &list)
	eps := list.Project.WebhookEndpoints
	if len(eps) != 1 || eps[0].ID != ep.Endpoint.ID || eps[0].Deliveries.TotalCount != 1 {
		t.Fatalf("endpoints: %+v", eps)
	}
	d := eps[0].Deliveries.Edges[0].Node
	if d.EventType != "invite.created" || d.Status != "PENDING" || d.Attempts != 0 || d.ResponseStatus != nil || d.NextAttemptAt == nil {
		t.Fatalf("delivery: %+v", d)
	}

	// node() finds both for an admin, nothing for a contributor.
	var nodes struct {
		Nodes []*struct {
			Typename string `json:"__typename"`
			ID       string
		}
	}
	nodesQuery := `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`
	gql(t, h, owner, nodesQuery, map[string]any{"ids": []string{ep.Endpoint.ID, d.ID}}, &nodes)
	if len(nodes.Nodes) != 2 || nodes.Nodes[0] == nil || nodes.Nodes[0].Typename != "WebhookEndpoint" ||
		nodes.Nodes[1] == nil || nodes.Nodes[1].Typename != "WebhookDelivery" || nodes.Nodes[1].ID != d.ID {
		t.Fatalf("nodes: %+v", nodes.Nodes)
	}
	gql(t, h, contributor, nodesQuery, map[string]any{"ids": []string{ep.Endpoint.ID, d.ID}}, &nodes)
	if nodes.Nodes[0] != nil || nodes.Nodes[1] != nil {
		t.Fatalf("a contributor sees webhook nodes: %+v", nodes.Nodes)
	}

	// Retrying a delivery that is not FAILED is bad input.
	e := wantCode(t, do(t, h, owner, `mutation($id: ID!) { retryWebhookDelivery(id: $id) { id } }`, map[string]any{"id": d.ID}), "BAD_USER_INPUT")
	if e.Extensions.Field != "id" {
		t.Errorf("field = %q, want id", e.Extensions.Field)
	}

	// Update, rotate, delete.
	var updated struct{ UpdateWebhookEndpoint endpointData }
	gql(t, h, owner, `mutation($i: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $i) { `+endpointFields+` } }`,
		map[string]any{"i": map[string]any{"id": ep.Endpoint.ID, "enabled": false, "events": []string{}}}, &updated)
	if updated.UpdateWebhookEndpoint.Enabled || len(updated.UpdateWebhookEndpoint.Events) != 0 || updated.UpdateWebhookEndpoint.URL != ep.Endpoint.URL {
		t.Fatalf("updated: %+v", updated.UpdateWebhookEndpoint)
	}
	var rotated struct {
		RotateWebhookSecret struct {
			Endpoint struct{ ID string }
			Secret   string
		}
	}
	gql(t, h, owner, `mutation($id: ID!) { rotateWebhookSecret(id: $id) { endpoint { id } secret } }`, map[string]any{"id": ep.Endpoint.ID}, &rotated)
	if rotated.RotateWebhookSecret.Secret == ep.Secret || !strings.HasPrefix(rotated.RotateWebhookSecret.Secret, "whsec_") {
		t.Fatalf("rotated secret %q", rotated.RotateWebhookSecret.Secret)
	}

	// Refusals.
	for _, tc := range []struct {
		name, token, query string
		vars               map[string]any
		code, field        string
	}{
		{"private URL", owner, create, map[string]any{"i": map[string]any{"projectId": project, "url": "https://10.0.0.1/x"}}, "BAD_USER_INPUT", "url"},
		{"http to a public host", owner, create, map[string]any{"i": map[string]any{"projectId": project, "url": "http://93.184.216.34/x"}}, "BAD_USER_INPUT", "url"},
		{"unknown event type", owner, create, map[string]any{"i": map[string]any{"projectId": project, "url": "http://127.0.0.1:9/x", "events": []string{"invite.exploded"}}}, "BAD_USER_INPUT", "events"},
		{"event type twice", owner, create, map[string]any{"i": map[string]any{"projectId": project, "url": "http://127.0.0.1:9/x", "events": []string{"invite.created", "invite.created"}}}, "BAD_USER_INPUT", "events"},
		{"contributor creates", contributor, create, map[string]any{"i": map[string]any{"projectId": project, "url": "http://127.0.0.1:9/x"}}, "FORBIDDEN", ""},
		{"stranger creates", stranger, create, map[string]any{"i": map[string]any{"projectId": project, "url": "http://127.0.0.1:9/x"}}, "NOT_FOUND", ""},
		{"contributor lists", contributor, `query($p: ID!) { project(id: $p) { webhookEndpoints { id } } }`, map[string]any{"p": project}, "FORBIDDEN", ""},
		{"contributor rotates", contributor, `mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`, map[string]any{"id": ep.Endpoint.ID}, "FORBIDDEN", ""},
		{"stranger deletes", stranger, `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, map[string]any{"id": ep.Endpoint.ID}, "NOT_FOUND", ""},
		{"not an ID", owner, `mutation { deleteWebhookEndpoint(id: "nope") }`, nil, "NOT_FOUND", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := wantCode(t, do(t, h, tc.token, tc.query, tc.vars), tc.code)
			if e.Extensions.Field != tc.field {
				t.Errorf("field = %q, want %q", e.Extensions.Field, tc.field)
			}
		})
	}

	var deleted struct{ DeleteWebhookEndpoint bool }
	gql(t, h, owner, `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, map[string]any{"id": ep.Endpoint.ID}, &deleted)
	if !deleted.DeleteWebhookEndpoint {
		t.Fatal("deleteWebhookEndpoint = false")
	}
	if n := countRows(t, "webhook_deliveries WHERE endpoint_id = '"+ep.Endpoint.ID+"'"); n != 0 {
		t.Fatalf("%d deliveries left after the delete", n)
	}
}

// A project's endpoints are priced at their cap (WEBHOOK_ENDPOINT_LIMIT) and their deliveries
// as a connection: a listing of every project's endpoints with a full page of deliveries each
// (100 projects x 20 endpoints x 100 deliveries) is refused before it runs, while the web
// app's page (one project, 10 deliveries an endpoint) passes.
func TestWebhooks_ListingPriced(t *testing.T) {
	h := newHandler(t)
	owner := signUpVerified(t, h, uniqueEmail("owner"))
	project := newProject(t, h, owner, "Priced")
	deliveries := `deliveries(first: %d) { totalCount edges { cursor node { id eventType status attempts responseStatus createdAt deliveredAt nextAttemptAt } } pageInfo { hasNextPage endCursor } }`
	everything := `{ projects(first: 100) { edges { node { webhookEndpoints { id ` + fmt.Sprintf(deliveries, 100) + ` } } } } }`
	e := wantCode(t, do(t, h, owner, everything, nil), "BAD_USER_INPUT")
	if e.Extensions.Reason != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Fatalf("every project's endpoints and deliveries: %+v, want COMPLEXITY_LIMIT_EXCEEDED", e)
	}
	page := `query($p: ID!) { project(id: $p) { id webhookEndpoints { id url events enabled createdAt ` + fmt.Sprintf(deliveries, 10) + ` } } }`
	var d struct {
		Project struct {
			ID               string
			WebhookEndpoints []json.RawMessage
		}
	}
	gql(t, h, owner, page, map[string]any{"p": project}, &d)
	if d.Project.ID != project {
		t.Fatalf("the web app's listing: %+v", d)
	}
}
