package providers_test

import (
	"crypto/hmac"
	"crypto/sha256"
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

// resendSecret is a signing secret as Resend shows one: whsec_ and the key's base64.
const resendSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

var resendConfig = providers.Config{EmailHooks: config.EmailHooks{ResendSecret: resendSecret}}

// resendSign signs body as Standard Webhooks does, with the headers' prefix (svix or webhook).
func resendSign(secret, prefix, id string, ts time.Time, body string) http.Header {
	key, _ := base64.StdEncoding.DecodeString(secret[len("whsec_"):])
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + stamp + "." + body))
	return http.Header{
		http.CanonicalHeaderKey(prefix + "-id"):        {id},
		http.CanonicalHeaderKey(prefix + "-timestamp"): {stamp},
		// A rotated secret's old signature first, as Standard Webhooks allows several.
		http.CanonicalHeaderKey(prefix + "-signature"): {"v1,b2xkIHNpZ25hdHVyZQ== v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))},
	}
}

// Resend's webhook payloads, as its "email.*" event pages show them.
const (
	resendBounced = `{"type":"email.bounced","created_at":"2024-11-22T23:41:12.126Z","data":{
  "broadcast_id":"8b146471-e88e-4322-86af-016cd36fd216","created_at":"2024-11-22T23:41:11.894719+00:00",
  "email_id":"56761188-7520-42d8-8898-ff6fc54ce618","from":"Acme <onboarding@resend.dev>",
  "to":["delivered@resend.dev"],"subject":"Sending this example",
  "bounce":{"message":"The recipient's email address is on the suppression list because it has a recent history of producing hard bounces.","subType":"Suppressed","type":"Permanent"},
  "headers":[{"name":"X-Invites-Email-ID","value":"0d4b7a3e-1c2f-4b8a-9a57-6f1e2d3c4b5a"}]}}`
	resendTransient = `{"type":"email.bounced","created_at":"2024-11-22T23:41:12.126Z","data":{
  "email_id":"56761188-7520-42d8-8898-ff6fc54ce618","to":["delivered@resend.dev"],
  "bounce":{"message":"Mailbox full","subType":"MailboxFull","type":"Transient"},
  "tags":{"invites_email_id":"0d4b7a3e-1c2f-4b8a-9a57-6f1e2d3c4b5a"}}}`
	resendDelayed = `{"type":"email.delivery_delayed","created_at":"2024-02-22T23:41:12.126Z","data":{
  "email_id":"56761188-7520-42d8-8898-ff6fc54ce618","to":["delivered@resend.dev"],"subject":"Sending this example"}}`
	resendComplained = `{"type":"email.complained","created_at":"2024-02-22T23:41:12.126Z","data":{
  "email_id":"56761188-7520-42d8-8898-ff6fc54ce618","to":["delivered@resend.dev"]}}`
	resendDelivered = `{"type":"email.delivered","created_at":"2024-02-22T23:41:12.126Z","data":{
  "email_id":"56761188-7520-42d8-8898-ff6fc54ce618","to":["delivered@resend.dev"],"tags":[{"name":"invites_email_id","value":"0d4b7a3e-1c2f-4b8a-9a57-6f1e2d3c4b5a"}]}}`
	resendOpened = `{"type":"email.opened","created_at":"2024-02-22T23:41:12.126Z","data":{"to":["delivered@resend.dev"]}}`
)

func TestResend(t *testing.T) {
	h, rec := newHandler(t, resendConfig)
	for i, body := range []string{resendBounced, resendTransient, resendDelayed, resendComplained, resendDelivered, resendOpened} {
		prefix := []string{"svix", "webhook"}[i%2]
		id := "msg_" + strconv.Itoa(i)
		if code := post(h, "resend", body, resendSign(resendSecret, prefix, id, now, body)); code != http.StatusOK {
			t.Fatalf("got %d, want 200, for %s", code, body)
		}
	}
	const ours, to = "0d4b7a3e-1c2f-4b8a-9a57-6f1e2d3c4b5a", "delivered@resend.dev"
	bouncedAt := time.Date(2024, 11, 22, 23, 41, 12, 126000000, time.UTC)
	at := time.Date(2024, 2, 22, 23, 41, 12, 126000000, time.UTC)
	deliverytest.WantEvents(t, rec,
		delivery.Event{Provider: "resend", ID: "msg_0/" + to, Kind: delivery.HardBounce, EmailID: ours, Recipient: to, At: bouncedAt,
			Reason: "Suppressed: The recipient's email address is on the suppression list because it has a recent history of producing hard bounces."},
		delivery.Event{Provider: "resend", ID: "msg_1/" + to, Kind: delivery.SoftBounce, EmailID: ours, Recipient: to, At: bouncedAt,
			Reason: "MailboxFull: Mailbox full"},
		delivery.Event{Provider: "resend", ID: "msg_2/" + to, Kind: delivery.Deferred, Recipient: to, At: at},
		delivery.Event{Provider: "resend", ID: "msg_3/" + to, Kind: delivery.Complaint, Recipient: to, At: at},
		delivery.Event{Provider: "resend", ID: "msg_4/" + to, Kind: delivery.Delivered, EmailID: ours, Recipient: to, At: at},
	)
}

func TestResend_Refused(t *testing.T) {
	h, rec := newHandler(t, resendConfig)
	for name, header := range map[string]http.Header{
		"signed with another secret": resendSign("whsec_b3RoZXIgc2VjcmV0", "svix", "msg_1", now, resendBounced),
		"replayed":                   resendSign(resendSecret, "webhook", "msg_1", now.Add(-6*time.Minute), resendBounced),
		"signed for another id": func() http.Header {
			h := resendSign(resendSecret, "svix", "msg_1", now, resendBounced)
			h.Set("svix-id", "msg_2")
			return h
		}(),
		"unsigned": nil,
	} {
		if code := post(h, "resend", resendBounced, header); code != http.StatusUnauthorized {
			t.Errorf("%s: got %d, want 401", name, code)
		}
	}
	deliverytest.WantEvents(t, rec)
}
