package mail

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"
	gomail "github.com/wneessen/go-mail"
)

// NewSMTPSender returns a Sender that delivers through the SMTP server smtpURL names, with
// from as the sender address:
//
//	smtp://user:pass@host:port   port 587 by default; STARTTLS where the server offers it
//	smtps://user:pass@host:port  port 465 by default; TLS from the first byte
//
// The user and password may be left out for a server that needs no authentication; with them,
// the strongest mechanism the server offers is used, and a plain password (PLAIN, LOGIN) is only
// sent over TLS. Each Send
// opens a connection of its own, so that concurrent workers share nothing. Each email with an
// ID carries it in headers the providers echo (tracking.go), and opts may add a bounce domain.
func NewSMTPSender(smtpURL, from string, opts ...SMTPOption) (Sender, error) {
	u, err := url.Parse(smtpURL)
	if err != nil {
		// The URL's text may hold the password: say only that it does not parse.
		return nil, errors.New("mail: SMTP URL does not parse")
	}
	if u.Hostname() == "" {
		return nil, errors.New("mail: SMTP URL has no host")
	}
	var dial []gomail.Option
	port := 587
	switch u.Scheme {
	case "smtp":
		dial = append(dial, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case "smtps":
		port = 465
		dial = append(dial, gomail.WithSSL())
	default:
		return nil, fmt.Errorf("mail: SMTP URL scheme %q: want smtp or smtps", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("mail: SMTP URL port %q: %w", p, err)
		}
	}
	dial = append(dial, gomail.WithPort(port))
	if user := u.User.Username(); user != "" {
		pass, _ := u.User.Password()
		dial = append(dial, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(user), gomail.WithPassword(pass))
	}
	sender, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mail: sender address: %w", err)
	}
	if err := gomail.NewMsg().From(from); err != nil {
		return nil, fmt.Errorf("mail: sender address: %w", err)
	}
	// Options are checked once here so that a bad one fails at start-up, not at each send.
	if _, err := gomail.NewClient(u.Hostname(), dial...); err != nil {
		return nil, fmt.Errorf("mail: SMTP client: %w", err)
	}
	domain := sender.Address[strings.LastIndexByte(sender.Address, '@')+1:]
	s := &smtpSender{host: u.Hostname(), from: from, domain: domain, opts: dial}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

type smtpSender struct {
	host string
	from string
	// domain is the sender address's, the right-hand side of each Message-ID.
	domain string
	opts   []gomail.Option
	// bounceDomain, when set, is the domain of each email's VERP envelope sender.
	bounceDomain string
}

func (s *smtpSender) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return permanent(fmt.Errorf("sender address: %w", err))
	}
	if err := msg.To(m.To); err != nil {
		return permanent(fmt.Errorf("recipient address: %w", err))
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	if m.ID != uuid.Nil {
		msg.SetMessageIDWithValue(m.ID.String() + "@" + s.domain)
		if err := s.track(msg, m.ID); err != nil {
			return permanent(err)
		}
	} else {
		msg.SetMessageID()
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return err
	}
	client, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return classify(fmt.Errorf("dial failed: %w", err))
	}
	err = c.SendWithSMTPClient(client, msg)
	// The QUIT goes on in the background: the email's fate is known, and the sooner the queue
	// records it, the narrower the window in which a crash makes the queue send it again.
	go c.CloseWithSMTPClient(client) //nolint:errcheck // the conversation is over either way
	if err != nil && !msg.IsDelivered() {
		return classify(fmt.Errorf("send failed: %w", err))
	}
	// Delivered: the server accepted the data. A failure after that, of the RSET that ends
	// the transaction, is no failure of the email, which must not be sent again.
	return nil
}

// classify marks as permanent the failures that concern the message itself: a 5xx answer to
// it, or an address the client cannot use. A failure to connect, greet or authenticate stays
// temporary even with a 5xx, since it says nothing about this message and an operator may fix
// the server or its credentials while the queue retries.
func classify(err error) error {
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return err
	}
	if code := se.ErrorCode(); code >= 500 && code < 600 {
		return permanent(err)
	}
	switch se.Reason {
	case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded:
		return permanent(err)
	}
	return err
}
