package invitecsv

import (
	"fmt"
	"strings"
)

// field is one of the columns Read recognises.
type field int

const (
	email field = iota
	role
	externalID
	name
	lang
	fieldCount
)

// fieldNames name the fields in messages, as the documented header spells them.
var fieldNames = [fieldCount]string{"email", "role", "external_id", "name", "locale"}

// aliases are the header names people write for each field; they are compared without regard
// to case.
var aliases = []struct {
	name  string
	field field
}{
	{"email", email},
	{"e-mail", email},
	{"role", role},
	{"external_id", externalID},
	{"external id", externalID},
	{"externalid", externalID},
	{"ext_id", externalID},
	{"name", name},
	{"locale", lang},
	{"language", lang},
}

// columns maps each field to its cell index in a record, -1 when the header lacks it.
type columns [fieldCount]int

// maxNamesInMessage keeps the "no email column" message readable when the first line is a
// very wide row of data rather than a header.
const maxNamesInMessage = 10

// readHeader finds the recognised columns and lists the others.
func readHeader(header []string, line int) (columns, []string, error) {
	cols := columns{-1, -1, -1, -1, -1}
	var ignored, found []string
	for i, cell := range header {
		cell = strings.TrimSpace(cell)
		if cell == "" {
			continue
		}
		found = append(found, cell)
		f, ok := fieldOf(cell)
		if !ok {
			ignored = append(ignored, cell)
			continue
		}
		if cols[f] >= 0 {
			return cols, nil, &Error{Message: fmt.Sprintf("the column %q names the %s column a second time (line %d)", cell, fieldNames[f], line)}
		}
		cols[f] = i
	}
	if cols[email] < 0 {
		return cols, nil, &Error{Message: noEmailMessage(found, line)}
	}
	return cols, ignored, nil
}

func fieldOf(header string) (field, bool) {
	for _, a := range aliases {
		if strings.EqualFold(header, a.name) {
			return a.field, true
		}
	}
	return 0, false
}

// noEmailMessage lists what the header does have, because the usual causes are a misspelt
// column name or a file without a header line, and the list shows which.
func noEmailMessage(found []string, line int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "the CSV has no email column: the header (line %d) has ", line)
	for i, name := range found {
		if i == maxNamesInMessage {
			fmt.Fprintf(&b, " and %d more", len(found)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", name)
	}
	b.WriteString("; the first line must be a header naming the columns, such as email,role,external_id,name")
	return b.String()
}

// row builds the Row of a record; cells missing from a short record are empty.
func (c *columns) row(rec []string, line int) Row {
	return Row{
		Line:       line,
		Email:      cell(rec, c[email]),
		Role:       cell(rec, c[role]),
		ExternalID: cell(rec, c[externalID]),
		Name:       cell(rec, c[name]),
		Locale:     cell(rec, c[lang]),
	}
}

func cell(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}
