package delivery_test

import (
	"testing"
	"time"

	"github.com/invites/invites/internal/delivery"
	"github.com/invites/invites/internal/mail"
)

// TestService_Record_Order: whatever order the reports come in, an email's status only moves
// forward (the conditional UPDATE), and a bounce's reason is its last_error.
func TestService_Record_Order(t *testing.T) {
	s, db, _ := newService(t)
	for _, tc := range []struct {
		name    string
		start   mail.Status
		kinds   []delivery.Kind
		want    mail.Status
		wantErr string
	}{
		{"delivered", mail.StatusSent, []delivery.Kind{delivery.Delivered}, mail.StatusDelivered, ""},
		{"deferred then delivered", mail.StatusSent, []delivery.Kind{delivery.Deferred, delivery.Delivered}, mail.StatusDelivered, "reason 0"},
		{"deferred after delivered ignored", mail.StatusSent, []delivery.Kind{delivery.Delivered, delivery.Deferred}, mail.StatusDelivered, ""},
		{"late delivered after bounce ignored", mail.StatusSent, []delivery.Kind{delivery.HardBounce, delivery.Delivered}, mail.StatusBounced, "reason 0"},
		{"complaint after delivered", mail.StatusSent, []delivery.Kind{delivery.Delivered, delivery.Complaint}, mail.StatusComplained, "reason 1"},
		{"report before the queue wrote SENT", mail.StatusQueued, []delivery.Kind{delivery.Delivered}, mail.StatusDelivered, ""},
		{"soft bounce defers", mail.StatusSent, []delivery.Kind{delivery.SoftBounce}, mail.StatusDeferred, "reason 0"},
		{"unsubscribed keeps the status", mail.StatusDelivered, []delivery.Kind{delivery.Unsubscribed}, mail.StatusDelivered, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			to := recipient("order")
			id := MustEmail(t, db, to, tc.start, base)
			for i, k := range tc.kinds {
				e := delivery.Event{Provider: "postmark", ID: tc.name + string(k), Kind: k, EmailID: id.String(),
					Recipient: to, At: base.Add(time.Duration(i+1) * time.Minute), Reason: "reason " + string(rune('0'+i))}
				if !MustRecord(t, s, e) {
					t.Fatalf("event %d not matched", i)
				}
			}
			got, gotErr := emailStatus(t, db, id)
			if got != tc.want || gotErr != tc.wantErr {
				t.Errorf("status %s (%q), want %s (%q)", got, gotErr, tc.want, tc.wantErr)
			}
		})
	}
}

// TestService_Record_Match: by EmailID, by our Message-ID, else by recipient and time; an
// event that names nothing of ours is counted, not an error.
func TestService_Record_Match(t *testing.T) {
	s, db, obs := newService(t)
	to := recipient("match")
	old := MustEmail(t, db, to, mail.StatusSent, base.Add(-10*24*time.Hour))
	earlier := MustEmail(t, db, to, mail.StatusSent, base.Add(-2*time.Hour))
	latest := MustEmail(t, db, to, mail.StatusSent, base.Add(-time.Hour))
	after := MustEmail(t, db, to, mail.StatusSent, base.Add(time.Hour))
	byID := MustEmail(t, db, recipient("byid"), mail.StatusSent, base)
	byMsg := MustEmail(t, db, recipient("bymsg"), mail.StatusSent, base)

	t.Run("OK", func(t *testing.T) {
		MustRecord(t, s, delivery.Event{Provider: "ses", ID: "m1", Kind: delivery.Delivered, EmailID: byID.String(), At: base})
		MustRecord(t, s, delivery.Event{Provider: "ses", ID: "m2", Kind: delivery.Delivered, MessageID: "<" + byMsg.String() + "@invites.test>", At: base})
		MustRecord(t, s, delivery.Event{Provider: "smtp", Kind: delivery.Delivered, Recipient: "  " + to, At: base})
		for id, want := range map[string]mail.Status{
			byID.String(): mail.StatusDelivered, byMsg.String(): mail.StatusDelivered,
			latest.String(): mail.StatusDelivered, earlier.String(): mail.StatusSent,
			old.String(): mail.StatusSent, after.String(): mail.StatusSent,
		} {
			if got, _ := emailStatus(t, db, mustParse(t, id)); got != want {
				t.Errorf("email %s: %s, want %s", id, got, want)
			}
		}
	})
	t.Run("Unmatched", func(t *testing.T) {
		for _, e := range []delivery.Event{
			{Provider: "sendgrid", Kind: delivery.HardBounce, MessageID: "<nobody@elsewhere.test>", At: base},
			{Provider: "sendgrid", Kind: delivery.HardBounce, Recipient: recipient("stranger"), At: base},
			{Provider: "sendgrid", Kind: delivery.HardBounce, Recipient: to, At: base.Add(-9 * 24 * time.Hour).Add(time.Minute * 0)},
		} {
			if MustRecord(t, s, e) && e.Recipient != to {
				t.Errorf("event %+v matched; want unmatched", e)
			}
		}
		if got := obs.get("sendgrid/HARD_BOUNCE/unmatched"); got < 2 {
			t.Errorf("unmatched count %d, want at least 2", got)
		}
	})
}

// TestService_Record_Repeat: a repeated event (same ID, or with no ID the same kind, email,
// recipient and time) is recorded once: it neither counts as a second soft bounce nor
// records a second activity.
func TestService_Record_Repeat(t *testing.T) {
	s, db, obs := newService(t)
	for _, tc := range []struct {
		name string
		a, b delivery.Event
		dup  bool
	}{
		{"same ID", delivery.Event{ID: "x1", At: base}, delivery.Event{ID: "x1", At: base.Add(time.Minute)}, true},
		{"no ID, same time", delivery.Event{At: base}, delivery.Event{At: base}, true},
		{"no ID, another time", delivery.Event{At: base}, delivery.Event{At: base.Add(time.Minute)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			to := recipient("repeat")
			id := MustEmail(t, db, to, mail.StatusSent, base.Add(-time.Hour))
			provider := "mailgun-" + to
			for _, e := range []delivery.Event{tc.a, tc.b} {
				e.Provider, e.Kind, e.EmailID, e.Recipient = provider, delivery.SoftBounce, id.String(), to
				MustRecord(t, s, e)
			}
			var n int
			if err := db.NewRaw("SELECT count(*) FROM delivery_events WHERE email_id = ?", id).Scan(t.Context(), &n); err != nil {
				t.Fatal(err)
			}
			want := 2
			if tc.dup {
				want = 1
			}
			if n != want {
				t.Errorf("%d events stored, want %d", n, want)
			}
			if got := obs.get(provider + "/SOFT_BOUNCE/duplicate"); (got == 1) != tc.dup {
				t.Errorf("duplicates counted %d; want duplicate %v", got, tc.dup)
			}
		})
	}
}

// TestService_Record_Suppression: a hard bounce, a complaint or an unsubscription suppresses at
// once; soft bounces from the third within seven days.
func TestService_Record_Suppression(t *testing.T) {
	s, db, _ := newService(t)
	day := 24 * time.Hour
	for _, tc := range []struct {
		name  string
		kinds []delivery.Kind
		gaps  time.Duration
		want  string
	}{
		{"hard bounce", []delivery.Kind{delivery.HardBounce}, 0, delivery.SuppressedHardBounce},
		{"complaint", []delivery.Kind{delivery.Complaint}, 0, delivery.SuppressedComplaint},
		{"unsubscribed", []delivery.Kind{delivery.Unsubscribed}, 0, delivery.SuppressedComplaint},
		{"delivered", []delivery.Kind{delivery.Delivered}, 0, ""},
		{"two soft bounces", []delivery.Kind{delivery.SoftBounce, delivery.SoftBounce}, day, ""},
		{"three soft bounces in a week", []delivery.Kind{delivery.SoftBounce, delivery.SoftBounce, delivery.SoftBounce}, 2 * day, delivery.SuppressedSoftBounces},
		{"three soft bounces over ten days", []delivery.Kind{delivery.SoftBounce, delivery.SoftBounce, delivery.SoftBounce}, 5 * day, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			to := recipient("suppress")
			for i, k := range tc.kinds {
				at := base.Add(time.Duration(i) * tc.gaps)
				MustEmail(t, db, to, mail.StatusSent, at.Add(-time.Minute))
				MustRecord(t, s, delivery.Event{Provider: "resend", Kind: k, Recipient: to, At: at, Reason: "mailbox full"})
			}
			if got := suppressionOf(t, db, to); got != tc.want {
				t.Errorf("suppression %q, want %q", got, tc.want)
			}
		})
	}
}
