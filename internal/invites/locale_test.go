package invites_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/invites/invites/internal/invites"
)

// emailLocale is the locale and note of the latest email to recipient.
func emailLocale(t *testing.T, recipient string) (lang, note string) {
	t.Helper()
	err := pgDB(t).NewRaw(`SELECT COALESCE(params->>'locale', ''), COALESCE(params->>'note', '') FROM emails
		WHERE recipient = ? ORDER BY created_at DESC, id DESC LIMIT 1`, recipient).Scan(context.Background(), &lang, &note)
	if err != nil {
		t.Fatal(err)
	}
	return lang, note
}

func TestService_InviteLocale(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Babel")
	contributor := ptr(invites.RoleContributor)

	t.Run("given, matched and kept by a resend", func(t *testing.T) {
		email := uniqueEmail("pt")
		inv, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{
			Email: email, ProjectID: &p.ID, Role: contributor, Locale: ptr("pt-PT"), Note: ptr("  Olá!\nBem-vinda <b>à</b> equipe.  "),
			AcceptLanguage: "de",
		})
		if err != nil {
			t.Fatal(err)
		}
		if inv.Locale != "pt-BR" || inv.Note == nil || *inv.Note != "Olá!\nBem-vinda <b>à</b> equipe." {
			t.Errorf("locale %q, note %v; want pt-BR and the note trimmed", inv.Locale, inv.Note)
		}
		if lang, note := emailLocale(t, email); lang != "pt-BR" || note != *inv.Note {
			t.Errorf("email locale %q, note %q", lang, note)
		}
		preview, err := s.Invitation(ctx, inviteToken(t, email))
		if err != nil {
			t.Fatal(err)
		}
		if preview.Locale != "pt-BR" || preview.Note == nil || *preview.Note != *inv.Note {
			t.Errorf("preview locale %q, note %v", preview.Locale, preview.Note)
		}
		clk.Advance(2 * time.Minute)
		if _, err := s.ResendInvite(ctx, owner.ID, inv.ID); err != nil {
			t.Fatal(err)
		}
		if lang, _ := emailLocale(t, email); lang != "pt-BR" || inviteRow(t, inv.ID).Locale != "pt-BR" {
			t.Errorf("after a resend: email locale %q, want pt-BR", lang)
		}
	})

	t.Run("the project's default, then Accept-Language, then English", func(t *testing.T) {
		inv, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: uniqueEmail("al"), ProjectID: &p.ID, Role: contributor, AcceptLanguage: "ja-JP,en;q=0.5"})
		if err != nil || inv.Locale != "ja" {
			t.Fatalf("Accept-Language ja-JP: locale %v, %v; want ja", inv, err)
		}
		inv, err = s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: uniqueEmail("en"), AcceptLanguage: "zh-Hant-TW"})
		if err != nil || inv.Locale != "en" {
			t.Fatalf("Accept-Language zh-Hant-TW: %v, %v; want en", inv, err)
		}
		if _, err := pgDB(t).NewRaw("UPDATE projects SET default_locale = 'fr-CA' WHERE id = ?", p.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		inv, err = s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: uniqueEmail("fr"), ProjectID: &p.ID, Role: contributor, AcceptLanguage: "de"})
		if err != nil || inv.Locale != "fr" {
			t.Fatalf("project default fr-CA: %v, %v; want fr", inv, err)
		}
	})

	t.Run("bad locale or note", func(t *testing.T) {
		for name, in := range map[string]invites.CreateInviteInput{
			"malformed locale": {Locale: ptr("en_US!!")},
			"unknown locale":   {Locale: ptr("xyz")},
			"invisible note":   {Note: ptr("hi\u200bthere")},
			"long note":        {Note: ptr(strings.Repeat("é", 501))},
		} {
			in.Email = uniqueEmail("bad")
			_, err := s.CreateInvite(ctx, owner.ID, in)
			t.Run(name, func(t *testing.T) { wantCode(t, err, invites.BadUserInput) })
		}
	})
}

// TestSweeper_RemindKeepsLocale: the reminder is written in the invite's locale, not the
// inviter's nor English.
func TestSweeper_RemindKeepsLocale(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	sweeper := newSweeper(t, clk, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Reminding")
	email := uniqueEmail("ar")
	if _, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: email, ProjectID: &p.ID, Role: ptr(invites.RoleContributor),
		Locale: ptr("ar-EG"), Note: ptr("أهلًا"), AcceptLanguage: "en"}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(7*24*time.Hour - 23*time.Hour)
	sweepOnce(t, sweeper)
	if n := count(t, "emails", "recipient = ?", email); n != 2 {
		t.Fatalf("%d emails to %s; want the invite and its reminder", n, email)
	}
	if lang, note := emailLocale(t, email); lang != "ar" || note != "أهلًا" {
		t.Errorf("reminder locale %q, note %q; want ar and the note", lang, note)
	}
	if n := count(t, "emails", "recipient = ? AND subject LIKE 'تذكير:%'", email); n != 1 {
		t.Errorf("%d Arabic reminder subjects; want 1", n)
	}
}
