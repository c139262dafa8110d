package providers_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/delivery"
	"github.com/invites/invites/internal/delivery/deliverytest"
	"github.com/invites/invites/internal/delivery/providers"
)

var mailgunConfig = providers.Config{EmailHooks: config.EmailHooks{MailgunSigningKey: "key-mailgun-signing"}}

// mailgunPost is a webhook post as Mailgun's "Webhook Payloads" shows: the signature object
// (hex HMAC-SHA256 of timestamp + token with key) and event-data.
func mailgunPost(key string, ts time.Time, eventData string) string {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	token := "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(stamp + token))
	return fmt.Sprintf(`{"signature":{"timestamp":%q,"token":%q,"signature":%q},"event-data":%s}`,
		stamp, token, hex.EncodeToString(mac.Sum(nil)), eventData)
}

const (
	mailgunDelivered = `{"id":"CPgfbmQMTCKtHW6uIWtuVe","event":"delivered","timestamp":1521472262.908181,
  "log-level":"info","recipient":"alice@example.com","recipient-domain":"example.com",
  "envelope":{"transport":"smtp","sender":"bob@sandbox.mailgun.org","targets":"alice@example.com"},
  "message":{"headers":{"to":"Alice <alice@example.com>","message-id":"0d4b7a3e-1c2f-4b8a-9a57-6f1e2d3c4b5a@invites.example","from":"Bob <bob@sandbox.mailgun.org>","subject":"Test delivered webhook"},"size":111},
  "user-variables":{"invites_email_id":"0d4b7a3e-1c2f-4b8a-9a57-6f1e2d3c4b5a"},
  "delivery-status":{"code":250,"message":"OK","description":"","attempt-no":1}}`
	mailgunPermanent = `{"id":"G9Bn5sl1TC6nu79C8C0bwg","event":"failed","severity":"permanent","reason":"suppress-bounce",
  "timestamp":1521233195.375624,"log-level":"error","recipient":"alice@example.com",
  "message":{"headers":{"message-id":"20130503182626.18666.16540@sandbox.mailgun.org"}},
  "delivery-status":{"code":605,"message":"","description":"Not delivering to previously bounced address","attempt-no":1}}`
	mailgunTemporary = `{"id":"Fs7-5t81S2ObZ8NVm6fP4A","event":"failed","severity":"temporary","reason":"generic",
  "timestamp":1521233195.375624,"recipient":"alice@example.com",
  "message":{"headers":{"message-id":"20130503182626.18666.16540@sandbox.mailgun.org"}},
  "delivery-status":{"code":452,"message":"452 Mailbox full","description":"","attempt-no":1,"retry-seconds":600}}`
	mailgunComplained = `{"id":"-Agny091SquKnsrW2NEKUA","event":"complained","timestamp":1521233123.501324,
  "recipient":"alice@example.com","message":{"headers":{"message-id":"20130503182626.18666.16540@sandbox.mailgun.org"}}}`
	mailgunOpened = `{"id":"Ase7i2zsRYeDXztHGENqRA","event":"opened","timestamp":1521243339.873676,"recipient":"alice@example.com"}`
)

func TestMailgun(t *testing.T) {
	h, rec := newHandler(t, mailgunConfig)
	for _, d := range []string{mailgunDelivered, mailgunPermanent, mailgunTemporary, mailgunComplained, mailgunOpened} {
		if code := post(h, "mailgun", mailgunPost("key-mailgun-signing", now, d), nil); code != http.StatusOK {
			t.Fatalf("got %d, want 200, for %s", code, d)
		}
	}
	theirs := "20130503182626.18666.16540@sandbox.mailgun.org"
	deliverytest.WantEvents(t, rec,
		delivery.Event{Provider: "mailgun", ID: "CPgfbmQMTCKtHW6uIWtuVe", Kind: delivery.Delivered,
			MessageID: "0d4b7a3e-1c2f-4b8a-9a57-6f1e2d3c4b5a@invites.example", EmailID: "0d4b7a3e-1c2f-4b8a-9a57-6f1e2d3c4b5a",
			Recipient: "alice@example.com", At: time.Unix(1521472262, 908181000), Reason: "OK"},
		delivery.Event{Provider: "mailgun", ID: "G9Bn5sl1TC6nu79C8C0bwg", Kind: delivery.HardBounce, MessageID: theirs,
			Recipient: "alice@example.com", At: time.Unix(1521233195, 375624000),
			Reason: "Not delivering to previously bounced address"},
		delivery.Event{Provider: "mailgun", ID: "Fs7-5t81S2ObZ8NVm6fP4A", Kind: delivery.Deferred, MessageID: theirs,
			Recipient: "alice@example.com", At: time.Unix(1521233195, 375624000), Reason: "452 Mailbox full"},
		delivery.Event{Provider: "mailgun", ID: "-Agny091SquKnsrW2NEKUA", Kind: delivery.Complaint, MessageID: theirs,
			Recipient: "alice@example.com", At: time.Unix(1521233123, 501324000)},
	)
}

func TestMailgun_Refused(t *testing.T) {
	h, rec := newHandler(t, mailgunConfig)
	for name, body := range map[string]string{
		"signed with another key": mailgunPost("another-key", now, mailgunPermanent),
		"replayed":                mailgunPost("key-mailgun-signing", now.Add(-6*time.Minute), mailgunPermanent),
		"unsigned":                `{"event-data":` + mailgunPermanent + `}`,
		"not JSON":                `event=failed`,
	} {
		if code := post(h, "mailgun", body, nil); code != http.StatusUnauthorized {
			t.Errorf("%s: got %d, want 401", name, code)
		}
	}
	deliverytest.WantEvents(t, rec)
}
