package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// reads counts where reads went, registered with the first one: a server without a read
// replica shows none.
type reads struct {
	once    sync.Once
	counter *prometheus.CounterVec
}

// DatabaseRead counts one read that may be a moment old, by where it went (replica or
// primary) and why (internal/readroute's reasons), as invites_db_reads_total.
func (m *Metrics) DatabaseRead(target, reason string) {
	m.reads.once.Do(func() {
		m.reads.counter = prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "invites_db_reads_total",
			Help: "Reads that may be a moment old (pages, previews, insights, node), by target (replica, primary) and reason (caught-up, read-your-writes, lag, down, write, subscription).",
		}, []string{"target", "reason"})
		m.registry.MustRegister(m.reads.counter)
	})
	m.reads.counter.WithLabelValues(target, reason).Inc()
}

// ReadReplica reports the read replica's lag behind the primary as last measured, and whether
// it answers, as the gauges invites_db_replica_lag_seconds and invites_db_replica_up.
func (m *Metrics) ReadReplica(lag func() (time.Duration, bool)) {
	m.registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "invites_db_replica_lag_seconds", Help: "How long ago the primary had written what the read replica has not replayed yet (0: caught up), as last polled.",
		}, func() float64 { d, _ := lag(); return d.Seconds() }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "invites_db_replica_up", Help: "1 while the read replica answers as a standby, 0 while reads go to the primary for want of it.",
		}, func() float64 {
			if _, up := lag(); up {
				return 1
			}
			return 0
		}))
}
