package mail

import "testing"

// Rendered renders m for a test, failing it where m has no template.
func (m Message) Rendered(t *testing.T) Message {
	t.Helper()
	r, err := m.Render()
	if err != nil {
		t.Fatal(err)
	}
	return r
}
