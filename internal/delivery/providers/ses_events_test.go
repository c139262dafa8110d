package providers_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/invites/invites/internal/delivery"
	"github.com/invites/invites/internal/delivery/deliverytest"
)

// SES's notification contents, as "Amazon SES notification contents" and "event publishing"
// show them; the bounce's mail.headers carry our headers (notifications with original headers).
const (
	sesBounce = `{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General",
  "bouncedRecipients":[{"emailAddress":"jane@example.com","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}],
  "timestamp":"2016-01-27T14:59:38.237Z","feedbackId":"00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa068a-000000","remoteMtaIp":"127.0.2.0"},
  "mail":{"timestamp":"2016-01-27T14:59:38.237Z","source":"john@example.com","sourceArn":"arn:aws:ses:us-east-1:888888888888:identity/example.com",
  "sendingAccountId":"123456789012","messageId":"00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000","destination":["jane@example.com"],
  "headersTruncated":false,"headers":[{"name":"From","value":"John Doe <john@example.com>"},{"name":"To","value":"Jane Doe <jane@example.com>"},
  {"name":"Message-ID","value":"<0d4b7a3e-1c2f-4b8a-9a57-6f1e2d3c4b5a@invites.example>"},{"name":"X-Invites-Email-ID","value":"0d4b7a3e-1c2f-4b8a-9a57-6f1e2d3c4b5a"}],
  "commonHeaders":{"from":["John Doe <john@example.com>"],"date":"Wed, 27 Jan 2016 14:05:45 +0000","to":["Jane Doe <jane@example.com>"],"messageId":"custom-message-ID","subject":"Hello"}}}`
	sesTransient = `{"notificationType":"Bounce","bounce":{"bounceType":"Transient","bounceSubType":"MailboxFull",
  "bouncedRecipients":[{"emailAddress":"jane@example.com"}],"timestamp":"2016-01-27T14:59:38.237Z"},"mail":{"messageId":"m2"}}`
	sesComplaint = `{"notificationType":"Complaint","complaint":{"userAgent":"AnyCompany Feedback Loop (V0.01)",
  "complainedRecipients":[{"emailAddress":"richard@example.com"}],"complaintFeedbackType":"abuse","arrivalDate":"2016-01-27T14:59:38.237Z",
  "timestamp":"2016-01-27T14:59:38.237Z","feedbackId":"000001378603177f-18c07c78-fa81-4a58-9dd1-fedc3cb8f49a-000000"},"mail":{"messageId":"m3"}}`
	sesDelivery = `{"notificationType":"Delivery","mail":{"messageId":"m4"},"delivery":{"timestamp":"2016-01-27T14:59:38.237Z",
  "processingTimeMillis":546,"recipients":["success@simulator.amazonses.com"],"smtpResponse":"250 ok:  Message 64111812 accepted","reportingMTA":"a8-70.smtp-out.amazonses.com"}}`
	sesDelay = `{"eventType":"DeliveryDelay","mail":{"messageId":"m5"},"deliveryDelay":{"timestamp":"2020-06-16T00:15:40.641Z",
  "delayType":"TransientCommunicationFailure","expirationTime":"2020-06-16T00:25:40.914Z",
  "delayedRecipients":[{"emailAddress":"recipient@example.com","status":"4.4.1","diagnosticCode":"smtp; 421 4.4.1 Unable to connect to remote host"}]}}`
)

func TestSES(t *testing.T) {
	sns := startSNS(t)
	h, rec := newHandler(t, sns.config())
	for i, message := range []string{sesBounce, sesTransient, sesComplaint, sesDelivery, sesDelay} {
		version := []string{"1", "2"}[i%2]
		id := []string{"n1", "n2", "n3", "n4", "n5"}[i]
		if code := post(h, "ses", snsPost(t, sns.key, version, notification(id, message, now)), nil); code != http.StatusOK {
			t.Fatalf("got %d, want 200, for %s", code, message)
		}
	}
	at := time.Date(2016, 1, 27, 14, 59, 38, 237000000, time.UTC)
	const ours = "0d4b7a3e-1c2f-4b8a-9a57-6f1e2d3c4b5a"
	deliverytest.WantEvents(t, rec,
		delivery.Event{Provider: "ses", ID: "n1/jane@example.com", Kind: delivery.HardBounce, MessageID: ours + "@invites.example",
			EmailID: ours, Recipient: "jane@example.com", At: at, Reason: "5.1.1: smtp; 550 5.1.1 user unknown: General"},
		delivery.Event{Provider: "ses", ID: "n2/jane@example.com", Kind: delivery.SoftBounce, Recipient: "jane@example.com", At: at, Reason: "MailboxFull"},
		delivery.Event{Provider: "ses", ID: "n3/richard@example.com", Kind: delivery.Complaint, Recipient: "richard@example.com", At: at, Reason: "abuse"},
		delivery.Event{Provider: "ses", ID: "n4/success@simulator.amazonses.com", Kind: delivery.Delivered, Recipient: "success@simulator.amazonses.com",
			At: at, Reason: "250 ok:  Message 64111812 accepted"},
		delivery.Event{Provider: "ses", ID: "n5/recipient@example.com", Kind: delivery.Deferred, Recipient: "recipient@example.com",
			At:     time.Date(2020, 6, 16, 0, 15, 40, 641000000, time.UTC),
			Reason: "TransientCommunicationFailure: 4.4.1: smtp; 421 4.4.1 Unable to connect to remote host"},
	)
	sns.mu.Lock()
	defer sns.mu.Unlock()
	if sns.pemGets != 1 {
		t.Errorf("signing certificate fetched %d times, want once", sns.pemGets)
	}
}

func TestSES_Refused(t *testing.T) {
	sns := startSNS(t)
	h, rec := newHandler(t, sns.config())
	otherTopic := notification("n1", sesBounce, now)
	otherTopic["TopicArn"] = "arn:aws:sns:us-east-1:999999999999:someone-elses"
	forged := snsPost(t, sns.key, "2", notification("n1", sesBounce, now))
	forged = forged[:len(forged)-1] + `,"Message":"{}"}` // a field changed after signing
	byRogue := notification("n1", sesBounce, now)
	byRogue["SigningCertURL"] = "https://" + snsHost + "/rogue.pem"
	for name, body := range map[string]string{
		"replayed":            snsPost(t, sns.key, "2", notification("n1", sesBounce, now.Add(-6*time.Minute))),
		"topic not ours":      snsPost(t, sns.key, "2", otherTopic),
		"changed":             forged,
		"signed by a rogue":   snsPost(t, sns.rogue, "1", byRogue),
		"certificate on http": snsPost(t, sns.key, "1", withCertURL(notification("n1", sesBounce, now), "http://"+snsHost+"/SimpleNotificationService-test.pem")),
		"certificate elsewhere": snsPost(t, sns.key, "1", withCertURL(notification("n1", sesBounce, now),
			"https://"+snsHost+".attacker.example/SimpleNotificationService-test.pem")),
		"unknown version": snsPost(t, sns.key, "3", notification("n1", sesBounce, now)),
	} {
		if code := post(h, "ses", body, nil); code != http.StatusUnauthorized {
			t.Errorf("%s: got %d, want 401", name, code)
		}
	}
	if code := post(h, "ses", `{"hello":"world"}`, nil); code != http.StatusBadRequest {
		t.Errorf("not SNS: got %d, want 400", code)
	}
	deliverytest.WantEvents(t, rec)
}

func withCertURL(m map[string]string, u string) map[string]string {
	m["SigningCertURL"] = u
	return m
}
