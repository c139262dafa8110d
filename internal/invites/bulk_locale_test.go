package invites_test

import (
	"context"
	"strings"
	"testing"

	"github.com/invites/invites/internal/invites"
)

// TestBulkInvite_Languages: a CSV's language column invites each row in its language, a blank
// cell takes the batch's locale, an unknown tag fails its row alone, and the batch's note goes
// to every invite; a preview confirmed keeps them.
func TestBulkInvite_Languages(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Babel")
	emails := []string{uniqueEmail("de"), uniqueEmail("ja"), uniqueEmail("blank"), uniqueEmail("bad"), uniqueEmail("pt")}
	csv := "email,Language\n" + emails[0] + ",de-DE\n" + emails[1] + ",ja\n" + emails[2] + ",\n" + emails[3] + ",en_US!!\n" + emails[4] + ",pt-PT\n"
	for _, dry := range []bool{false, true} {
		if dry {
			for i := range emails {
				emails[i] = uniqueEmail("dry")
			}
			csv = "email,locale\n" + emails[0] + ",de-DE\n" + emails[1] + ",ja\n" + emails[2] + ",\n" + emails[3] + ",xyz\n" + emails[4] + ",pt-PT\n"
		}
		out, err := s.BulkInvite(ctx, owner.ID, invites.BulkInput{ProjectID: p.ID, DefaultRole: invites.RoleContributor, CSV: strings.NewReader(csv),
			Locale: ptr("fr-CA"), Note: ptr("Bienvenue <à> tous"), AcceptLanguage: "ar", DryRun: dry})
		if err != nil {
			t.Fatal(err)
		}
		wantResults(t, out, bulkWant{bulkNewInvitation, "", 2}, bulkWant{bulkNewInvitation, "", 3}, bulkWant{bulkNewInvitation, "", 4},
			bulkWant{bulkFailed, invites.ReasonInvalidLocale, 5}, bulkWant{bulkNewInvitation, "", 6})
		if dry {
			if out, err = s.ConfirmBulkInvite(ctx, owner.ID, *out.PreviewID); err != nil {
				t.Fatal(err)
			}
		}
		for i, want := range []string{"de", "ja", "fr", "", "pt-BR"} {
			if want == "" {
				continue
			}
			if lang, note := emailLocale(t, emails[i]); lang != want || note != "Bienvenue <à> tous" {
				t.Errorf("dry run %v, row %d: email locale %q, note %q; want %s and the batch's note", dry, i+2, lang, note, want)
			}
			if n := count(t, "invites", "email = ? AND locale = ? AND note = ?", emails[i], want, "Bienvenue <à> tous"); n != 1 {
				t.Errorf("dry run %v, row %d: %d invites stored in %s with the note", dry, i+2, n, want)
			}
		}
	}
	_, err := s.BulkInvite(ctx, owner.ID, invites.BulkInput{ProjectID: p.ID, DefaultRole: invites.RoleContributor,
		Rows: []invites.BulkRow{{Row: 1, Email: uniqueEmail("x")}}, Locale: ptr("not a tag")})
	wantCode(t, err, invites.BadUserInput)
}
