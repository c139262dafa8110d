package invitecsv

import (
	"bufio"
	"fmt"
)

// Limits of one record. csv.Reader holds a whole record in memory, with an index entry and a
// string header per cell, before it returns it: a 5 MiB line of commas is five million cells
// and took hundreds of MiB. These bound a record to what an invite needs (four columns, and
// room for the others a spreadsheet carries) whatever the shape of the file.
const (
	// MaxCells is the most cells one record may have, empty ones included.
	MaxCells = 50
	// MaxCellBytes is the largest cell, in bytes as written in the file (the quotes around a
	// quoted cell not counted): 1 KiB, four times the longest email and enough for any name.
	MaxCellBytes = 1 << 10
)

// quoting is where boundedReader is in the file's RFC 4180 quoting.
type quoting int

const (
	cellStart     quoting = iota // before a cell's first byte
	bareCell                     // in a cell that is not quoted
	quotedCell                   // in a quoted cell
	quoteInQuoted                // just after a '"' in a quoted cell: an escaped quote or the end
	lost                         // after a quoting error that csv.Reader reports itself
)

// boundedReader stands between the upload and csv.Reader. It turns CR-only and CRLF line
// endings into LF (csv.Reader knows only LF and CRLF, so a file from an old Mac was one line),
// and follows the quoting as the bytes pass so that a record of more than MaxCells cells or a
// cell of more than MaxCellBytes bytes is refused as soon as its bytes arrive, before
// csv.Reader buffers it. Line numbers count LF after that change, as csv.Reader counts them.
type boundedReader struct {
	in    *bufio.Reader
	state quoting
	// line is the line of the next byte; recordLine and cellLine where the current record and
	// cell start.
	line, recordLine, cellLine int
	cells, cellBytes           int
	// err is the limit broken, kept for Read's caller, whose csv.Reader may report the
	// failure as a read error or not at all.
	err *Error
}

func newBoundedReader(in *bufio.Reader) *boundedReader {
	return &boundedReader{in: in, line: 1, recordLine: 1, cellLine: 1, cells: 1}
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.in.Read(p)
	w := 0
	for i := 0; i < n; i++ {
		c := p[i]
		if c == '\r' {
			if b.nextIsLF(p[i+1 : n]) {
				continue // the LF that follows ends the line
			}
			c = '\n'
		}
		if e := b.step(c); e != nil {
			b.err = e
			return w, e
		}
		if c == '\n' {
			b.line++
		}
		p[w] = c
		w++
	}
	return w, err
}

// nextIsLF reports whether the byte after a CR is LF, looking past the bytes read so far.
func (b *boundedReader) nextIsLF(rest []byte) bool {
	if len(rest) > 0 {
		return rest[0] == '\n'
	}
	next, err := b.in.Peek(1)
	return err == nil && next[0] == '\n'
}

// step follows one byte (line breaks already LF) and returns the limit it breaks, if any.
func (b *boundedReader) step(c byte) *Error {
	switch b.state {
	case lost:
		return nil
	case cellStart:
		b.cellLine = b.line
		switch c {
		case '"':
			b.state = quotedCell
			return nil
		case ',':
			return b.nextCell()
		case '\n':
			b.nextRecord()
			return nil
		}
		b.state = bareCell
		return b.addByte()
	case bareCell:
		switch c {
		case ',':
			return b.nextCell()
		case '\n':
			b.nextRecord()
			return nil
		}
		return b.addByte()
	case quotedCell:
		if c == '"' {
			b.state = quoteInQuoted
			return nil
		}
		return b.addByte()
	default: // quoteInQuoted
		switch c {
		case '"':
			b.state = quotedCell
			return b.addByte()
		case ',':
			return b.nextCell()
		case '\n':
			b.nextRecord()
			return nil
		}
		// Text after a closing quote: csv.Reader refuses the record on this line, before it
		// reads another.
		b.state = lost
		return nil
	}
}

func (b *boundedReader) addByte() *Error {
	b.cellBytes++
	if b.cellBytes > MaxCellBytes {
		return &Error{Message: fmt.Sprintf("line %d: a cell is longer than 1 KiB (%s bytes); a cell holds an email, a role, an external ID or a name", b.cellLine, thousands(MaxCellBytes))}
	}
	return nil
}

func (b *boundedReader) nextCell() *Error {
	b.state, b.cellBytes = cellStart, 0
	b.cells++
	if b.cells > MaxCells {
		return &Error{Message: fmt.Sprintf("line %d: more than %d cells in one row (empty cells count); remove the columns that are not needed", b.recordLine, MaxCells)}
	}
	return nil
}

func (b *boundedReader) nextRecord() {
	b.state, b.cellBytes, b.cells = cellStart, 0, 1
	b.recordLine = b.line + 1
}
