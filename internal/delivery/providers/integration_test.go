package providers_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	netmail "net/mail"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/invites/invites/internal/delivery"
	"github.com/invites/invites/internal/delivery/deliverytest"
	"github.com/invites/invites/internal/delivery/providers"
	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// ours is what a payload carries of the email it reports on: our email ID and Message-ID
// (as internal/mail's SMTP sender wrote them), the recipient, the provider's event ID and time.
type ours struct {
	EmailID, MessageID, To, EventID string
	At                              time.Time
}

// kindCase is one kind of report of a provider: the payload as the provider posts it, and
// what the invite reads after it.
type kindCase struct {
	name string
	// payload is the provider's body (for SES, the SNS message's Message) about o.
	payload func(o ours) string
	// byRecipient: the payload echoes nothing of ours; the recipient and the time match it
	// (Postmark's and SES's give the address in capitals, as a receiving server may).
	byRecipient bool
	kind        delivery.Kind
	status      mail.Status
	// reason is the invite's deliveryError, the suppression's reason and the activity's detail
	// (a delivery's words are kept on its event only).
	reason, suppression, activity string
}

// signer makes a provider's signed request of a payload: good as the provider signs it at
// ts; bad signed with another key (or the wrong credentials).
type signer struct {
	good func(t *testing.T, payload, eventID string, ts time.Time) (string, http.Header)
	bad  func(t *testing.T, payload, eventID string) (string, http.Header)
	// replays: the provider signs a timestamp (Postmark does not: its repeat is a duplicate).
	replays bool
}

type providerCase struct {
	name string
	cfg  providers.Config
	// echo is our email ID as the provider echoes it: read from the header the SMTP sender
	// wrote for that provider.
	echo  func(t *testing.T, h netmail.Header) string
	sign  signer
	kinds []kindCase
}

var eventSeq atomic.Int64

// TestIntegration_Providers posts each provider's signed reports of each kind through the
// real Handler to the real delivery.Service on PostgreSQL: a report changes the invite whose
// email it names (and not another invite to the same address sent later), a badly signed or
// replayed one is refused (401) and changes nothing, and the same report again changes
// nothing twice.
func TestIntegration_Providers(t *testing.T) {
	db := pgtest.DB(t)
	srv := smtptest.Start(t)
	obs := &outcomes{}
	svc := delivery.New(db, delivery.Config{Observer: obs, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }})
	for _, p := range providerCases(t) {
		cfg := p.cfg
		cfg.Now = func() time.Time { return now }
		h, err := providers.Handler(cfg, svc, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range p.kinds {
			t.Run(p.name+"/"+k.name, func(t *testing.T) {
				to := deliverytest.Recipient(p.name)
				// The other invite to the same address is the one a match by recipient and time
				// would pick when the payload names ours: sent later, or else earlier.
				decoyAt := now.Add(-time.Hour)
				if k.byRecipient {
					decoyAt = now.Add(-3 * time.Hour)
				}
				decoy := deliverytest.NewInvite(t, db, to, decoyAt)
				inv := deliverytest.NewInvite(t, db, to, now.Add(-2*time.Hour))
				sent := deliverytest.Send(t, srv, inv, "")
				o := ours{EmailID: p.echo(t, sent.Header), MessageID: sent.Header.Get("Message-ID"), To: to,
					EventID: strconv.FormatInt(time.Now().UnixNano()+eventSeq.Add(1), 10), At: now.Add(-time.Minute)}
				if o.EmailID != inv.EmailID.String() {
					t.Fatalf("the sender wrote %q where %s echoes our ID, want %s", o.EmailID, p.name, inv.EmailID)
				}
				payload := k.payload(o)
				untouched := deliverytest.State{Status: mail.StatusSent}

				body, header := p.sign.bad(t, payload, o.EventID)
				if code := post(h, p.name, body, header); code != http.StatusUnauthorized {
					t.Errorf("badly signed: got %d, want 401", code)
				}
				wantState(t, "after a badly signed one", deliverytest.StateOf(t, db, inv), untouched)
				if p.sign.replays {
					body, header = p.sign.good(t, payload, o.EventID, now.Add(-6*time.Minute))
					if code := post(h, p.name, body, header); code != http.StatusUnauthorized {
						t.Errorf("replayed: got %d, want 401", code)
					}
					wantState(t, "after a replayed one", deliverytest.StateOf(t, db, inv), untouched)
				}

				want := k.want(p.name, inv)
				body, header = p.sign.good(t, payload, o.EventID, now.Add(-30*time.Second))
				for _, try := range []struct{ name, outcome string }{{"first", delivery.OutcomeMatched}, {"again", delivery.OutcomeDuplicate}} {
					counted := obs.get(p.name, k.kind, try.outcome)
					if code := post(h, p.name, body, header); code != http.StatusOK {
						t.Fatalf("%s: got %d, want 200", try.name, code)
					}
					wantState(t, try.name, deliverytest.StateOf(t, db, inv), want)
					if got := obs.get(p.name, k.kind, try.outcome) - counted; got != 1 {
						t.Errorf("%s: counted %d more %s, want 1", try.name, got, try.outcome)
					}
				}
				got := deliverytest.StateOf(t, db, decoy)
				got.Suppression, got.SuppressionReason = "", "" // the address's, shared
				wantState(t, "the other invite", got, untouched)
			})
		}
	}
}

// outcomes is an Observer that counts what it hears (the metrics' delivery events).
type outcomes struct {
	mu sync.Mutex
	n  map[string]int
}

func (o *outcomes) DeliveryEvent(provider, kind, outcome string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.n == nil {
		o.n = map[string]int{}
	}
	o.n[provider+"/"+kind+"/"+outcome]++
}

func (o *outcomes) get(provider string, kind delivery.Kind, outcome string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.n[provider+"/"+string(kind)+"/"+outcome]
}

// want is the State a report of k leaves inv in.
func (k kindCase) want(provider string, inv deliverytest.Invite) deliverytest.State {
	s := deliverytest.State{Status: k.status, Error: k.reason, Events: []string{provider + "/" + string(k.kind)}}
	if k.suppression != "" {
		s.Suppression, s.SuppressionReason = k.suppression, k.reason
		if k.reason == "" {
			s.SuppressionReason = k.suppression
		}
	}
	if k.kind == delivery.Unsubscribed { // the address only: the email was delivered
		s.Error = ""
		if k.reason == "" {
			s.SuppressionReason = "unsubscribed"
		}
	}
	if k.activity != "" {
		detail := k.reason
		if k.kind == delivery.Delivered {
			detail = ""
		}
		s.Activity = []deliverytest.Activity{{Name: k.activity, ActorID: inv.InviterID, Detail: detail}}
	}
	return s
}

func wantState(t *testing.T, when string, got, want deliverytest.State) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", when, got, want)
	}
}

// The kinds every provider reports, with what each leaves the invite in.
func delivered(payload func(ours) string) kindCase {
	return kindCase{name: "delivered", payload: payload, kind: delivery.Delivered, status: mail.StatusDelivered,
		activity: invites.EventDeliveredUserInvite}
}

func deferred(name string, kind delivery.Kind, byRecipient bool, reason string, payload func(ours) string) kindCase {
	return kindCase{name: name, payload: payload, byRecipient: byRecipient, kind: kind, status: mail.StatusDeferred, reason: reason}
}

func hardBounce(reason string, payload func(ours) string) kindCase {
	return kindCase{name: "hard bounce", payload: payload, kind: delivery.HardBounce, status: mail.StatusBounced,
		reason: reason, suppression: delivery.SuppressedHardBounce, activity: invites.EventBouncedUserInvite}
}

func complaint(reason string, payload func(ours) string) kindCase {
	return kindCase{name: "complaint", payload: payload, kind: delivery.Complaint, status: mail.StatusComplained,
		reason: reason, suppression: delivery.SuppressedComplaint, activity: invites.EventComplainedUserInvite}
}

// unsubscribed: the recipient asked for no more mail; the address is suppressed as after a
// complaint, the email's status stays.
func unsubscribed(reason string, payload func(ours) string) kindCase {
	return kindCase{name: "unsubscribed", payload: payload, kind: delivery.Unsubscribed, status: mail.StatusSent,
		reason: reason, suppression: delivery.SuppressedComplaint}
}

func providerCases(t *testing.T) []providerCase {
	return []providerCase{postmarkCase(), sendgridCase(t), mailgunCase(), resendCase(), sesCase(t)}
}

func rfc3339(at time.Time) string { return at.UTC().Format(time.RFC3339Nano) }

// Postmark: our ID in Metadata (X-PM-Metadata-invites_email_id); Basic auth, no timestamp.
func postmarkCase() providerCase {
	auth := func(password string) func(*testing.T, string, string) (string, http.Header) {
		return func(_ *testing.T, payload, _ string) (string, http.Header) {
			return payload, postmarkAuth("hooks", password)
		}
	}
	good := auth("s3cret")
	return providerCase{name: "postmark", cfg: postmarkConfig,
		echo: func(_ *testing.T, h netmail.Header) string { return h.Get("X-PM-Metadata-invites_email_id") },
		sign: signer{good: func(t *testing.T, payload, id string, _ time.Time) (string, http.Header) { return good(t, payload, id) },
			bad: auth("wrong")},
		kinds: []kindCase{
			delivered(func(o ours) string {
				return fmt.Sprintf(`{"RecordType":"Delivery","ServerID":23,"MessageStream":"outbound","MessageID":"883953f4-6105-42a2-a16a-77a8eac79483",
  "Recipient":%q,"DeliveredAt":%q,"Details":"smtp;250 2.0.0 OK","Metadata":{"invites_email_id":%q}}`, o.To, rfc3339(o.At), o.EmailID)
			}),
			deferred("soft bounce by recipient", delivery.SoftBounce, true, "Mailbox full", func(o ours) string {
				return fmt.Sprintf(`{"RecordType":"Bounce","ID":%s,"Type":"SoftBounce","TypeCode":4096,"MessageID":"883953f4-6105-42a2-a16a-77a8eac79483",
  "Description":"Mailbox full","Email":%q,"BouncedAt":%q}`, o.EventID, strings.ToUpper(o.To), rfc3339(o.At))
			}),
			hardBounce("The server was unable to deliver your message (ex: unknown user, mailbox not found).: smtp;550 5.1.1 The email account that you tried to reach does not exist.",
				func(o ours) string {
					return fmt.Sprintf(`{"RecordType":"Bounce","MessageStream":"outbound","ID":%s,"Type":"HardBounce","TypeCode":1,"Name":"Hard bounce",
  "MessageID":"883953f4-6105-42a2-a16a-77a8eac79483","Metadata":{"invites_email_id":%q},"ServerID":23,
  "Description":"The server was unable to deliver your message (ex: unknown user, mailbox not found).",
  "Details":"smtp;550 5.1.1 The email account that you tried to reach does not exist.",
  "Email":%q,"From":"noreply@invites.test","BouncedAt":%q,"DumpAvailable":true,"Inactive":true,"CanActivate":true}`,
						o.EventID, o.EmailID, o.To, rfc3339(o.At))
				}),
			unsubscribed("ManualSuppression", func(o ours) string {
				return fmt.Sprintf(`{"RecordType":"SubscriptionChange","MessageID":"883953f4-6105-42a2-a16a-77a8eac79483","ServerID":123456,
  "MessageStream":"outbound","ChangedAt":%q,"Recipient":%q,"Origin":"Recipient","SuppressSending":true,
  "SuppressionReason":"ManualSuppression","Metadata":{"invites_email_id":%q}}`, rfc3339(o.At), o.To, o.EmailID)
			}),
			complaint("Test spam complaint details", func(o ours) string {
				return fmt.Sprintf(`{"RecordType":"SpamComplaint","MessageStream":"outbound","ID":%s,"Type":"SpamComplaint","TypeCode":512,
  "MessageID":"883953f4-6105-42a2-a16a-77a8eac79483","Metadata":{"invites_email_id":%q},"Details":"Test spam complaint details",
  "Email":%q,"BouncedAt":%q,"Inactive":true}`, o.EventID, o.EmailID, o.To, rfc3339(o.At))
			}),
		},
	}
}

// SendGrid: our ID as the custom argument invites_email_id (X-SMTPAPI's unique_args), our
// Message-ID as smtp-id; an ECDSA signature over the timestamp and the body.
func sendgridCase(t *testing.T) providerCase {
	key, cfg := sendgridKey(t)
	other, _ := sendgridKey(t)
	event := func(fields string) func(ours) string {
		return func(o ours) string {
			return fmt.Sprintf(`[{"email":%q,"timestamp":%d,"sg_event_id":"sg_%s","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",%s}]`,
				o.To, o.At.Unix(), o.EventID, fields)
		}
	}
	withOurs := func(fields string) func(ours) string {
		return func(o ours) string {
			return event(fmt.Sprintf(`"smtp-id":%q,"invites_email_id":%q,`, o.MessageID, o.EmailID) + fields)(o)
		}
	}
	withMessageID := func(fields string) func(ours) string {
		return func(o ours) string { return event(fmt.Sprintf(`"smtp-id":%q,`, o.MessageID) + fields)(o) }
	}
	return providerCase{name: "sendgrid", cfg: cfg,
		echo: func(t *testing.T, h netmail.Header) string {
			var v struct {
				UniqueArgs map[string]string `json:"unique_args"`
			}
			if err := json.Unmarshal([]byte(h.Get("X-SMTPAPI")), &v); err != nil {
				t.Fatal(err)
			}
			return v.UniqueArgs[providers.EmailIDTag]
		},
		sign: signer{replays: true,
			good: func(t *testing.T, payload, _ string, ts time.Time) (string, http.Header) {
				return payload, sendgridSign(t, key, ts, payload)
			},
			bad: func(t *testing.T, payload, _ string) (string, http.Header) {
				return payload, sendgridSign(t, other, now, payload)
			}},
		kinds: []kindCase{
			delivered(withOurs(`"event":"delivered","response":"250 OK"`)),
			deferred("deferred by recipient", delivery.Deferred, true, "400 try again later",
				event(`"smtp-id":"<14c5d75ce93.dfd.64b469@ismtpd-555>","event":"deferred","response":"400 try again later","attempt":"5"`)),
			deferred("blocked by Message-ID", delivery.SoftBounce, false, "5.7.1: 550 blocked: Reputation",
				withMessageID(`"event":"bounce","type":"blocked","status":"5.7.1","reason":"550 blocked","bounce_classification":"Reputation"`)),
			hardBounce("5.0.0: 550 5.1.1 unknown recipient: Invalid Address",
				withOurs(`"event":"bounce","type":"bounce","status":"5.0.0","reason":"550 5.1.1 unknown recipient","bounce_classification":"Invalid Address"`)),
			complaint("", withOurs(`"event":"spamreport"`)),
			unsubscribed("", withOurs(`"event":"unsubscribe"`)),
		},
	}
}

// Mailgun: our ID in user-variables (X-Mailgun-Variables), our Message-ID in the message's
// headers (without angle brackets); the signature object in the body.
func mailgunCase() providerCase {
	event := func(identity bool, fields string) func(ours) string {
		return func(o ours) string {
			headers := `"message":{"headers":{"message-id":"20130503182626.18666.16540@sandbox.mailgun.org"}}`
			if identity {
				headers = fmt.Sprintf(`"message":{"headers":{"message-id":%q}},"user-variables":{"invites_email_id":%q}`,
					strings.Trim(o.MessageID, "<>"), o.EmailID)
			}
			return fmt.Sprintf(`{"id":"mg-%s","timestamp":%d.250000,"recipient":%q,%s,%s}`, o.EventID, o.At.Unix(), o.To, headers, fields)
		}
	}
	messageIDOnly := func(fields string) func(ours) string {
		return func(o ours) string {
			return fmt.Sprintf(`{"id":"mg-%s","timestamp":%d.250000,"recipient":%q,"message":{"headers":{"message-id":%q}},%s}`,
				o.EventID, o.At.Unix(), o.To, strings.Trim(o.MessageID, "<>"), fields)
		}
	}
	return providerCase{name: "mailgun", cfg: mailgunConfig,
		echo: func(t *testing.T, h netmail.Header) string {
			var v map[string]string
			if err := json.Unmarshal([]byte(h.Get("X-Mailgun-Variables")), &v); err != nil {
				t.Fatal(err)
			}
			return v[providers.EmailIDTag]
		},
		sign: signer{replays: true,
			good: func(_ *testing.T, payload, _ string, ts time.Time) (string, http.Header) {
				return mailgunPost("key-mailgun-signing", ts, payload), nil
			},
			bad: func(_ *testing.T, payload, _ string) (string, http.Header) {
				return mailgunPost("another-key", now, payload), nil
			}},
		kinds: []kindCase{
			delivered(event(true, `"event":"delivered","delivery-status":{"code":250,"message":"OK","description":"","attempt-no":1}`)),
			deferred("temporary failure by recipient", delivery.Deferred, true, "452 Mailbox full",
				event(false, `"event":"failed","severity":"temporary","reason":"generic","delivery-status":{"code":452,"message":"452 Mailbox full","attempt-no":1,"retry-seconds":600}`)),
			hardBounce("550 5.1.1 No such user",
				event(true, `"event":"failed","severity":"permanent","reason":"bounce","delivery-status":{"code":550,"message":"550 5.1.1 No such user","description":"","attempt-no":1}`)),
			complaint("", messageIDOnly(`"event":"complained"`)),
			unsubscribed("", event(true, `"event":"unsubscribed"`)),
		},
	}
}

// Resend: our ID in the email's headers or tags where the event gives them; signed per
// Standard Webhooks (the event ID and timestamp in the headers).
func resendCase() providerCase {
	event := func(typ, data string) func(ours) string {
		return func(o ours) string {
			return fmt.Sprintf(`{"type":%q,"created_at":%q,"data":{"email_id":"56761188-7520-42d8-8898-ff6fc54ce618",
  "from":"Invites <noreply@invites.test>","to":[%q],"subject":"Ada invited you to Apollo"%s}}`, typ, rfc3339(o.At), o.To, data)
		}
	}
	header := func(name string, value func(ours) string, typ, data string) func(ours) string {
		return func(o ours) string {
			return event(typ, fmt.Sprintf(`,"headers":[{"name":%q,"value":%q}]`, name, value(o))+data)(o)
		}
	}
	emailID := func(o ours) string { return o.EmailID }
	msgID := func(o ours) string { return o.MessageID }
	return providerCase{name: "resend", cfg: resendConfig, echo: ourHeader,
		sign: signer{replays: true,
			good: func(_ *testing.T, payload, id string, ts time.Time) (string, http.Header) {
				return payload, resendSign(resendSecret, "svix", "msg_"+id, ts, payload)
			},
			bad: func(_ *testing.T, payload, id string) (string, http.Header) {
				return payload, resendSign("whsec_b3RoZXIgc2VjcmV0", "svix", "msg_"+id, now, payload)
			}},
		kinds: []kindCase{
			delivered(header("X-Invites-Email-ID", emailID, "email.delivered", "")),
			deferred("delayed by recipient", delivery.Deferred, true, "", event("email.delivery_delayed", "")),
			deferred("transient bounce by tag", delivery.SoftBounce, false, "MailboxFull: Mailbox full", func(o ours) string {
				return event("email.bounced", fmt.Sprintf(`,"tags":{"invites_email_id":%q},"bounce":{"message":"Mailbox full","subType":"MailboxFull","type":"Transient"}`, o.EmailID))(o)
			}),
			hardBounce("General: 550 5.1.1 user unknown", header("Message-ID", msgID, "email.bounced",
				`,"bounce":{"message":"550 5.1.1 user unknown","subType":"General","type":"Permanent"}`)),
			complaint("", func(o ours) string {
				return event("email.complained", fmt.Sprintf(`,"tags":[{"name":"invites_email_id","value":%q}]`, o.EmailID))(o)
			}),
		},
	}
}

// ourHeader is X-Invites-Email-ID, which SES and Resend give back among the email's headers.
func ourHeader(_ *testing.T, h netmail.Header) string { return h.Get(providers.EmailIDHeader) }

// Amazon SES through SNS: our ID and Message-ID in mail.headers (notifications with original
// headers); the SNS message signed with the certificate the fake SNS serves.
func sesCase(t *testing.T) providerCase {
	sns := startSNS(t)
	return providerCase{name: "ses", cfg: sns.config(), echo: ourHeader,
		sign: signer{replays: true,
			good: func(t *testing.T, payload, id string, ts time.Time) (string, http.Header) {
				return snsPost(t, sns.key, "2", notification("sns-"+id, payload, ts)), nil
			},
			bad: func(t *testing.T, payload, id string) (string, http.Header) {
				return snsPost(t, sns.rogue, "1", withCertURL(notification("sns-"+id, payload, now), "https://"+snsHost+"/rogue.pem")), nil
			}},
		kinds: sesKinds(),
	}
}

// sesMessage is an SES notification: its own part (fields, which name the recipient and the
// time) and the mail object, with the email's headers where headers is set.
func sesMessage(headers bool, fields func(ours) string) func(ours) string {
	return func(o ours) string {
		h := ""
		if headers {
			h = fmt.Sprintf(`,"headers":[{"name":"From","value":"Invites <noreply@invites.test>"},{"name":"To","value":%q},
  {"name":"Message-ID","value":%q},{"name":"X-Invites-Email-ID","value":%q}]`, o.To, o.MessageID, o.EmailID)
		}
		return fmt.Sprintf(`{%s,"mail":{"timestamp":%q,"source":"noreply@invites.test","messageId":"0100018c-ses-%s",
  "destination":[%q],"headersTruncated":false%s,"commonHeaders":{"messageId":"0100018c-ses-%s"}}}`,
			fields(o), rfc3339(o.At.Add(-time.Minute)), o.EventID, o.To, h, o.EventID)
	}
}

func sesKinds() []kindCase {
	return []kindCase{
		delivered(sesMessage(true, func(o ours) string {
			return fmt.Sprintf(`"notificationType":"Delivery","delivery":{"timestamp":%q,"processingTimeMillis":546,
  "recipients":[%q],"smtpResponse":"250 2.0.0 OK","reportingMTA":"a8-70.smtp-out.amazonses.com"}`, rfc3339(o.At), o.To)
		})),
		deferred("delivery delay", delivery.Deferred, false, "TransientCommunicationFailure: 4.4.1: smtp; 421 4.4.1 Unable to connect to remote host",
			sesMessage(true, func(o ours) string {
				return fmt.Sprintf(`"eventType":"DeliveryDelay","deliveryDelay":{"timestamp":%q,"delayType":"TransientCommunicationFailure",
  "delayedRecipients":[{"emailAddress":%q,"status":"4.4.1","diagnosticCode":"smtp; 421 4.4.1 Unable to connect to remote host"}]}`, rfc3339(o.At), o.To)
			})),
		deferred("transient bounce by recipient", delivery.SoftBounce, true, "MailboxFull", sesMessage(false, func(o ours) string {
			return fmt.Sprintf(`"notificationType":"Bounce","bounce":{"bounceType":"Transient","bounceSubType":"MailboxFull",
  "bouncedRecipients":[{"emailAddress":%q}],"timestamp":%q}`, strings.ToUpper(o.To), rfc3339(o.At))
		})),
		hardBounce("5.1.1: smtp; 550 5.1.1 user unknown: General", sesMessage(true, func(o ours) string {
			return fmt.Sprintf(`"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General",
  "bouncedRecipients":[{"emailAddress":%q,"action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}],
  "timestamp":%q,"feedbackId":"0100018c-feedback","remoteMtaIp":"127.0.2.0"}`, o.To, rfc3339(o.At))
		})),
		complaint("abuse", sesMessage(true, func(o ours) string {
			return fmt.Sprintf(`"notificationType":"Complaint","complaint":{"userAgent":"AnyCompany Feedback Loop (V0.01)",
  "complainedRecipients":[{"emailAddress":%q}],"complaintFeedbackType":"abuse","arrivalDate":%q,"timestamp":%q,
  "feedbackId":"0100018c-feedback"}`, o.To, rfc3339(o.At), rfc3339(o.At))
		})),
	}
}

// TestIntegration_WholeSeconds: SendGrid gives an event's time in whole seconds, so a bounce
// in the second the email was queued reads as before it; matched by recipient and time, it must
// still find that email, not an earlier one to the same address.
func TestIntegration_WholeSeconds(t *testing.T) {
	db := pgtest.DB(t)
	svc := delivery.New(db, delivery.Config{Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }})
	key, cfg := sendgridKey(t)
	cfg.Now = func() time.Time { return now }
	h, err := providers.Handler(cfg, svc, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	to := deliverytest.Recipient("same-second")
	queued := now.Add(-10 * time.Second).Add(600 * time.Millisecond)
	earlier := deliverytest.NewInvite(t, db, to, now.Add(-3*time.Hour))
	inv := deliverytest.NewInvite(t, db, to, queued)
	body := fmt.Sprintf(`[{"email":%q,"timestamp":%d,"smtp-id":"<14c5d75ce93.dfd.64b469@ismtpd-555>","event":"bounce","type":"bounce",
  "status":"5.1.1","reason":"550 5.1.1 no such user","sg_event_id":"sg_same_second"}]`, to, queued.Unix())
	if code := post(h, "sendgrid", body, sendgridSign(t, key, now, body)); code != http.StatusOK {
		t.Fatalf("got %d, want 200", code)
	}
	if got := deliverytest.StateOf(t, db, inv); got.Status != mail.StatusBounced {
		t.Errorf("the email bounced: %s, want BOUNCED", got.Status)
	}
	if got := deliverytest.StateOf(t, db, earlier); got.Status != mail.StatusSent {
		t.Errorf("the earlier email: %s, want SENT", got.Status)
	}
}

// TestIntegration_RepeatAfterResend: a provider retries an event after the invite's email was
// replaced (a resend, a reminder): the repeat finds the old email with no invite, so with no
// project, and must still be known for a repeat, not stored again (a second soft bounce counts
// towards the three that suppress).
func TestIntegration_RepeatAfterResend(t *testing.T) {
	db := pgtest.DB(t)
	svc := delivery.New(db, delivery.Config{Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }})
	cfg := postmarkConfig
	cfg.Now = func() time.Time { return now }
	h, err := providers.Handler(cfg, svc, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	inv := deliverytest.NewInvite(t, db, deliverytest.Recipient("resent"), now.Add(-2*time.Hour))
	for _, id := range []int{1, 2} { // two soft bounces: one more would suppress
		body := fmt.Sprintf(`{"RecordType":"Bounce","ID":%d%d,"Type":"SoftBounce","Description":"Mailbox full","Email":%q,
  "BouncedAt":%q,"Metadata":{"invites_email_id":%q}}`, time.Now().UnixNano(), id, inv.Email, rfc3339(now.Add(-time.Minute)), inv.EmailID)
		if code := post(h, "postmark", body, postmarkAuth("hooks", "s3cret")); code != http.StatusOK {
			t.Fatalf("got %d, want 200", code)
		}
		if id == 2 {
			resent := deliverytest.Resend(t, db, inv, now.Add(-30*time.Second))
			if code := post(h, "postmark", body, postmarkAuth("hooks", "s3cret")); code != http.StatusOK {
				t.Fatalf("repeat: got %d, want 200", code)
			}
			if got := deliverytest.StateOf(t, db, resent); got.Suppression != "" {
				t.Errorf("suppressed (%s) after two soft bounces and a repeat", got.Suppression)
			}
		}
	}
	if got, want := deliverytest.EventsOf(t, db, inv.EmailID), []string{"postmark/SOFT_BOUNCE", "postmark/SOFT_BOUNCE"}; !reflect.DeepEqual(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
}
