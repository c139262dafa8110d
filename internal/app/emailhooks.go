package app

import (
	"context"

	"github.com/invites/invites/internal/delivery"
	"github.com/invites/invites/internal/delivery/bounces"
	"github.com/invites/invites/internal/delivery/providers"
)

// emailHooks builds what turns the mail providers' webhooks (POST /hooks/email/<provider>)
// and returned mail (the SMTP listener at BOUNCE_SMTP_ADDR) into delivery events for rec.
// With a nil rec, neither is served: /hooks/email/ answers 404 and nothing listens for mail.
func (a *App) emailHooks(rec delivery.Recorder) error {
	if rec == nil {
		return nil
	}
	h, err := providers.Handler(providers.Config{EmailHooks: a.cfg.EmailHooks}, rec, a.log)
	if err != nil {
		return err
	}
	a.hooks = h
	if a.cfg.EmailHooks.BounceSMTPAddr != "" {
		a.bounces = bounces.NewServer(bounces.Config{Domain: a.cfg.EmailHooks.BounceDomain,
			Addr: a.cfg.EmailHooks.BounceSMTPAddr}, rec, a.log)
	}
	return nil
}

// startBounces starts the returned-mail listener, if there is one.
func (a *App) startBounces() error {
	if a.bounces == nil {
		return nil
	}
	return a.bounces.Start()
}

// stopBounces stops it, letting the conversations under way end until ctx does.
func (a *App) stopBounces(ctx context.Context) error {
	if a.bounces == nil {
		return nil
	}
	return a.bounces.Shutdown(ctx)
}
