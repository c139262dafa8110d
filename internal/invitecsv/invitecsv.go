// Package invitecsv reads the CSV file of a bulk invite into rows, so that the invite service
// only ever sees well-formed rows and the uploader sees one clear message for a bad file.
package invitecsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits of one upload. They bound the memory and the transaction that one bulk invite can
// take, and the time an admin waits for the preview.
const (
	// MaxRows is the most data rows (the header and skipped lines not counted) a file may have.
	MaxRows = 10000
	// MaxBytes is the largest file accepted, byte-order mark included: 5 MiB.
	MaxBytes = 5 << 20
)

// Row is one data row. Cells are trimmed because spreadsheets keep stray spaces that the
// uploader cannot see. Line is the line of the file on which the record starts (the header
// being line 1 when nothing precedes it), so that a result can point the uploader at the row
// as their editor numbers it, whatever quoted line breaks or blank lines came before.
type Row struct {
	Line       int
	Email      string
	Role       string
	ExternalID string
	Name       string
	// Locale is the row's locale or language cell (a BCP 47 tag); blank: the batch's.
	Locale string
}

// File is what Read found in a good file.
type File struct {
	Rows []Row
	// IgnoredColumns holds the header names that Read did not recognise, trimmed, as written
	// and in header order, so that the uploader learns of a misspelt column rather than losing
	// its data silently. Nil when every named column was recognised.
	IgnoredColumns []string
}

// Error is a problem with the file as a whole. Its Message is written for the person who
// uploaded the file (the API returns it as is), so it names the problem and, where there is
// one, the line.
type Error struct {
	Message string
}

// Error returns the Message alone, with no package prefix, because it is shown to the uploader.
func (e *Error) Error() string { return e.Message }

// Read reads a whole CSV from r. It reads at most MaxBytes+1 bytes, so an oversized upload is
// refused without ever being held in memory, and holds at most one record of MaxCells cells of
// MaxCellBytes at a time beside the rows it returns. Lines may end in LF, CRLF or CR alone. The error is an *Error when the file is bad;
// any other error is a failure to read r.
func Read(r io.Reader) (*File, error) {
	limited := &io.LimitedReader{R: r, N: MaxBytes + 1}
	// The upload's buffer serves the byte-order-mark check and boundedReader; csv.Reader
	// adopts the second buffer, after boundedReader, instead of wrapping it in another.
	in := bufio.NewReaderSize(limited, 32<<10)
	if err := skipByteOrderMark(in); err != nil {
		return nil, err
	}
	bounded := newBoundedReader(in)
	cr := csv.NewReader(bufio.NewReaderSize(bounded, 32<<10))
	cr.FieldsPerRecord = -1 // rows may be shorter or longer than the header
	cr.ReuseRecord = true   // the cells are substrings of a string per record, so this is safe
	recs := &records{csv: cr, limited: limited, bounded: bounded}

	header, headerLine, err := recs.next()
	if err == io.EOF {
		return nil, &Error{Message: "the CSV is empty: it needs a header line (such as email,role,external_id,name) and at least one data row"}
	}
	if err != nil {
		return nil, err
	}
	cols, ignored, err := readHeader(header, headerLine)
	if err != nil {
		return nil, err
	}

	var rows rowBuffer
	for {
		rec, line, err := recs.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		row := cols.row(rec, line)
		if row == (Row{Line: line}) {
			// Only unrecognised columns are filled: nothing to invite and nothing to report.
			continue
		}
		if rows.n == MaxRows {
			return nil, &Error{Message: fmt.Sprintf("the CSV has more than %s data rows", thousands(MaxRows))}
		}
		rows.add(row)
	}
	if rows.n == 0 {
		return nil, &Error{Message: "the CSV has a header but no data rows"}
	}
	return &File{Rows: rows.all(), IgnoredColumns: ignored}, nil
}

// rowBuffer collects rows in chunks and joins them once at the end. One slice grown by append
// copies the rows about five times over for a large file, and that copying and the garbage it
// leaves took most of Read's time for 10,000 rows.
type rowBuffer struct {
	full [][]Row
	last []Row
	n    int
}

func (b *rowBuffer) add(r Row) {
	if len(b.last) == cap(b.last) {
		if b.last != nil {
			b.full = append(b.full, b.last)
		}
		// Small first, as most uploads are a handful of rows.
		b.last = make([]Row, 0, min(max(2*cap(b.last), 32), 2048))
	}
	b.last = append(b.last, r)
	b.n++
}

func (b *rowBuffer) all() []Row {
	if len(b.full) == 0 {
		return b.last
	}
	return slices.Concat(append(b.full, b.last)...)
}

var (
	utf8BOM    = []byte{0xEF, 0xBB, 0xBF}
	utf16LEBOM = []byte{0xFF, 0xFE}
	utf16BEBOM = []byte{0xFE, 0xFF}
)

// skipByteOrderMark drops a leading UTF-8 byte-order mark, which Excel writes and which would
// otherwise become part of the first column's name. A UTF-16 mark gets its own message because
// "not valid UTF-8 (line 1)" would not tell the uploader how to fix it.
func skipByteOrderMark(in *bufio.Reader) error {
	start, err := in.Peek(len(utf8BOM))
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		// Peek hands the error over once; csv.Reader would not see it again.
		return fmt.Errorf("invitecsv: reading the upload: %w", err)
	}
	switch {
	case bytes.HasPrefix(start, utf8BOM):
		_, _ = in.Discard(len(utf8BOM))
	case bytes.HasPrefix(start, utf16LEBOM), bytes.HasPrefix(start, utf16BEBOM):
		return &Error{Message: `the CSV is UTF-16, not UTF-8: save it as "CSV UTF-8"`}
	}
	return nil
}

// records yields the records of the file that have at least one non-blank cell, after the
// checks that apply to every record alike.
type records struct {
	csv     *csv.Reader
	limited *io.LimitedReader
	bounded *boundedReader
}

// next returns the next record that is not blank and the line it starts on, or io.EOF.
func (rs *records) next() ([]string, int, error) {
	for {
		rec, err := rs.csv.Read()
		// Having read MaxBytes+1 bytes settles it, whatever the truncated record looks like.
		if rs.limited.N <= 0 {
			return nil, 0, &Error{Message: fmt.Sprintf("the CSV is larger than %d MiB", MaxBytes>>20)}
		}
		// A broken record limit settles it too: csv.Reader may have been handed the error as a
		// read error, or may not have reached that record yet.
		if rs.bounded.err != nil {
			return nil, 0, rs.bounded.err
		}
		if err != nil {
			return nil, 0, readError(err)
		}
		if err := checkUTF8(rs.csv, rec); err != nil {
			return nil, 0, err
		}
		if blank(rec) {
			continue
		}
		line, _ := rs.csv.FieldPos(0)
		return rec, line, nil
	}
}

// readError turns csv's parse errors into messages for the uploader and leaves I/O errors, and
// io.EOF, as they are.
func readError(err error) error {
	var pe *csv.ParseError
	switch {
	case err == io.EOF:
		return err
	case !errors.As(err, &pe):
		return fmt.Errorf("invitecsv: reading the upload: %w", err)
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return &Error{Message: fmt.Sprintf(`line %d: bare " in non-quoted field`, pe.Line)}
	case errors.Is(pe.Err, csv.ErrQuote) && pe.StartLine != pe.Line:
		return &Error{Message: fmt.Sprintf(`line %d: extraneous or missing " in quoted field (the row starts on line %d)`, pe.Line, pe.StartLine)}
	case errors.Is(pe.Err, csv.ErrQuote):
		return &Error{Message: fmt.Sprintf(`line %d: extraneous or missing " in quoted field`, pe.Line)}
	default:
		return &Error{Message: fmt.Sprintf("line %d: %v", pe.Line, pe.Err)}
	}
}

// checkUTF8 names the line of the first invalid byte, counting the line breaks inside a quoted
// cell, because csv.Reader passes invalid bytes through and they would otherwise reach the
// database and the emails.
func checkUTF8(cr *csv.Reader, rec []string) error {
	for i, cell := range rec {
		if utf8.ValidString(cell) {
			continue
		}
		line, _ := cr.FieldPos(i)
		line += strings.Count(cell[:firstInvalid(cell)], "\n")
		return &Error{Message: fmt.Sprintf("the CSV is not valid UTF-8 (line %d)", line)}
	}
	return nil
}

func firstInvalid(s string) int {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(s)
}

// blank reports whether every cell is empty after trimming: what a spreadsheet writes for a
// row that only looks empty (",,,").
func blank(rec []string) bool {
	for _, cell := range rec {
		if strings.TrimSpace(cell) != "" {
			return false
		}
	}
	return true
}

// thousands writes n the way the messages do, with a comma between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
