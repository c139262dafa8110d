package providers_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/delivery"
	"github.com/invites/invites/internal/delivery/deliverytest"
	"github.com/invites/invites/internal/delivery/providers"
)

// sendgridKey is a key pair as SendGrid makes one for a Signed Event Webhook; its public half
// is configured the way SendGrid shows it, the base64 of its DER.
func sendgridKey(t *testing.T) (*ecdsa.PrivateKey, providers.Config) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return key, providers.Config{EmailHooks: config.EmailHooks{SendGridPublicKey: base64.StdEncoding.EncodeToString(der)}}
}

// sendgridSign signs body at ts as SendGrid does: ECDSA over SHA-256 of timestamp + body.
func sendgridSign(t *testing.T, key *ecdsa.PrivateKey, ts time.Time, body string) http.Header {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	digest := sha256.Sum256([]byte(stamp + body))
	sig, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return http.Header{
		"X-Twilio-Email-Event-Webhook-Signature": {base64.StdEncoding.EncodeToString(sig)},
		"X-Twilio-Email-Event-Webhook-Timestamp": {stamp},
	}
}

// sendgridEvents is an Event Webhook post in the shape of SendGrid's "Event webhook reference"
// examples; invites_email_id is our unique argument (X-SMTPAPI), echoed as a top-level field.
const sendgridEvents = `[
  {"email":"example@test.com","timestamp":1513299569,"smtp-id":"<0d4b7a3e-1c2f-4b8a-9a57-6f1e2d3c4b5a@invites.example>","event":"processed","category":"cat facts","sg_event_id":"sg_1","sg_message_id":"m1"},
  {"email":"example@test.com","timestamp":1513299569,"smtp-id":"<0d4b7a3e-1c2f-4b8a-9a57-6f1e2d3c4b5a@invites.example>","event":"delivered","category":"cat facts","sg_event_id":"sg_2","sg_message_id":"m1","response":"250 OK","invites_email_id":"0d4b7a3e-1c2f-4b8a-9a57-6f1e2d3c4b5a"},
  {"email":"example@test.com","timestamp":1513299569,"smtp-id":"<x@y>","event":"deferred","category":"cat facts","sg_event_id":"sg_3","sg_message_id":"m2","response":"400 try again later","attempt":"5"},
  {"email":"example@test.com","timestamp":1513299569,"smtp-id":"<x@y>","bounce_classification":"Invalid Address","event":"bounce","category":"cat facts","sg_event_id":"sg_4","sg_message_id":"m2","reason":"500 unknown recipient","status":"5.0.0","type":"bounce"},
  {"email":"example@test.com","timestamp":1513299569,"smtp-id":"<x@y>","bounce_classification":"Reputation","event":"bounce","category":"cat facts","sg_event_id":"sg_5","sg_message_id":"m2","reason":"550 blocked","status":"5.7.1","type":"blocked"},
  {"email":"example@test.com","timestamp":1513299569,"smtp-id":"<x@y>","event":"spamreport","category":"cat facts","sg_event_id":"sg_6","sg_message_id":"m2"},
  {"email":"example@test.com","timestamp":1513299569,"smtp-id":"<x@y>","event":"unsubscribe","category":"cat facts","sg_event_id":"sg_7","sg_message_id":"m2"}
]`

func TestSendGrid(t *testing.T) {
	key, cfg := sendgridKey(t)
	h, rec := newHandler(t, cfg)
	if code := post(h, "sendgrid", sendgridEvents, sendgridSign(t, key, now.Add(-time.Minute), sendgridEvents)); code != http.StatusOK {
		t.Fatalf("got %d, want 200", code)
	}
	at := time.Unix(1513299569, 0)
	const ours = "0d4b7a3e-1c2f-4b8a-9a57-6f1e2d3c4b5a"
	e := func(id string, kind delivery.Kind, reason string) delivery.Event {
		return delivery.Event{Provider: "sendgrid", ID: id, Kind: kind, MessageID: "x@y",
			Recipient: "example@test.com", At: at, Reason: reason}
	}
	delivered := e("sg_2", delivery.Delivered, "250 OK")
	delivered.MessageID, delivered.EmailID = ours+"@invites.example", ours
	deliverytest.WantEvents(t, rec, delivered,
		e("sg_3", delivery.Deferred, "400 try again later"),
		e("sg_4", delivery.HardBounce, "5.0.0: 500 unknown recipient: Invalid Address"),
		e("sg_5", delivery.SoftBounce, "5.7.1: 550 blocked: Reputation"),
		e("sg_6", delivery.Complaint, ""),
		e("sg_7", delivery.Unsubscribed, ""))
}

func TestSendGrid_Refused(t *testing.T) {
	key, cfg := sendgridKey(t)
	other, _ := sendgridKey(t)
	h, rec := newHandler(t, cfg)
	for name, header := range map[string]http.Header{
		"signed by another key": sendgridSign(t, other, now, sendgridEvents),
		"replayed":              sendgridSign(t, key, now.Add(-6*time.Minute), sendgridEvents),
		"unsigned":              nil,
	} {
		if code := post(h, "sendgrid", sendgridEvents, header); code != http.StatusUnauthorized {
			t.Errorf("%s: got %d, want 401", name, code)
		}
	}
	tampered := sendgridSign(t, key, now, sendgridEvents)
	if code := post(h, "sendgrid", sendgridEvents+" ", tampered); code != http.StatusUnauthorized {
		t.Errorf("body changed after signing: got %d, want 401", code)
	}
	deliverytest.WantEvents(t, rec)
}
