package pgcluster

import (
	"database/sql"
	"testing"
)

// TestCluster_Streams writes on the primary and reads the row on the standby once replayed;
// with replay paused the standby does not have a later row, and has it once resumed. The
// standby refuses writes.
func TestCluster_Streams(t *testing.T) {
	c := Start(t, Options{})
	c.CreateDatabase("app")
	c.Primary.Exec("app", "CREATE TABLE notes (id int PRIMARY KEY)")
	c.Primary.Exec("app", "INSERT INTO notes VALUES (1)")
	c.CatchUp()
	if n := count(t, c.Standby.URL("app")); n != 1 {
		t.Fatalf("standby has %d notes after catching up, want 1", n)
	}

	c.Standby.PauseReplay()
	c.Primary.Exec("app", "INSERT INTO notes VALUES (2)")
	lsn := c.CurrentLSN()
	if n := count(t, c.Standby.URL("app")); n != 1 {
		t.Fatalf("standby has %d notes with replay paused, want 1", n)
	}
	c.Standby.ResumeReplay()
	c.WaitReplayed(lsn)
	if n := count(t, c.Standby.URL("app")); n != 2 {
		t.Fatalf("standby has %d notes after resuming, want 2", n)
	}

	db := openURL(t, c.Standby.URL("app"))
	if _, err := db.Exec("INSERT INTO notes VALUES (3)"); err == nil {
		t.Fatal("the standby accepted a write")
	}
}

// TestCluster_Failover stops a synchronous pair's primary hard and promotes the standby: every
// acknowledged row is there, and the multi-host URL reaches the new primary for writes.
func TestCluster_Failover(t *testing.T) {
	c := Start(t, Options{Synchronous: true})
	c.CreateDatabase("app")
	c.Primary.Exec("app", "CREATE TABLE notes (id int PRIMARY KEY)")
	db := openURL(t, c.MultiHostURL("app"))
	for i := range 20 {
		if _, err := db.Exec("INSERT INTO notes VALUES ($1)", i); err != nil {
			t.Fatal(err)
		}
	}
	c.StopPrimary()
	c.Promote()
	if n := count(t, c.Standby.URL("app")); n != 20 {
		t.Fatalf("promoted standby has %d of 20 acknowledged notes", n)
	}
	db.SetMaxIdleConns(0) // drop the pool's connection to the stopped primary: the next one is new
	if _, err := db.Exec("INSERT INTO notes VALUES (20)"); err != nil {
		t.Fatalf("write through the multi-host URL after promotion: %v", err)
	}
	if n := count(t, c.Standby.URL("app")); n != 21 {
		t.Fatalf("new primary has %d notes, want 21", n)
	}
}

func openURL(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t *testing.T, url string) int {
	t.Helper()
	var n int
	if err := openURL(t, url).QueryRow("SELECT count(*) FROM notes").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
