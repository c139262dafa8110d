package invitecsv_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/invites/invites/internal/invitecsv"
)

func TestRead(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    *invitecsv.File
		wantErr string // a part of the *Error's message; empty when Read must succeed
	}{
		{
			name: "plain",
			in:   "email,role,external_id,name\na@x.test,admin,A1,Ann\nb@x.test,member,B2,Bob\n",
			want: &invitecsv.File{Rows: []invitecsv.Row{
				{Line: 2, Email: "a@x.test", Role: "admin", ExternalID: "A1", Name: "Ann"},
				{Line: 3, Email: "b@x.test", Role: "member", ExternalID: "B2", Name: "Bob"},
			}},
		},
		{
			name: "no line break at the end",
			in:   "email\na@x.test",
			want: &invitecsv.File{Rows: []invitecsv.Row{{Line: 2, Email: "a@x.test"}}},
		},
		{
			name: "byte-order mark",
			in:   "\uFEFFemail,role\na@x.test,admin\n",
			want: &invitecsv.File{Rows: []invitecsv.Row{{Line: 2, Email: "a@x.test", Role: "admin"}}},
		},
		{
			name: "byte-order mark before a quoted header",
			in:   "\uFEFF\"email\",\"role\"\na@x.test,admin\n",
			want: &invitecsv.File{Rows: []invitecsv.Row{{Line: 2, Email: "a@x.test", Role: "admin"}}},
		},
		{
			name: "quoted cells with commas, doubled quotes and line breaks",
			in: "email,name\n" +
				"\"a@x.test\",\"Doe, Jane\"\n" +
				"b@x.test,\"say \"\"hi\"\"\"\n" +
				"c@x.test,\"two\nlines\"\n" +
				"d@x.test,\"three\r\n\r\nlines\"\n" +
				"e@x.test,Eve\n",
			want: &invitecsv.File{Rows: []invitecsv.Row{
				{Line: 2, Email: "a@x.test", Name: "Doe, Jane"},
				{Line: 3, Email: "b@x.test", Name: `say "hi"`},
				{Line: 4, Email: "c@x.test", Name: "two\nlines"},
				{Line: 6, Email: "d@x.test", Name: "three\n\nlines"},
				{Line: 9, Email: "e@x.test", Name: "Eve"},
			}},
		},
		{
			name: "quoted line break in the header",
			in:   "\"Notes\nhere\",email\nx,a@x.test\n",
			want: &invitecsv.File{
				Rows:           []invitecsv.Row{{Line: 3, Email: "a@x.test"}},
				IgnoredColumns: []string{"Notes\nhere"},
			},
		},
		{
			name: "blank lines and all-empty records skipped",
			in:   "\n  \nemail,name\n\na@x.test,A\n,\n , \t \n\r\nb@x.test,B\n\n",
			want: &invitecsv.File{Rows: []invitecsv.Row{
				{Line: 5, Email: "a@x.test", Name: "A"},
				{Line: 9, Email: "b@x.test", Name: "B"},
			}},
		},
		{
			name: "all-empty record before the header",
			in:   ",,\nemail\na@x.test\n",
			want: &invitecsv.File{Rows: []invitecsv.Row{{Line: 3, Email: "a@x.test"}}},
		},
		{
			name: "header aliases in any case and with spaces around",
			in:   " E-Mail ,ROLE,  External ID\t,Name\na@x.test,Admin,X,Ann\n",
			want: &invitecsv.File{Rows: []invitecsv.Row{{Line: 2, Email: "a@x.test", Role: "Admin", ExternalID: "X", Name: "Ann"}}},
		},
		{
			name: "externalid alias",
			in:   "EMAIL,ExternalID\na@x.test,X\n",
			want: &invitecsv.File{Rows: []invitecsv.Row{{Line: 2, Email: "a@x.test", ExternalID: "X"}}},
		},
		{
			name: "ext_id alias",
			in:   "email,Ext_ID\na@x.test,X\n",
			want: &invitecsv.File{Rows: []invitecsv.Row{{Line: 2, Email: "a@x.test", ExternalID: "X"}}},
		},
		{
			name: "external_id alias",
			in:   "email,external_id\na@x.test,X\n",
			want: &invitecsv.File{Rows: []invitecsv.Row{{Line: 2, Email: "a@x.test", ExternalID: "X"}}},
		},
		{
			name: "extra columns ignored and listed",
			in:   "Team,email, Notes ,,role,e mail\nT,a@x.test,n,skip,admin,z\n",
			want: &invitecsv.File{
				Rows:           []invitecsv.Row{{Line: 2, Email: "a@x.test", Role: "admin"}},
				IgnoredColumns: []string{"Team", "Notes", "e mail"},
			},
		},
		{
			name: "a record with only ignored cells filled is skipped",
			in:   "email,notes\n,call back\na@x.test,\n",
			want: &invitecsv.File{
				Rows:           []invitecsv.Row{{Line: 3, Email: "a@x.test"}},
				IgnoredColumns: []string{"notes"},
			},
		},
		{
			name:    "email twice",
			in:      "email,email\na@x.test,b@x.test\n",
			wantErr: `the column "email" names the email column a second time (line 1)`,
		},
		{
			name:    "email and E-mail",
			in:      "email,name, E-mail \na@x.test,A,b@x.test\n",
			wantErr: `the column "E-mail" names the email column a second time (line 1)`,
		},
		{
			name:    "external_id and ext_id",
			in:      "\nemail,external_id,ext_id\na@x.test,1,2\n",
			wantErr: `the column "ext_id" names the external_id column a second time (line 2)`,
		},
		{
			name:    "missing email column",
			in:      "Name,Role\nAnn,admin\n",
			wantErr: `the CSV has no email column: the header (line 1) has "Name", "Role"`,
		},
		{
			name:    "no header line",
			in:      "a@x.test,admin\n",
			wantErr: `no email column: the header (line 1) has "a@x.test", "admin"; the first line must be a header`,
		},
		{
			name:    "header with no rows",
			in:      "email,role\n",
			wantErr: "the CSV has a header but no data rows",
		},
		{
			name:    "header only, with blank lines after",
			in:      "email,role\n\n\r\n,\n  ,\t\n\n",
			wantErr: "the CSV has a header but no data rows",
		},
		{
			name: "rows shorter and longer than the header",
			in:   "email,role,name\na@x.test\nb@x.test,admin\nc@x.test,admin,C,extra,more\n",
			want: &invitecsv.File{Rows: []invitecsv.Row{
				{Line: 2, Email: "a@x.test"},
				{Line: 3, Email: "b@x.test", Role: "admin"},
				{Line: 4, Email: "c@x.test", Role: "admin", Name: "C"},
			}},
		},
		{
			name: "email column beyond the end of a short row",
			in:   "name,role,email\nAnn\n",
			want: &invitecsv.File{Rows: []invitecsv.Row{{Line: 2, Name: "Ann"}}},
		},
		{
			name: "a row with a name but no email is returned",
			in:   "email,name\n  ,Jane\n",
			want: &invitecsv.File{Rows: []invitecsv.Row{{Line: 2, Name: "Jane"}}},
		},
		{
			name: "CRLF",
			in:   "email,role\r\na@x.test,admin\r\n\r\nb@x.test,member\r\n",
			want: &invitecsv.File{Rows: []invitecsv.Row{
				{Line: 2, Email: "a@x.test", Role: "admin"},
				{Line: 4, Email: "b@x.test", Role: "member"},
			}},
		},
		{
			name: "CR alone ends lines",
			in:   "email,role\ra@x.test,admin\r\rb@x.test,\"two\rlines\"\rc@x.test,member",
			want: &invitecsv.File{Rows: []invitecsv.Row{
				{Line: 2, Email: "a@x.test", Role: "admin"},
				{Line: 4, Email: "b@x.test", Role: "two\nlines"},
				{Line: 6, Email: "c@x.test", Role: "member"},
			}},
		},
		{
			name: "CR, CRLF and LF mixed",
			in:   "email\r\na@x.test\rb@x.test\nc@x.test\r",
			want: &invitecsv.File{Rows: []invitecsv.Row{
				{Line: 2, Email: "a@x.test"}, {Line: 3, Email: "b@x.test"}, {Line: 4, Email: "c@x.test"},
			}},
		},
		{
			name:    "CR alone: errors name the line",
			in:      "email,name\ra@x.test,ok\rb@x.test,Jo\"e\r",
			wantErr: `line 3: bare " in non-quoted field`,
		},
		{
			name: "50 cells",
			in:   "email" + strings.Repeat(",", invitecsv.MaxCells-1) + "\na@x.test" + strings.Repeat(",x", invitecsv.MaxCells-1) + "\n",
			want: &invitecsv.File{Rows: []invitecsv.Row{{Line: 2, Email: "a@x.test"}}},
		},
		{
			name:    "51 cells in the header",
			in:      "email" + strings.Repeat(",", invitecsv.MaxCells) + "\na@x.test\n",
			wantErr: "line 1: more than 50 cells in one row (empty cells count)",
		},
		{
			name:    "51 cells on a later line, commas in quotes not counted",
			in:      "email,name\na@x.test,\"" + strings.Repeat(",", 100) + "\"\n\n\"b@x.test\"" + strings.Repeat(",\"\"", invitecsv.MaxCells) + "\n",
			wantErr: "line 4: more than 50 cells in one row",
		},
		{
			name:    "51 cells of a record that starts on an earlier line",
			in:      "email,name\na@x.test,\"two\nlines\"" + strings.Repeat(",", invitecsv.MaxCells-1) + "\n",
			wantErr: "line 2: more than 50 cells in one row",
		},
		{
			name: "a cell of 1 KiB, quoted, with escaped quotes",
			in:   "email,name\na@x.test,\"" + strings.Repeat(`""`, invitecsv.MaxCellBytes/2) + "\"\n",
			want: &invitecsv.File{Rows: []invitecsv.Row{{Line: 2, Email: "a@x.test", Name: strings.Repeat(`"`, invitecsv.MaxCellBytes/2)}}},
		},
		{
			name:    "a cell of 1 KiB and a byte",
			in:      "email,name\na@x.test,ok\nb@x.test," + strings.Repeat("n", invitecsv.MaxCellBytes+1) + "\n",
			wantErr: "line 3: a cell is longer than 1 KiB (1,024 bytes)",
		},
		{
			name:    "a quoted cell over 1 KiB names the line it starts on",
			in:      "email,notes\na@x.test,\"\n\n" + strings.Repeat("n", invitecsv.MaxCellBytes) + "\"\n",
			wantErr: "line 2: a cell is longer than 1 KiB",
		},
		{
			name:    "an over-long header cell",
			in:      strings.Repeat("e", invitecsv.MaxCellBytes+1) + ",email\na@x.test\n",
			wantErr: "line 1: a cell is longer than 1 KiB",
		},
		{
			name:    "text after a closing quote, then a long line",
			in:      "email,name\na@x.test,\"Jo\"e" + strings.Repeat(",", 2*invitecsv.MaxCells) + "\n",
			wantErr: `line 2: extraneous or missing " in quoted field`,
		},
		{
			name: "unicode spaces trimmed",
			in:   "email,name\n\u00a0a@x.test\u3000, \u2003Ann\u00a0\n",
			want: &invitecsv.File{Rows: []invitecsv.Row{{Line: 2, Email: "a@x.test", Name: "Ann"}}},
		},
		{
			name:    "invalid UTF-8",
			in:      "email,name\na@x.test,ok\nb@x.test,\xff\n",
			wantErr: "the CSV is not valid UTF-8 (line 3)",
		},
		{
			name:    "invalid UTF-8 in the header",
			in:      "email,n\xc3me\na@x.test,ok\n",
			wantErr: "the CSV is not valid UTF-8 (line 1)",
		},
		{
			name:    "invalid UTF-8 inside a quoted cell on its third line",
			in:      "email,name\na@x.test,\"one\ntwo\nth\xe2\x82ree\"\n",
			wantErr: "the CSV is not valid UTF-8 (line 4)",
		},
		{
			name:    "invalid UTF-8 in an ignored column",
			in:      "email,notes\na@x.test,\xc0\xaf\n",
			wantErr: "the CSV is not valid UTF-8 (line 2)",
		},
		{
			name:    "UTF-16",
			in:      "\xff\xfee\x00m\x00",
			wantErr: "the CSV is UTF-16",
		},
		{
			name:    "bare quote",
			in:      "email,name\na@x.test,ok\n\nb@x.test,Jo\"e\n",
			wantErr: `line 4: bare " in non-quoted field`,
		},
		{
			name:    "text after a closing quote",
			in:      "email,name\na@x.test,\"Jo\"e\n",
			wantErr: `line 2: extraneous or missing " in quoted field`,
		},
		{
			name:    "quote never closed",
			in:      "email,name\na@x.test,\"Joe\nb@x.test,Bob\n",
			wantErr: `extraneous or missing " in quoted field (the row starts on line 2)`,
		},
		{
			name:    "empty file",
			in:      "",
			wantErr: "the CSV is empty",
		},
		{
			name:    "only a byte-order mark and blank lines",
			in:      "\uFEFF\r\n\n  \n,,\n",
			wantErr: "the CSV is empty",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := invitecsv.Read(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				mustFailWith(t, got, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Read:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// mustFailWith checks that Read refused the file with an *Error whose message has want in it.
func mustFailWith(t *testing.T, got *invitecsv.File, err error, want string) {
	t.Helper()
	var csvErr *invitecsv.Error
	if !errors.As(err, &csvErr) {
		t.Fatalf("Read = %+v, %v; want an *invitecsv.Error containing %q", got, err, want)
	}
	if !strings.Contains(csvErr.Message, want) {
		t.Errorf("message %q; want it to contain %q", csvErr.Message, want)
	}
	if csvErr.Error() != csvErr.Message {
		t.Errorf("Error() = %q; want the Message %q", csvErr.Error(), csvErr.Message)
	}
	if got != nil {
		t.Errorf("file = %+v; want nil with an error", got)
	}
}

// csvWithRows is a file with a header and n data rows.
func csvWithRows(n int) []byte {
	var b bytes.Buffer
	b.WriteString("email,role,external_id,name\n")
	for i := range n {
		fmt.Fprintf(&b, "person%d@example.test,member,EXT-%d,Person %d\n", i, i, i)
	}
	return b.Bytes()
}

func TestRead_MaxRows(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		in := append(csvWithRows(invitecsv.MaxRows), "\n,,,\n\n"...) // blank lines do not count
		got, err := invitecsv.Read(bytes.NewReader(in))
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		if len(got.Rows) != invitecsv.MaxRows {
			t.Fatalf("got %d rows, want %d", len(got.Rows), invitecsv.MaxRows)
		}
		last := got.Rows[len(got.Rows)-1]
		want := invitecsv.Row{Line: invitecsv.MaxRows + 1, Email: "person9999@example.test", Role: "member", ExternalID: "EXT-9999", Name: "Person 9999"}
		if last != want {
			t.Errorf("last row %+v, want %+v", last, want)
		}
	})
	t.Run("TooMany", func(t *testing.T) {
		got, err := invitecsv.Read(bytes.NewReader(csvWithRows(invitecsv.MaxRows + 1)))
		mustFailWith(t, got, err, "the CSV has more than 10,000 data rows")
	})
}

// countingReader counts the bytes Read takes from it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// wideRow is a data row of about 1 KiB, its name as long as a cell may be.
var wideRow = "a@x.test," + strings.Repeat("n", invitecsv.MaxCellBytes) + "\n"

// endlessCSV is a valid header followed by rows of about 1 KiB that never end: fewer than
// MaxRows fit in MaxBytes, so only the size limit can stop Read.
type endlessCSV struct {
	rest string
}

func (e *endlessCSV) Read(p []byte) (int, error) {
	if e.rest == "" {
		e.rest = wideRow
	}
	n := copy(p, e.rest)
	e.rest = e.rest[n:]
	return n, nil
}

func TestRead_MaxBytes(t *testing.T) {
	// sized is a valid file of exactly size bytes: rows of about 1 KiB, the last one cut short.
	sized := func(size int) []byte {
		in := []byte("email,name\n")
		for len(in)+len(wideRow) <= size {
			in = append(in, wideRow...)
		}
		in = append(in, "b@x.test,"...)
		return append(in, bytes.Repeat([]byte("n"), size-len(in))...)
	}
	t.Run("OK", func(t *testing.T) {
		got, err := invitecsv.Read(bytes.NewReader(sized(invitecsv.MaxBytes)))
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		if want := invitecsv.MaxBytes / len(wideRow); len(got.Rows) != want+1 {
			t.Errorf("got %d rows, want %d", len(got.Rows), want+1)
		}
	})
	t.Run("OneByteOver", func(t *testing.T) {
		got, err := invitecsv.Read(bytes.NewReader(sized(invitecsv.MaxBytes + 1)))
		mustFailWith(t, got, err, "the CSV is larger than 5 MiB")
	})
	t.Run("StopsReading", func(t *testing.T) {
		in := &countingReader{r: io.MultiReader(strings.NewReader("email,name\n"), &endlessCSV{})}
		got, err := invitecsv.Read(in)
		mustFailWith(t, got, err, "the CSV is larger than 5 MiB")
		if in.n > invitecsv.MaxBytes+1 {
			t.Errorf("Read took %d bytes; want at most MaxBytes+1 = %d", in.n, invitecsv.MaxBytes+1)
		}
	})
	t.Run("ManyShortRows", func(t *testing.T) {
		// Over the size limit before the row limit: blank-looking rows do not count as rows.
		in := &countingReader{r: io.MultiReader(strings.NewReader("email\n"), &endlessRecords{})}
		got, err := invitecsv.Read(in)
		mustFailWith(t, got, err, "the CSV is larger than 5 MiB")
		if in.n > invitecsv.MaxBytes+1 {
			t.Errorf("Read took %d bytes; want at most MaxBytes+1 = %d", in.n, invitecsv.MaxBytes+1)
		}
	})
}

// endlessRecords is an endless run of all-empty records, which Read skips.
type endlessRecords struct{ n int }

func (e *endlessRecords) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ",\n"[e.n%2]
		e.n++
	}
	return len(p), nil
}

// failingReader fails after giving some of a file.
type failingReader struct {
	data string
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.data == "" {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestRead_ReadError(t *testing.T) {
	errBroken := errors.New("connection reset")
	for _, data := range []string{"", "em", "email\na@x.test\n"} {
		t.Run(fmt.Sprintf("after %d bytes", len(data)), func(t *testing.T) {
			got, err := invitecsv.Read(&failingReader{data: data, err: errBroken})
			if !errors.Is(err, errBroken) {
				t.Fatalf("Read = %+v, %v; want an error wrapping %v", got, err, errBroken)
			}
			var csvErr *invitecsv.Error
			if errors.As(err, &csvErr) {
				t.Errorf("Read returned *Error %q for an I/O failure", csvErr.Message)
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	seeds := []string{
		"email,role,external_id,name\na@x.test,admin,A1,Ann\nb@x.test,member,,Bob\n",
		"\uFEFFE-Mail,Role,External ID,Name,Team\r\na@x.test,ADMIN,7,\"Doe, Jane\",T\r\n",
		"email,name\n\"a@x.test\",\"say \"\"hi\"\"\"\nb@x.test,\"two\r\nlines\"\n\n,\nc@x.test\n",
		"\n , \nemail,name,,ext_id\n  ,Jane\n\u00a0a@x.test\u3000,\t\n,,,,\n",
		"email,email\na@x.test,b@x.test\n",
		"name,role\nAnn,admin\n",
		"email\n\n\n",
		"email,name\na@x.test,Jo\"e\n",
		"email,name\na@x.test,\"Joe\n",
		"email,name\na@x.test,\xff\n",
		"\xff\xfee\x00m\x00",
		"",
		"email,notes\n,only a note\n",
		"email,role\ra@x.test,admin\r\rb@x.test,\"two\rlines\"\r",
		"email\r\na@x.test\rb@x.test\nc@x.test\r",
		"email" + strings.Repeat(",", invitecsv.MaxCells) + "\na@x.test\n",
		"email,name\na@x.test,\"" + strings.Repeat(`""`, invitecsv.MaxCellBytes/2+1) + "\"\n",
		"email,name\na@x.test,\"Jo\"e" + strings.Repeat(",", 2*invitecsv.MaxCells) + "\n",
		"email,name\n\uFEFFa@x.test,\u200bAnn\u202e\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := invitecsv.Read(bytes.NewReader(in))
		if err != nil {
			var csvErr *invitecsv.Error
			if !errors.As(err, &csvErr) || csvErr.Message == "" {
				t.Fatalf("error %v (%T); want an *invitecsv.Error with a message", err, err)
			}
			if got != nil {
				t.Fatalf("file %+v with error %v", got, err)
			}
			return
		}
		if n := len(got.Rows); n < 1 || n > invitecsv.MaxRows {
			t.Fatalf("%d rows; want 1..%d", n, invitecsv.MaxRows)
		}
		// Lines end in LF, CRLF or CR alone.
		lf := bytes.ReplaceAll(bytes.ReplaceAll(in, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
		lines := bytes.Count(lf, []byte("\n")) + 1
		prev := 1
		for _, row := range got.Rows {
			if row.Line <= prev || row.Line > lines {
				t.Fatalf("row %+v: line %d after %d, in a file of %d lines", row, row.Line, prev, lines)
			}
			prev = row.Line
			cells := []string{row.Email, row.Role, row.ExternalID, row.Name}
			if strings.Join(cells, "") == "" {
				t.Fatalf("row %+v has no cell", row)
			}
			for _, c := range append(cells, got.IgnoredColumns...) {
				if c != strings.TrimFunc(c, unicode.IsSpace) {
					t.Fatalf("cell %q is not trimmed", c)
				}
				if len(c) > invitecsv.MaxCellBytes {
					t.Fatalf("cell of %d bytes; want at most MaxCellBytes = %d", len(c), invitecsv.MaxCellBytes)
				}
			}
		}
		for _, c := range got.IgnoredColumns {
			if c == "" {
				t.Fatalf("empty name in IgnoredColumns %q", got.IgnoredColumns)
			}
		}
	})
}
