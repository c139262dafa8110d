package providers

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/invites/invites/internal/delivery"
)

// resend reads Resend's webhooks, signed per Standard Webhooks (Svix): the base64
// HMAC-SHA256, with the secret's key, of "<id>.<timestamp>.<body>", in a signature header
// that may list several ("v1,<sig> v1,<sig>" while a secret is rotated).
type resend struct {
	key []byte
	now func() time.Time
}

// standardHeader is a Standard Webhooks header: webhook-<name>, or Svix's svix-<name>.
func standardHeader(h http.Header, name string) string {
	if v := h.Get("webhook-" + name); v != "" {
		return v
	}
	return h.Get("svix-" + name)
}

// resendPayload is the fields of Resend's email events that we read.
type resendPayload struct {
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	Data      struct {
		EmailID string   `json:"email_id"`
		To      []string `json:"to"`
		Bounce  struct {
			Message string `json:"message"`
			Type    string `json:"type"`
			SubType string `json:"subType"`
		} `json:"bounce"`
		Headers []namedValue    `json:"headers"`
		Tags    json.RawMessage `json:"tags"`
	} `json:"data"`
}

// namedValue is a header or a tag as a list item: {"name": ..., "value": ...}.
type namedValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

func (s resend) events(_ context.Context, h http.Header, body []byte) ([]delivery.Event, error) {
	id, ts := standardHeader(h, "id"), standardHeader(h, "timestamp")
	if id == "" || ts == "" || !s.signed(id, ts, body, standardHeader(h, "signature")) {
		return nil, unauthorized("signature does not verify")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || !fresh(s.now, time.Unix(sec, 0)) {
		return nil, unauthorized("timestamp not within 5 minutes")
	}
	var p resendPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, malformed(err)
	}
	e := delivery.Event{ID: id, At: p.CreatedAt, EmailID: emailID(resendTag(p.Data.Tags))}
	for _, hdr := range p.Data.Headers {
		switch {
		case strings.EqualFold(hdr.Name, EmailIDHeader):
			e.EmailID = emailID(hdr.Value)
		case strings.EqualFold(hdr.Name, "Message-ID"):
			e.MessageID = messageID(hdr.Value)
		}
	}
	switch p.Type {
	case "email.delivered":
		e.Kind = delivery.Delivered
	case "email.delivery_delayed":
		e.Kind = delivery.Deferred
	case "email.complained":
		e.Kind = delivery.Complaint
	case "email.bounced":
		e.Kind, e.Reason = delivery.HardBounce, join(p.Data.Bounce.SubType, p.Data.Bounce.Message)
		if p.Data.Bounce.Type == "Transient" || p.Data.Bounce.Type == "Undetermined" {
			e.Kind = delivery.SoftBounce
		}
	default:
		return nil, nil // sent, opened, clicked...
	}
	var out []delivery.Event
	for _, to := range p.Data.To {
		e.Recipient = to
		e.ID = id + "/" + to // one webhook message may name several recipients
		out = append(out, e)
	}
	return out, nil
}

// signed reports whether one of the signatures in header is the body's.
func (s resend) signed(id, ts string, body []byte, header string) bool {
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, sig := range strings.Fields(header) {
		version, b64, ok := strings.Cut(sig, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return true
		}
	}
	return false
}

// resendTag is our email ID among an email's tags, given as an object or as a list of
// {name, value}.
func resendTag(raw json.RawMessage) string {
	var byName map[string]string
	if json.Unmarshal(raw, &byName) == nil {
		return byName[EmailIDTag]
	}
	var list []namedValue
	_ = json.Unmarshal(raw, &list)
	for _, t := range list {
		if t.Name == EmailIDTag {
			return t.Value
		}
	}
	return ""
}
