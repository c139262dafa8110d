package bounces

import (
	"bufio"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	"github.com/invites/invites/internal/delivery"
)

// errNotReport is a message that is neither an RFC 3464 delivery status notification nor an
// RFC 5965 feedback report.
var errNotReport = errors.New("neither a delivery status notification nor a feedback report")

// report is what a returned message says.
type report struct {
	// events are one per recipient of a DSN, one for an ARF report; without EmailID and
	// MessageID, which original carries.
	events []delivery.Event
	// original is the returned email's headers (message/rfc822 or text/rfc822-headers part).
	original textproto.MIMEHeader
}

// readReport reads a multipart/report message: report-type=delivery-status (RFC 3464) or
// feedback-report (RFC 5965, ARF).
func readReport(r io.Reader) (report, error) {
	var rep report
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return rep, errNotReport
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/report" || params["boundary"] == "" {
		return rep, errNotReport
	}
	reportType := strings.ToLower(params["report-type"])
	date, _ := msg.Header.Date()
	id := messageID(msg.Header.Get("Message-ID"))
	parts := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := parts.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return rep, errNotReport
		}
		partType, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		body := decoded(part)
		switch {
		case reportType == "delivery-status" && (partType == "message/delivery-status" || partType == "message/global-delivery-status"):
			rep.events = append(rep.events, dsnEvents(fieldBlocks(body), id, date)...)
		case reportType == "feedback-report" && partType == "message/feedback-report":
			rep.events = append(rep.events, arfEvent(fieldBlocks(body), id, date))
		case partType == "message/rfc822" || partType == "text/rfc822-headers" || partType == "message/global-headers":
			rep.original, _ = textproto.NewReader(bufio.NewReader(body)).ReadMIMEHeader()
		}
	}
	if len(rep.events) == 0 {
		return rep, errNotReport
	}
	return rep, nil
}

// decoded is a part's body without its base64 transfer encoding (multipart undoes
// quoted-printable itself).
func decoded(p *multipart.Part) io.Reader {
	if strings.EqualFold(strings.TrimSpace(p.Header.Get("Content-Transfer-Encoding")), "base64") {
		return base64.NewDecoder(base64.StdEncoding, p)
	}
	return p
}

// fieldBlocks reads groups of header-style fields separated by blank lines: a DSN's
// per-message fields, then its per-recipient ones; an ARF report's one group.
func fieldBlocks(r io.Reader) []textproto.MIMEHeader {
	tp := textproto.NewReader(bufio.NewReader(io.LimitReader(r, 1<<20)))
	var blocks []textproto.MIMEHeader
	for {
		h, err := tp.ReadMIMEHeader()
		if len(h) > 0 {
			blocks = append(blocks, h)
		}
		if err != nil {
			return blocks
		}
	}
}

// dsnEvents are a delivery-status part's events, one per recipient block: Action failed is a
// bounce (hard for a 5.x.x Status, soft for a 4.x.x one), delayed a deferral, delivered (or
// relayed, expanded) a delivery.
func dsnEvents(blocks []textproto.MIMEHeader, reportID string, date time.Time) []delivery.Event {
	if len(blocks) < 2 {
		return nil
	}
	arrival := dateField(blocks[0].Get("Arrival-Date"), date)
	var out []delivery.Event
	for _, b := range blocks[1:] {
		status := strings.TrimSpace(b.Get("Status"))
		var kind delivery.Kind
		switch strings.ToLower(strings.TrimSpace(b.Get("Action"))) {
		case "failed":
			kind = delivery.HardBounce
			if strings.HasPrefix(status, "4") {
				kind = delivery.SoftBounce
			}
		case "delayed":
			kind = delivery.Deferred
		case "delivered", "relayed", "expanded":
			kind = delivery.Delivered
		default:
			continue
		}
		to := address(b.Get("Original-Recipient"))
		if to == "" {
			to = address(b.Get("Final-Recipient"))
		}
		reason := typed(b.Get("Diagnostic-Code"))
		if reason == "" {
			reason = status
		}
		out = append(out, delivery.Event{ID: eventID(reportID, to), Kind: kind, Recipient: to,
			At: dateField(b.Get("Last-Attempt-Date"), arrival), Reason: reason})
	}
	return out
}

// arfEvent is a feedback report's complaint.
func arfEvent(blocks []textproto.MIMEHeader, reportID string, date time.Time) delivery.Event {
	var f textproto.MIMEHeader
	if len(blocks) > 0 {
		f = blocks[0]
	} else {
		f = textproto.MIMEHeader{}
	}
	to := address(f.Get("Original-Rcpt-To"))
	return delivery.Event{ID: eventID(reportID, to), Kind: delivery.Complaint, Recipient: to,
		At: dateField(f.Get("Arrival-Date"), date), Reason: strings.TrimSpace(f.Get("Feedback-Type"))}
}

// typed is a DSN field's value without its type ("rfc822; a@b" is "a@b", "smtp; 550 ..." is
// "550 ...").
func typed(v string) string {
	if _, rest, ok := strings.Cut(v, ";"); ok {
		v = rest
	}
	return strings.TrimSpace(v)
}

// address is an address field's address, without its type and angle brackets.
func address(v string) string {
	return strings.Trim(typed(v), "<>")
}

// dateField is an RFC 5322 date field's time, else def.
func dateField(v string, def time.Time) time.Time {
	if t, err := mail.ParseDate(strings.TrimSpace(v)); err == nil {
		return t.UTC()
	}
	return def
}

// eventID names the event of one recipient in one report: the report's Message-ID (the same
// in each copy of it that an MTA sends again) and the recipient.
func eventID(reportID, to string) string {
	if reportID == "" {
		return ""
	}
	return reportID + "/" + to
}

func messageID(v string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(v), "<"), ">")
}
