package mail

import (
	"context"
	"errors"
	"log/slog"
)

// Sender hands one email to whatever delivers it. The queue decides from IsPermanent whether a
// failed send is worth another try.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// NewLogSender returns a Sender that writes each email's recipient, subject and link to the
// log and counts it as sent, so that a server run without SMTP still lets people sign up.
// It never fails.
func NewLogSender(l *slog.Logger) Sender {
	if l == nil {
		l = slog.Default()
	}
	return logSender{l}
}

type logSender struct{ log *slog.Logger }

func (s logSender) Send(ctx context.Context, m Message) error {
	s.log.InfoContext(ctx, "email (not sent: no SMTP_URL)",
		"kind", m.Kind, "to", m.To, "subject", m.Subject, "link", m.Link)
	return nil
}

// IsPermanent reports whether err says that sending the email again cannot succeed (the server
// refused it with a 5xx, or the address is malformed), as opposed to a failure that may pass
// (the network, a 4xx).
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// permanentError marks an error that retrying cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// permanent marks err as one that retrying cannot fix.
func permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// Observer hears of each attempt to send an email.
type Observer interface {
	EmailSent(kind string)
	EmailFailed(kind string, permanent bool)
}

// observedSender tells an Observer of every attempt its Sender makes.
type observedSender struct {
	Sender
	observer Observer
}

func (s observedSender) Send(ctx context.Context, m Message) error {
	err := s.Sender.Send(ctx, m)
	if err != nil {
		s.observer.EmailFailed(m.Kind, IsPermanent(err))
	} else {
		s.observer.EmailSent(m.Kind)
	}
	return err
}
