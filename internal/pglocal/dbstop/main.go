// Command dbstop stops the private PostgreSQL that pglocal started under .data/, if one runs
// (`make db-stop`).
package main

import (
	"fmt"
	"os"

	"github.com/invites/invites/internal/pglocal"
)

func main() {
	stopped, err := pglocal.Stop(pglocal.ModuleRoot())
	switch {
	case err != nil:
		fmt.Fprintln(os.Stderr, "db-stop:", err)
		os.Exit(1)
	case !stopped:
		fmt.Println("no private PostgreSQL runs under .data/")
	}
}
