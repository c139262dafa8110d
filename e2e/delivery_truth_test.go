package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/invites/invites/internal/delivery"
	"github.com/invites/invites/internal/mail/smtptest"
)

// e2eDeliveryInvites lists a project's invites of one delivery status with what delivery
// truth adds to them.
const e2eDeliveryInvites = `query($p: ID!, $d: DeliveryStatus) { project(id: $p) { invites(first: 100, deliveryStatus: $d) {
	edges { node { id email deliveryStatus deliveryError suppression { email kind reason } } } } } }`

type e2eDeliveryList struct {
	Project struct {
		Invites struct {
			Edges []struct {
				Node struct {
					ID, Email, DeliveryStatus string
					DeliveryError             *string
					Suppression               *struct{ Email, Kind, Reason string }
				}
			}
		}
	}
}

// TestServer_DeliveryTruth: a hard bounce that Postmark posts to its webhook (twice: a retry)
// turns the invite BOUNCED with its reason, live and in the list, records the activity once,
// counts in /metrics, and suppresses the address: the next invite and bulk row to it are
// refused. updateInvite sends to the corrected address, whose
// link works while the old one fails; liftSuppression lets the old address be invited again.
func TestServer_DeliveryTruth(t *testing.T) {
	smtp := smtptest.Start(t)
	base := startServer(t, map[string]string{"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example",
		"POSTMARK_WEBHOOK_USER": "pm", "POSTMARK_WEBHOOK_PASSWORD": "secret"})
	c := e2eClient{t, base}
	inviteLink := "https://app.example/invite/"

	owner := c.signUpVerified(smtp, e2eEmail("ada"), "Ada")
	project := c.createProject(owner, "Bounces")
	typo := e2eEmail("bob")
	inv := c.createInvite(owner, map[string]any{"email": typo, "projectId": project, "role": "CONTRIBUTOR"})
	sent := smtp.WaitFor(t, typo, 1, mailWait)[0]
	waitEmailRow(t, typo, "SENT", mailWait)
	live := subscribeSSE(t, base, owner, liveInviteChanged, map[string]any{"p": project})

	// Postmark's Bounce webhook, as its documentation shows it, for the invite's email.
	bounce, _ := json.Marshal(map[string]any{"RecordType": "Bounce", "ID": 4323372036, "Type": "HardBounce", "TypeCode": 1,
		"MessageID": "883953f4-6105-42a2-a16a-77a8eac79483", "Email": typo, "BouncedAt": time.Now().UTC().Format(time.RFC3339),
		"Description": "no such user", "Metadata": map[string]string{"invites_email_id": emailIDOf(t, sent.MessageID)}})
	for range 2 { // a retry changes nothing twice
		req, _ := http.NewRequest(http.MethodPost, base+"/hooks/email/postmark", bytes.NewReader(bounce))
		req.SetBasicAuth("pm", "secret")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST /hooks/email/postmark: %d, want 200", resp.StatusCode)
		}
	}
	for outcome, want := range map[string]float64{"matched": 1, "duplicate": 1} {
		sample := `invites_delivery_events_total{kind="HARD_BOUNCE",outcome="` + outcome + `",provider="postmark"}`
		if got := metricValue(t, base, sample); got != want {
			t.Errorf("%s = %v, want %v", sample, got, want)
		}
	}
	nextInvite(t, "live bounce", live, func(i liveInvite) bool { return i.ID == inv.ID && i.DeliveryStatus == "BOUNCED" })

	var list e2eDeliveryList
	c.do(owner, e2eDeliveryInvites, map[string]any{"p": project, "d": "BOUNCED"}, &list)
	if e := list.Project.Invites.Edges; len(e) != 1 || e[0].Node.ID != inv.ID || e[0].Node.DeliveryError == nil ||
		*e[0].Node.DeliveryError != "no such user" || e[0].Node.Suppression == nil || e[0].Node.Suppression.Kind != "HARD_BOUNCE" {
		t.Fatalf("bounced invites = %+v; want the invite with its reason and a HARD_BOUNCE suppression", e)
	}
	checkBounceActivity(t, c, owner, project, typo)

	// Suppressed: the next invite and bulk row to the address are refused.
	other := c.createProject(owner, "Elsewhere")
	errs := c.try(owner, e2eCreateInvite, map[string]any{"i": map[string]any{"email": typo, "projectId": other, "role": "CONTRIBUTOR"}}, nil)
	if errs.code() != "RECIPIENT_SUPPRESSED" {
		t.Errorf("createInvite to the bounced address: %+v; want RECIPIENT_SUPPRESSED", errs)
	}
	var bulk struct {
		BulkInvite struct {
			Results []struct {
				Typename string `json:"__typename"`
				Reason   string
				Message  string
			}
		}
	}
	c.do(owner, `mutation($p: ID!, $e: String!) { bulkInvite(input: {projectId: $p, rows: [{email: $e}]}) {
		results { __typename ... on FailedInvite { reason message } } } }`, map[string]any{"p": other, "e": typo}, &bulk)
	if r := bulk.BulkInvite.Results; len(r) != 1 || r[0].Typename != "FailedInvite" || r[0].Reason != "FAILED_TO_SEND" || !strings.Contains(r[0].Message, "suppressed") {
		t.Errorf("bulk row to the bounced address: %+v; want FailedInvite FAILED_TO_SEND", r)
	}

	// Fixed: a new address gets a new email; its link works, the old one fails.
	fixed := e2eEmail("bob-fixed")
	var upd struct {
		UpdateInvite struct{ Email, DeliveryStatus string }
	}
	c.do(owner, `mutation($i: UpdateInviteInput!) { updateInvite(input: $i) { email deliveryStatus } }`,
		map[string]any{"i": map[string]any{"id": inv.ID, "email": fixed}}, &upd)
	if upd.UpdateInvite.Email != fixed {
		t.Fatalf("updateInvite = %+v; want email %s", upd.UpdateInvite, fixed)
	}
	newToken := tokenOf(smtp.WaitFor(t, fixed, 1, mailWait)[0].Link(inviteLink))
	var preview struct{ Invitation *struct{ Email string } }
	errs = c.try("", `query($t: String!) { invitation(token: $t) { email } }`, map[string]any{"t": tokenOf(sent.Link(inviteLink))}, &preview)
	if preview.Invitation != nil {
		t.Errorf("the old link still previews: %+v (errors %+v)", preview.Invitation, errs)
	}
	c.do("", `query($t: String!) { invitation(token: $t) { email } }`, map[string]any{"t": newToken}, &preview)
	if preview.Invitation == nil || preview.Invitation.Email != fixed {
		t.Errorf("the new link previews %+v; want %s", preview.Invitation, fixed)
	}

	// Lifted: the old address may be invited again.
	var lift struct{ LiftSuppression bool }
	c.do(owner, `mutation($p: ID!, $e: String!) { liftSuppression(projectId: $p, email: $e) }`, map[string]any{"p": project, "e": typo}, &lift)
	if !lift.LiftSuppression {
		t.Fatal("liftSuppression = false; want true")
	}
	c.createInvite(owner, map[string]any{"email": typo, "projectId": other, "role": "CONTRIBUTOR"})
}

// emailIDOf is the email ID in one of our Message-IDs, as the delivery service reads it.
func emailIDOf(t *testing.T, messageID string) string {
	t.Helper()
	id, ok := delivery.EmailIDFromMessageID(messageID)
	if !ok {
		t.Fatalf("Message-ID %q is not ours", messageID)
	}
	return id.String()
}

// checkBounceActivity checks that the project's activity tells the bounce as a sentence needs
// it: "Ada's invitation to bob@… bounced: no such user".
func checkBounceActivity(t *testing.T, c e2eClient, token, project, address string) {
	t.Helper()
	var activity struct {
		Project struct {
			Activity struct {
				Edges []struct {
					Node struct {
						Name, Email string
						Detail      *string
						Actor       *struct{ Name string }
					}
				}
			}
		}
	}
	c.do(token, `query($p: ID!) { project(id: $p) { activity(first: 50) { edges { node { name email detail actor { name } } } } } }`,
		map[string]any{"p": project}, &activity)
	found := 0
	for _, e := range activity.Project.Activity.Edges {
		n := e.Node
		if n.Name != "Bounced User Invite" {
			continue
		}
		found++
		if n.Email != address || n.Detail == nil || *n.Detail != "no such user" || n.Actor == nil || n.Actor.Name != "Ada" {
			t.Errorf("bounce event = %+v; want Ada's invitation to %s with detail \"no such user\"", n, address)
		}
	}
	if found != 1 {
		t.Errorf("%d Bounced User Invite events, want 1", found)
	}
}
