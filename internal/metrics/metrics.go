// Package metrics is the server's Prometheus instrumentation: GraphQL requests and their
// latency by operation, errors by code, invites created and claimed, emails sent and failed.
// It serves them at /metrics in the Prometheus text format.
package metrics

import (
	"context"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the collectors, on a registry of its own so that tests and several servers in
// one process do not share counts.
type Metrics struct {
	registry *prometheus.Registry

	requests       *prometheus.CounterVec
	latency        *prometheus.HistogramVec
	errors         *prometheus.CounterVec
	invitesCreated prometheus.Counter
	invitesClaimed prometheus.Counter
	emailsSent     *prometheus.CounterVec
	emailsFailed   *prometheus.CounterVec
	deliveryEvents *prometheus.CounterVec

	reads reads

	mu         sync.Mutex
	operations map[string]bool
}

// New registers the collectors, with Go's and the process's own.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "invites_graphql_requests_total", Help: "GraphQL operations served, by operation name.",
		}, []string{"operation"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "invites_graphql_request_duration_seconds", Help: "Time to serve a GraphQL operation, by operation name.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"operation"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "invites_graphql_errors_total", Help: "GraphQL errors returned, by extensions.code.",
		}, []string{"code"}),
		invitesCreated: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "invites_invites_created_total", Help: "Invites created (single and bulk).",
		}),
		invitesClaimed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "invites_invites_claimed_total", Help: "Invites claimed (accepted).",
		}),
		emailsSent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "invites_emails_sent_total", Help: "Emails handed to the mail server (or the log), by kind.",
		}, []string{"kind"}),
		emailsFailed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "invites_emails_failed_total", Help: "Failed email attempts, by kind and whether the failure is permanent.",
		}, []string{"kind", "permanent"}),
		deliveryEvents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "invites_delivery_events_total",
			Help: "What mail providers and returned mail reported about emails, by provider, kind and outcome (matched, unmatched, duplicate).",
		}, []string{"provider", "kind", "outcome"}),
		operations: map[string]bool{},
	}
	m.registry.MustRegister(m.requests, m.latency, m.errors, m.invitesCreated, m.invitesClaimed, m.emailsSent, m.emailsFailed, m.deliveryEvents,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// InvitesCreated counts n new invites.
func (m *Metrics) InvitesCreated(n int) { m.invitesCreated.Add(float64(n)) }

// InvitesClaimed counts n claimed invites.
func (m *Metrics) InvitesClaimed(n int) { m.invitesClaimed.Add(float64(n)) }

// EmailSent counts an email of kind handed on.
func (m *Metrics) EmailSent(kind string) { m.emailsSent.WithLabelValues(kind).Inc() }

// EmailFailed counts a failed attempt to send an email of kind.
func (m *Metrics) EmailFailed(kind string, permanent bool) {
	p := "false"
	if permanent {
		p = "true"
	}
	m.emailsFailed.WithLabelValues(kind, p).Inc()
}

// deliveryProviders are the provider label's values; any other name counts as "other", so
// that the label stays bounded whatever a caller passes.
var deliveryProviders = map[string]bool{"postmark": true, "sendgrid": true, "mailgun": true, "ses": true, "resend": true, "smtp": true}

// DeliveryEvent counts an event a provider (or returned mail) reported: its kind, and whether
// it matched an email, matched none, or repeated one already recorded (internal/delivery).
func (m *Metrics) DeliveryEvent(provider, kind, outcome string) {
	if !deliveryProviders[provider] {
		provider = "other"
	}
	m.deliveryEvents.WithLabelValues(provider, kind, outcome).Inc()
}

// LiveSubscribers reports count, the live subscriptions this process serves now, as the gauge
// invites_live_subscribers.
func (m *Metrics) LiveSubscribers(count func() int) {
	m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "invites_live_subscribers", Help: "Live subscriptions (WebSocket, SSE and multipart HTTP) this process serves now.",
	}, func() float64 { return float64(count()) }))
}

// maxOperations bounds the operation label's values: names come from clients, and every new
// one would otherwise be a new time series.
const maxOperations = 100

var operationName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// operationLabel is the label for a client's operation name: "anonymous" for none, "other" for
// a malformed one or one past maxOperations.
func (m *Metrics) operationLabel(name string) string {
	switch {
	case name == "":
		return "anonymous"
	case !operationName.MatchString(name):
		return "other"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.operations[name] {
		if len(m.operations) >= maxOperations {
			return "other"
		}
		m.operations[name] = true
	}
	return name
}

// Extension is the gqlgen extension that counts and times every operation and its errors.
func (m *Metrics) Extension() graphql.HandlerExtension { return extension{m} }

type extension struct{ m *Metrics }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = extension{}

func (extension) ExtensionName() string                          { return "Metrics" }
func (extension) Validate(schema graphql.ExecutableSchema) error { return nil }

func (e extension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	start := time.Now()
	resp := next(ctx)
	name := ""
	if graphql.HasOperationContext(ctx) {
		op := graphql.GetOperationContext(ctx)
		name = op.OperationName
		if name == "" && op.Operation != nil {
			name = op.Operation.Name
		}
	}
	label := e.m.operationLabel(name)
	e.m.requests.WithLabelValues(label).Inc()
	e.m.latency.WithLabelValues(label).Observe(time.Since(start).Seconds())
	if resp != nil {
		for _, err := range resp.Errors {
			code, _ := err.Extensions["code"].(string)
			if code == "" {
				code = "UNKNOWN"
			}
			e.m.errors.WithLabelValues(code).Inc()
		}
	}
	return resp
}
