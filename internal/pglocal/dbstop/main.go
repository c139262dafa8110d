// Command dbstop stops the private PostgreSQL that pglocal started under .data/, if one runs
// (`make db-stop`).
package main

import (
	"fmt"
	"os"

	"github.com/invites/invites/internal/pglocal"
)

func main() {
	root := pglocal.ModuleRoot()
	if !pglocal.Running(root) {
		fmt.Println("no private PostgreSQL runs under .data/")
		return
	}
	if err := pglocal.Stop(root); err != nil {
		fmt.Fprintln(os.Stderr, "db-stop:", err)
		os.Exit(1)
	}
}
