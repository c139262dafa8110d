package main

import (
	"database/sql"
	"fmt"
	"strconv"
	"time"
)

// poolConfig sizes database/sql's connection pool. Idle connections are kept up to the open
// limit by default: with database/sql's own idle default of 2, every request beyond the second
// at once opened a PostgreSQL session and closed it again (0.3 new sessions per member-page
// request at 10 clients, each costing PostgreSQL tens of milliseconds of CPU).
type poolConfig struct {
	MaxConns        int           // DB_MAX_CONNS: open connections at most
	MaxIdleConns    int           // DB_MAX_IDLE_CONNS: idle connections kept (DB_MAX_CONNS)
	ConnMaxLifetime time.Duration // DB_CONN_MAX_LIFETIME: a connection is replaced after this
	ConnMaxIdleTime time.Duration // DB_CONN_MAX_IDLE_TIME: an idle connection is closed after this
}

func loadPoolConfig(getenv func(string) string) (poolConfig, error) {
	p := poolConfig{MaxConns: 20}
	if v := getenv("DB_MAX_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return p, fmt.Errorf("DB_MAX_CONNS: %q is not a positive whole number", v)
		}
		p.MaxConns = n
	}
	p.MaxIdleConns = p.MaxConns
	if v := getenv("DB_MAX_IDLE_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > p.MaxConns {
			return p, fmt.Errorf("DB_MAX_IDLE_CONNS: %q is not a whole number from 0 to DB_MAX_CONNS (%d)", v, p.MaxConns)
		}
		p.MaxIdleConns = n
	}
	var err error
	if p.ConnMaxLifetime, err = duration(getenv, "DB_CONN_MAX_LIFETIME", time.Hour); err != nil {
		return p, err
	}
	if p.ConnMaxIdleTime, err = duration(getenv, "DB_CONN_MAX_IDLE_TIME", 5*time.Minute); err != nil {
		return p, err
	}
	return p, nil
}

// apply sets the pool's limits on db.
func (p poolConfig) apply(db *sql.DB) {
	db.SetMaxOpenConns(p.MaxConns)
	db.SetMaxIdleConns(p.MaxIdleConns)
	db.SetConnMaxLifetime(p.ConnMaxLifetime)
	db.SetConnMaxIdleTime(p.ConnMaxIdleTime)
}
