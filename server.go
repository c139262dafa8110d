// Command invites serves the Invites GraphQL API and the web app behind its links.
//
// Configuration is by environment, every setting with a working default (internal/config,
// listed in docs/configuration.md); internal/app builds the server from it.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/invites/invites/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := app.Run(ctx, os.Getenv, nil); err != nil {
		fmt.Fprintln(os.Stderr, "invites:", err)
		os.Exit(1)
	}
}
