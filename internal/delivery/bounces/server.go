// Package bounces receives mail returned to the VERP addresses that the SMTP sender puts in
// each email's envelope (bounces+<email id>@BOUNCE_DOMAIN, internal/mail), over SMTP at
// BOUNCE_SMTP_ADDR: RFC 3464 delivery status notifications and RFC 5965 (ARF) feedback
// reports become delivery.Events for a delivery.Recorder.
//
// The SMTP conversation is go-smtp's (github.com/emersion/go-smtp, already the module's test
// SMTP server): a maintained implementation of RFC 5321's server side, with the line and size
// limits, pipelining and timeouts that a listener open to the internet needs, which is no
// code to write again here. This package decides only who and what is accepted: a recipient
// that is not a VERP address of BOUNCE_DOMAIN is refused at RCPT (550), a message that is
// neither a DSN nor an ARF report at DATA (554); a report that cannot be recorded is deferred
// (451), so that the sending server tries again.
package bounces

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/google/uuid"

	"github.com/invites/invites/internal/delivery"
	imail "github.com/invites/invites/internal/mail"
)

// Config is the listener's settings.
type Config struct {
	// Domain is BOUNCE_DOMAIN: the only domain whose (VERP) recipients are accepted.
	Domain string
	// Addr is BOUNCE_SMTP_ADDR, where Start listens.
	Addr string
	// Now stamps a report that carries no date; nil: time.Now.
	Now func() time.Time
}

// MaxMessage is the largest message accepted: a report with the returned email in it.
const MaxMessage = 2 << 20

// Server is the returned-mail listener.
type Server struct {
	cfg  Config
	rec  delivery.Recorder
	log  *slog.Logger
	smtp *smtp.Server
	ln   net.Listener
}

// NewServer is a listener for cfg that hands its events to rec; Start starts it.
func NewServer(cfg Config, rec delivery.Recorder, log *slog.Logger) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	s := &Server{cfg: cfg, rec: rec, log: log}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{s: s}, nil
	}))
	srv.Domain = cfg.Domain
	srv.MaxMessageBytes = MaxMessage
	srv.MaxRecipients = 10
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	srv.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	s.smtp = srv
	return s
}

// Start listens at Config.Addr and serves in the background until Shutdown.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	s.ln = ln
	go func() {
		if err := s.smtp.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			s.log.Error("bounce listener stopped", "err", err)
		}
	}()
	s.log.Info("accepting returned mail", "addr", ln.Addr().String(), "domain", s.cfg.Domain)
	return nil
}

// Addr is where Start listens.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Shutdown stops listening and waits for the conversations under way, until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.smtp.Shutdown(ctx)
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// session is one SMTP conversation: its recipients are emails' IDs.
type session struct {
	s   *Server
	ids []uuid.UUID
}

func (c *session) Reset()        { c.ids = nil }
func (c *session) Logout() error { return nil }

// Mail takes any sender: returned mail comes from the null sender, <>.
func (c *session) Mail(string, *smtp.MailOptions) error { return nil }

func (c *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	id, ok := imail.ParseVERP(to, c.s.cfg.Domain)
	if !ok {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	c.ids = append(c.ids, id)
	return nil
}

func (c *session) Data(r io.Reader) error {
	rep, err := readReport(r)
	if _, drainErr := io.Copy(io.Discard, r); drainErr != nil {
		return drainErr // over MaxMessage: go-smtp answers 552
	}
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "only delivery status notifications and feedback reports are accepted here"}
	}
	for _, id := range c.ids {
		for _, e := range c.s.events(rep, id) {
			matched, err := c.s.rec.Record(context.Background(), e)
			if err != nil {
				c.s.log.Error("returned mail not recorded", "err", err)
				return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "not recorded, try again later"}
			}
			if !matched {
				c.s.log.Info("returned mail matches no email", "kind", e.Kind, "email", id)
			}
		}
	}
	return nil
}

// events are rep's events for the email id (the VERP address it came to), with what the
// returned email's own headers say.
func (s *Server) events(rep report, id uuid.UUID) []delivery.Event {
	out := make([]delivery.Event, 0, len(rep.events))
	for _, e := range rep.events {
		e.Provider, e.EmailID = "smtp", id.String()
		if rep.original != nil {
			e.MessageID = messageID(rep.original.Get("Message-ID"))
			if e.Recipient == "" {
				if to, err := mail.ParseAddress(rep.original.Get("To")); err == nil {
					e.Recipient = to.Address
				}
			}
		}
		if e.At.IsZero() {
			e.At = s.cfg.Now().UTC()
		}
		out = append(out, e)
	}
	return out
}
