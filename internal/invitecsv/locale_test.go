package invitecsv_test

import (
	"strings"
	"testing"

	"github.com/invites/invites/internal/invitecsv"
)

// TestRead_LocaleColumn: a locale or language column gives each row its tag, as written
// (trimmed); a blank cell is the batch's, left to the caller.
func TestRead_LocaleColumn(t *testing.T) {
	for _, header := range []string{"locale", "Language", "LANGUAGE"} {
		f, err := invitecsv.Read(strings.NewReader("email," + header + "\na@x.test, de-DE \nb@x.test,\n"))
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Rows) != 2 || f.Rows[0].Locale != "de-DE" || f.Rows[1].Locale != "" || len(f.IgnoredColumns) != 0 {
			t.Errorf("header %q: rows %+v, ignored %v", header, f.Rows, f.IgnoredColumns)
		}
	}
	if _, err := invitecsv.Read(strings.NewReader("email,locale,language\na@x.test,de,fr\n")); err == nil {
		t.Error("locale and language both: want an error naming the second")
	}
}
