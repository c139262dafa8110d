package pglocal

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Programs runs the PostgreSQL programs installed on the machine (initdb, pg_ctl,
// pg_basebackup, ...) as a user they accept: initdb and postgres refuse to run as root, so a
// root process runs them as the postgres user. The private cluster of `make run` and the
// test clusters of internal/pgcluster both start their servers through it.
type Programs struct {
	BinDir string              // the folder of initdb and pg_ctl
	cred   *syscall.Credential // the postgres user's, when running as root
}

// FindPrograms finds the PostgreSQL programs and the user to run them as.
func FindPrograms() (*Programs, error) {
	bin, err := findBinDir()
	if err != nil {
		return nil, err
	}
	cred, err := PostgresCredential()
	if err != nil {
		return nil, err
	}
	return &Programs{BinDir: bin, cred: cred}, nil
}

// PostgresCredential is the postgres user's, for running PostgreSQL's programs (and PgBouncer)
// when this process runs as root, which they refuse; nil when not root.
func PostgresCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, but there is no postgres user to run PostgreSQL as: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// Own gives path to the user the programs run as (nothing to do unless running as root).
func (p *Programs) Own(path string) error {
	if p.cred == nil {
		return nil
	}
	return os.Chown(path, int(p.cred.Uid), int(p.cred.Gid))
}

// Run runs the program prog in dir and waits for it, returning its output in the error when
// it fails. It runs in a session of its own: a server it starts outlives this process and
// does not receive its terminal's signals.
func (p *Programs) Run(dir, prog string, args ...string) error {
	cmd := exec.Command(filepath.Join(p.BinDir, prog), args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if p.cred != nil {
		cmd.SysProcAttr.Credential = p.cred
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", prog, err, strings.TrimSpace(string(out)))
	}
	return nil
}
