package e2e

import (
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pgcluster"
)

// e2eMemberPage is the console's member page with its first invites: the reads a replica is for.
const e2eMemberPage = `query($p: ID!) { project(id: $p) { viewerRole
	members(first: 50) { edges { node { externalId role user { email name } } } }
	invites(first: 50) { edges { node { email status } } } } }`

// BenchmarkServer_MemberPageReadReplica measures the member page through two server
// processes on one private primary and its streaming standby: one with DATABASE_URL only, one
// with DATABASE_READ_URL at the standby too, driven in turn by 50 concurrent clients
// (closed loop). It reports requests per second and the share of the reads the replica
// served. Every process (both servers, both PostgreSQL servers, the clients) shares this
// machine, so the figure shows what the routing costs or saves here, not what a replica on
// hardware of its own adds (docs/scaling.md#read-replicas).
//
//	cd e2e && go test -run '^$' -bench MemberPageReadReplica -benchtime 20000x .
func BenchmarkServer_MemberPageReadReplica(b *testing.B) {
	bin := buildReplicaBinary(b)
	smtp := smtptest.Start(b)
	cluster := pgcluster.Start(b, pgcluster.Options{})
	cluster.CreateDatabase("invites")
	env := map[string]string{"DATABASE_URL": cluster.Primary.URL("invites"), "SMTP_URL": smtp.URL(),
		"APP_URL": "https://app.example", "LOG_LEVEL": "warn"}
	primaryOnly := startReplicas(b, bin, env, "primary-only")[0]
	env["DATABASE_READ_URL"] = cluster.Standby.URL("invites")
	withReplica := startReplicas(b, bin, env, "with-replica")[0]

	c := e2eClient{b, primaryOnly.base}
	owner := c.signUpVerified(smtp, e2eEmail("owner"), "Olga Owner")
	project := c.createProject(owner, "Apollo")
	for i := range 30 {
		c.createInvite(owner, map[string]any{"email": e2eEmail(fmt.Sprint("guest", i)), "projectId": project, "role": "CONTRIBUTOR"})
	}
	cluster.CatchUp()
	vars := map[string]any{"p": project}
	deadline := time.Now().Add(time.Minute)
	for metricValue(b, withReplica.base, readsOnReplica) <= 0 { // its poller has found the standby
		if time.Now().After(deadline) {
			b.Fatal("the server with a replica sends no read to it after a minute")
		}
		e2eClient{b, withReplica.base}.do(owner, e2eMemberPage, vars, nil)
		time.Sleep(20 * time.Millisecond)
	}

	for _, server := range []*replicaProcess{primaryOnly, withReplica} {
		b.Run(server.name, func(b *testing.B) {
			onReplica := metricValue(b, server.base, readsOnReplica)
			primaryXacts := transactionsOn(b, cluster.Primary.URL("invites"))
			b.SetParallelism(25) // 50 clients on 2 cores
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if errs, err := postJSON(server.base+"/graphql", owner, e2eMemberPage, vars, nil, nil); err != nil || len(errs) > 0 {
						b.Errorf("member page: %v %s", err, errs)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
			b.ReportMetric((transactionsOn(b, cluster.Primary.URL("invites"))-primaryXacts)/float64(b.N), "primary-xacts/op")
			if server == withReplica {
				b.ReportMetric((metricValue(b, server.base, readsOnReplica)-onReplica)/float64(b.N), "replica-reads/op")
			}
		})
	}
}

// transactionsOn is the count of transactions its database has ended (pg_stat_database), as the
// statistics last flushed them (each backend at most a second late): over thousands of
// requests, what the primary did for each.
func transactionsOn(b *testing.B, url string) float64 {
	b.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var n float64
	if err := db.QueryRow("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()").Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}
