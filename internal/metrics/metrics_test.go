package metrics

import (
	"strconv"
	"testing"
)

func TestOperationLabel(t *testing.T) {
	m := New()
	for name, want := range map[string]string{
		"":                       "anonymous",
		"SignUp":                 "SignUp",
		"drop table; --":         "other",
		"a-b":                    "other",
		string(make([]byte, 65)): "other",
	} {
		if got := m.operationLabel(name); got != want {
			t.Errorf("operationLabel(%q) = %q, want %q", name, got, want)
		}
	}
	// Client-chosen names cannot grow the series without end.
	for i := range 2 * maxOperations {
		m.operationLabel("Op" + strconv.Itoa(i))
	}
	if got := m.operationLabel("OneTooMany"); got != "other" {
		t.Errorf("a name past the cap = %q, want other", got)
	}
	if got := m.operationLabel("SignUp"); got != "SignUp" {
		t.Errorf("a name seen before the cap = %q, want it kept", got)
	}
}
