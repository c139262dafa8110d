package mail_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	imail "github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// waitFor is how long a test waits for the queue to reach a state: generous, for a slow
// machine under the race detector.
const waitFor = 15 * time.Second

var recipientSeq atomic.Int64

// recipient returns an address no other test (nor another -count run) uses, since the tests
// share one database and one SMTP server.
func recipient(name string) string {
	return fmt.Sprintf("%s-%d@example.test", name, recipientSeq.Add(1))
}

// received is one message the test SMTP server accepted.
type received struct {
	from string
	to   []string
	data []byte
}

// smtpServer is a real SMTP server (go-smtp) on 127.0.0.1 that records what it receives and
// answers each recipient as the test told it to.
type smtpServer struct {
	addr string

	mu       sync.Mutex
	messages map[string][]received
	attempts map[string]int                     // RCPT commands per recipient
	rcptErr  map[string]func(attempt int) error // answer to RCPT TO; nil: accept
	dataErr  map[string]func(attempt int) error // answer to the data; nil: accept
}

var (
	sharedSMTP     *smtpServer
	sharedSMTPOnce sync.Once
)

// testSMTP returns the package's SMTP server, started on first use.
func testSMTP(t *testing.T) *smtpServer {
	t.Helper()
	sharedSMTPOnce.Do(func() {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("listen: %v", err)
		}
		s := &smtpServer{
			addr:     l.Addr().String(),
			messages: map[string][]received{},
			attempts: map[string]int{},
			rcptErr:  map[string]func(int) error{},
			dataErr:  map[string]func(int) error{},
		}
		srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
			return &smtpSession{server: s}, nil
		}))
		srv.Domain = "localhost"
		srv.ReadTimeout = 10 * time.Second
		srv.WriteTimeout = 10 * time.Second
		srv.MaxMessageBytes = 1 << 20
		go srv.Serve(l) //nolint:errcheck // ends with the test process
		sharedSMTP = s
	})
	if sharedSMTP == nil {
		t.Fatal("SMTP server did not start")
	}
	return sharedSMTP
}

// url is the SMTP_URL of the server.
func (s *smtpServer) url() string { return "smtp://" + s.addr }

func (s *smtpServer) onRcpt(to string, f func(attempt int) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcptErr[to] = f
}

func (s *smtpServer) onData(to string, f func(attempt int) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dataErr[to] = f
}

func (s *smtpServer) received(to string) []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.messages[to]...)
}

func (s *smtpServer) rcptAttempts(to string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts[to]
}

type smtpSession struct {
	server *smtpServer
	from   string
	to     []string
}

func (s *smtpSession) Reset()        { s.from, s.to = "", nil }
func (s *smtpSession) Logout() error { return nil }

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	srv := s.server
	srv.mu.Lock()
	srv.attempts[to]++
	n, f := srv.attempts[to], srv.rcptErr[to]
	srv.mu.Unlock()
	if f != nil {
		if err := f(n); err != nil {
			return err
		}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	srv := s.server
	srv.mu.Lock()
	defer srv.mu.Unlock()
	for _, to := range s.to {
		if f := srv.dataErr[to]; f != nil {
			if err := f(srv.attempts[to]); err != nil {
				return err
			}
		}
	}
	for _, to := range s.to {
		srv.messages[to] = append(srv.messages[to], received{from: s.from, to: s.to, data: data})
	}
	return nil
}

// smtpErr is an SMTP answer with the given code.
func smtpErr(code int) error {
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: "test says no"}
}

// parts parses a received message into its subject and its decoded parts by content type.
func parts(t *testing.T, data []byte) (subject string, bodies map[string]string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse message: %v", err)
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("decode subject: %v", err)
	}
	bodies = map[string]string{}
	collect(t, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, bodies)
	return subject, bodies
}

func collect(t *testing.T, contentType, encoding string, body io.Reader, into map[string]string) {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatalf("content type %q: %v", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				t.Fatalf("next part: %v", err)
			}
			// multipart.Reader decodes quoted-printable itself and drops the header.
			collect(t, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, into)
		}
	}
	if strings.EqualFold(encoding, "base64") {
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("read %s part: %v", mediaType, err)
	}
	into[mediaType] = string(b)
}

// syncBuffer is a log destination that the workers write to while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// testConfig is a queue configuration fast enough for tests.
func testConfig(sender imail.Sender) imail.QueueConfig {
	return imail.QueueConfig{
		Sender:       sender,
		Logger:       discardLogger(),
		PollInterval: 50 * time.Millisecond,
		Backoff:      func(int) time.Duration { return 10 * time.Millisecond },
		MaxAttempts:  5,
		Workers:      4,
	}
}

// MustNewQueue builds a queue that is not started.
func MustNewQueue(t *testing.T, cfg imail.QueueConfig) *imail.Queue {
	t.Helper()
	q, err := imail.NewQueue(pgtest.DB(t), cfg)
	if err != nil {
		t.Fatalf("NewQueue: %v", err)
	}
	return q
}

// MustStartQueue builds and starts a queue, stopped when the test ends.
func MustStartQueue(t *testing.T, cfg imail.QueueConfig) *imail.Queue {
	t.Helper()
	q := MustNewQueue(t, cfg)
	if err := q.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return q
}

// MustSMTPSender returns a sender to the test SMTP server.
func MustSMTPSender(t *testing.T) imail.Sender {
	t.Helper()
	s, err := imail.NewSMTPSender(testSMTP(t).url(), "Invites <noreply@invites.test>")
	if err != nil {
		t.Fatalf("NewSMTPSender: %v", err)
	}
	return s
}

// MustEnqueue queues m in a committed transaction.
func MustEnqueue(t *testing.T, q *imail.Queue, m imail.Message) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	err := pgtest.DB(t).RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		id, err = q.Enqueue(ctx, tx, m)
		return err
	})
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	return id
}

// emailState is an emails row as the tests check it.
type emailState struct {
	Status    imail.Status `bun:"status"`
	Attempts  int          `bun:"attempts"`
	TextBody  string       `bun:"text_body"`
	HTMLBody  string       `bun:"html_body"`
	Link      string       `bun:"link"`
	LastError *string      `bun:"last_error"`
	SentAt    *time.Time   `bun:"sent_at"`
}

func loadEmail(t *testing.T, id uuid.UUID) (emailState, bool) {
	t.Helper()
	var rows []emailState
	err := pgtest.DB(t).NewSelect().Table("emails").
		Column("status", "attempts", "text_body", "html_body", "link", "last_error", "sent_at").
		Where("id = ?", id).Scan(context.Background(), &rows)
	if err != nil {
		t.Fatalf("load email: %v", err)
	}
	if len(rows) == 0 {
		return emailState{}, false
	}
	return rows[0], true
}

// waitStatus polls the emails row until it has the status want.
func waitStatus(t *testing.T, id uuid.UUID, want imail.Status) emailState {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		e, ok := loadEmail(t, id)
		if ok && e.Status == want {
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("email %s: status %q after %s, want %q", id, e.Status, waitFor, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// jobState is the state of the River job that sends email id, "" when there is none.
func jobState(t *testing.T, id uuid.UUID) string {
	t.Helper()
	var states []string
	err := pgtest.DB(t).NewSelect().Table("river_job").Column("state").
		Where("kind = 'send_email' AND args->>'email_id' = ?", id.String()).
		Scan(context.Background(), &states)
	if err != nil {
		t.Fatalf("job state: %v", err)
	}
	switch len(states) {
	case 0:
		return ""
	case 1:
		return states[0]
	default:
		t.Fatalf("email %s has %d jobs, want 1", id, len(states))
		return ""
	}
}

// waitJobState polls the River job of email id until it is in state want.
func waitJobState(t *testing.T, id uuid.UUID, want string) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		got := jobState(t, id)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job of email %s: state %q after %s, want %q", id, got, waitFor, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkWiped fails unless the row no longer holds the email's bodies and link.
func checkWiped(t *testing.T, e emailState) {
	t.Helper()
	if e.TextBody != "" || e.HTMLBody != "" || e.Link != "" {
		t.Errorf("bodies and link not wiped: text %q, html %q, link %q", e.TextBody, e.HTMLBody, e.Link)
	}
}
