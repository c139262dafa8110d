// Package smtptest runs a real SMTP server (go-smtp) in the test process, so that tests can see
// what a sender delivers and make the server answer as a real one would, with temporary and
// permanent failures.
//
//	srv := smtptest.Start(t)
//	// ... run code configured with SMTP_URL=srv.URL() ...
//	msgs := srv.WaitFor(t, "ada@example.test", 1, 30*time.Second)
//	link := msgs[0].Link("https://app.example/verify-email/")
package smtptest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one message the server accepted, for one recipient.
type Message struct {
	// From is the MAIL FROM address.
	From string
	// To is every RCPT TO address of the transaction that carried the message.
	To []string
	// Data is the message as received, headers and body.
	Data []byte
	// Subject is the decoded Subject header.
	Subject string
	// MessageID is the Message-ID header, angle brackets included.
	MessageID string
	// Text is the decoded text/plain part, "" when there is none.
	Text string
	// HTML is the decoded text/html part, "" when there is none.
	HTML string
}

// Link returns the first URL in m.Text that starts with prefix, or "" when there is none.
func (m Message) Link(prefix string) string {
	for _, word := range strings.Fields(m.Text) {
		word = strings.Trim(word, `<>()[]"'`)
		word = strings.TrimRight(word, ".,;:!?")
		if !strings.HasPrefix(word, prefix) {
			continue
		}
		if u, err := url.Parse(word); err == nil && u.Scheme != "" && u.Host != "" {
			return word
		}
	}
	return ""
}

// Server is an SMTP server on 127.0.0.1 that records what it receives and answers each
// recipient as the test told it to. Recipient addresses are compared lower-cased. Its methods
// may be called from any goroutine.
type Server struct {
	addr   string
	report Reporter
	close  func()

	mu       sync.Mutex
	closed   bool                               // report must not be used any more
	messages map[string][]Message               // by lower-cased recipient
	accepted int                                // messages accepted, one per recipient
	delay    time.Duration                      // before each answer to MAIL FROM
	hangUp   map[string]bool                    // drop the connection once a message is taken
	attempts map[string]int                     // RCPT commands per recipient
	rcptErr  map[string]func(attempt int) error // answer to RCPT TO; nil: accept
	dataErr  map[string]func(attempt int) error // answer to the data; nil: accept
}

// Reporter is told of the server's problems: a testing.TB, or a program's own log.
type Reporter interface {
	// Errorf reports a message the server could not parse (it answers 554).
	Errorf(format string, args ...any)
	// Logf reports a connection's errors.
	Logf(format string, args ...any)
}

// Start starts a new server on a free port of 127.0.0.1; it is closed when tb's test ends.
// A message the server cannot parse as MIME fails the test and is refused with a 554.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s, err := Listen(tb)
	if err != nil {
		tb.Fatalf("smtptest: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Listen starts a new server on a free port of 127.0.0.1 for a program that is not a test
// (e2e/webfixture), reporting to r until Close.
func Listen(r Reporter) (*Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	s := &Server{
		addr:     l.Addr().String(),
		report:   r,
		messages: map[string][]Message{},
		attempts: map[string]int{},
		rcptErr:  map[string]func(int) error{},
		dataErr:  map[string]func(int) error{},
		hangUp:   map[string]bool{},
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{server: s, conn: c.Conn()}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 1 << 20
	srv.ErrorLog = testLogger{s}
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Serve(l) //nolint:errcheck // returns nil once closed
	}()
	s.close = sync.OnceFunc(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		srv.Close()
		// Close misses a listener that Serve has not registered yet, in a test that never
		// connected: closing it here too ends Serve in every case.
		l.Close()
		<-served
	})
	return s, nil
}

// Close stops the server (once; later calls do nothing). Start's servers close when their
// test ends.
func (s *Server) Close() { s.close() }

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr }

// URL is the server's address as an SMTP_URL: smtp://127.0.0.1:port.
func (s *Server) URL() string { return "smtp://" + s.addr }

// OnRcpt makes the server answer each RCPT TO for to with what f returns for that attempt
// (counted from 1); nil accepts the recipient.
func (s *Server) OnRcpt(to string, f func(attempt int) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcptErr[strings.ToLower(to)] = f
}

// OnData makes the server answer the data of a message to to with what f returns, attempt
// being the number of RCPT TO commands for to so far; nil accepts the message.
func (s *Server) OnData(to string, f func(attempt int) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dataErr[strings.ToLower(to)] = f
}

// Delay makes the server wait d before it answers each MAIL FROM, as a distant or busy server
// does. A client that dies meanwhile has delivered nothing.
func (s *Server) Delay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// HangUpAfterData makes the server drop the connection right after it accepted a message to
// to (the 250 sent): the client's next command (RSET, QUIT) fails although the message was
// delivered, as when a server or the network fails at the end of a conversation.
func (s *Server) HangUpAfterData(to string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hangUp[strings.ToLower(to)] = true
}

// Accepted returns how many messages the server has accepted so far, one per recipient.
func (s *Server) Accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
}

// Received returns the messages accepted for to so far, oldest first.
func (s *Server) Received(to string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages[strings.ToLower(to)]...)
}

// RcptAttempts returns how many RCPT TO commands named to, accepted or not.
func (s *Server) RcptAttempts(to string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts[strings.ToLower(to)]
}

// WaitFor polls until at least n messages for to have arrived and returns them all; it fails
// the test with tb.Fatalf when they have not after timeout.
func (s *Server) WaitFor(tb testing.TB, to string, n int, timeout time.Duration) []Message {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := s.Received(to)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			tb.Fatalf("smtptest: %d messages for %s after %s, want %d", len(got), to, timeout, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Error returns an SMTP answer with the given code, for OnRcpt and OnData.
func Error(code int) error {
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: "smtptest says no"}
}

// errorf reports a problem to the test while it runs, and is silent once the server is closed,
// when the test may already be done.
func (s *Server) errorf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.report.Errorf(format, args...)
	}
}

// testLogger sends go-smtp's connection errors to the test's log while the server is open.
type testLogger struct{ s *Server }

func (l testLogger) Printf(format string, v ...any) { l.log(fmt.Sprintf(format, v...)) }
func (l testLogger) Println(v ...any)               { l.log(fmt.Sprintln(v...)) }

func (l testLogger) log(msg string) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	if !l.s.closed {
		l.s.report.Logf("smtptest: %s", strings.TrimSpace(msg))
	}
}

type session struct {
	server *Server
	conn   net.Conn
	from   string
	to     []string
	// hangUp is set once a message is accepted for a recipient of HangUpAfterData: go-smtp
	// calls Reset right after it sent the 250, which then closes the connection.
	hangUp bool
}

func (s *session) Reset() {
	s.from, s.to = "", nil
	if s.hangUp {
		s.conn.Close()
	}
}

func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.server.mu.Lock()
	delay := s.server.delay
	s.server.mu.Unlock()
	time.Sleep(delay)
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	key := strings.ToLower(to)
	srv := s.server
	srv.mu.Lock()
	srv.attempts[key]++
	n, f := srv.attempts[key], srv.rcptErr[key]
	srv.mu.Unlock()
	if f != nil {
		if err := f(n); err != nil {
			return err
		}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	srv := s.server
	if err := srv.answerData(s.to); err != nil {
		return err
	}
	m, err := decode(data)
	if err != nil {
		srv.errorf("smtptest: message from %s to %v: %v", s.from, s.to, err)
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCodeNotSet, Message: "smtptest cannot parse the message"}
	}
	m.From = s.from
	m.To = append([]string(nil), s.to...)
	srv.mu.Lock()
	defer srv.mu.Unlock()
	for _, to := range s.to {
		key := strings.ToLower(to)
		srv.messages[key] = append(srv.messages[key], m)
		srv.accepted++
		s.hangUp = s.hangUp || srv.hangUp[key]
	}
	return nil
}

// answerData is the first error an OnData function gives for the recipients.
func (s *Server) answerData(recipients []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, to := range recipients {
		key := strings.ToLower(to)
		if f := s.dataErr[key]; f != nil {
			if err := f(s.attempts[key]); err != nil {
				return err
			}
		}
	}
	return nil
}

// decode parses a message into its subject and its text and HTML parts.
func decode(data []byte) (Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return Message{}, fmt.Errorf("parse message: %w", err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return Message{}, fmt.Errorf("decode subject: %w", err)
	}
	bodies := map[string]string{}
	if err := collect(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, bodies); err != nil {
		return Message{}, err
	}
	return Message{
		Data: data, Subject: subject, MessageID: msg.Header.Get("Message-ID"),
		Text: bodies["text/plain"], HTML: bodies["text/html"],
	}, nil
}

// collect adds the decoded body of each leaf part to into, by media type.
func collect(contentType, encoding string, body io.Reader, into map[string]string) error {
	if contentType == "" {
		contentType = "text/plain" // RFC 2045's default
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("next part: %w", err)
			}
			// multipart.Reader decodes quoted-printable itself and drops the header.
			if err := collect(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, into); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(encoding) {
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("read %s part: %w", mediaType, err)
	}
	into[mediaType] = string(b)
	return nil
}
