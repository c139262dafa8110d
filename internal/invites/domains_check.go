package invites

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/jobs"
	"github.com/invites/invites/internal/mail"
)

// DomainRecheckAge is how long a verified domain goes unchecked before RecheckDomains asks
// DNS again: a little under a day, so that a daily run finds every one due.
const DomainRecheckAge = 20 * time.Hour

// domainRecheckBatch caps the domains one RecheckDomains run checks; the next run goes on.
const domainRecheckBatch = 500

// txtFound asks DNS for d's TXT record and reports whether one holds its value. The lookup
// runs outside any transaction: a slow DNS server holds no lock.
func (s *core) txtFound(ctx context.Context, d *ProjectDomain) (bool, error) {
	records, err := s.cfg.Resolver.LookupTXT(ctx, d.TXTRecordName())
	if err != nil {
		return false, err
	}
	return slices.Contains(records, d.TXTRecordValue()), nil
}

// VerifyProjectDomain checks the domain's TXT record now (ADMIN and above). Found, the domain
// is verified (once: of two admins verifying at once, one changes it and records the event);
// not found, a verified domain loses its verification and its policy falls back to OFF, and
// the answer is DOMAIN_NOT_VERIFIED.
func (s *DomainService) VerifyProjectDomain(ctx context.Context, actor, id uuid.UUID) (*ProjectDomain, error) {
	d, err := s.domainByID(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	if _, err := requireRole(ctx, s.db, d.ProjectID, actor, RoleAdmin); err != nil {
		if e, ok := errors.AsType[*Error](err); ok && e.Code == NotFound {
			return nil, Errorf(NotFound, "domain not found")
		}
		return nil, err
	}
	found, err := s.txtFound(ctx, d)
	if err != nil {
		slog.WarnContext(ctx, "domain check: DNS lookup failed", "domain", d.Domain, "err", err)
		return nil, Errorf(DomainNotVerified, "the DNS lookup of %s failed; try again in a moment", d.TXTRecordName())
	}
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		d, _, err = s.domainForAdmin(ctx, tx, actor, id, RoleAdmin)
		if err != nil {
			return err
		}
		_, err = s.applyCheck(ctx, tx, d, found, &actor)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, Errorf(DomainNotVerified, "no TXT record %s holding %q was found; DNS changes can take a while to show", d.TXTRecordName(), d.TXTRecordValue())
	}
	return d, nil
}

// domainByID reads one domain.
func (s *core) domainByID(ctx context.Context, db bun.IDB, id uuid.UUID) (*ProjectDomain, error) {
	d := new(ProjectDomain)
	err := db.NewSelect().Model(d).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(NotFound, "domain not found")
	}
	return d, err
}

// applyCheck writes what a check found to d, read under the project's lock in tx, and records
// the change: verified when found and it was not; unverified with policy OFF (lost reports it)
// when not found and it was.
func (s *core) applyCheck(ctx context.Context, tx bun.Tx, d *ProjectDomain, found bool, actor *uuid.UUID) (lost bool, err error) {
	now := s.now()
	d.CheckedAt = &now
	var event string
	switch {
	case found && !d.Verified():
		d.VerifiedAt, d.UpdatedAt, event = &now, now, EventVerifiedDomain
	case !found && d.Verified():
		d.VerifiedAt, d.Policy, d.UpdatedAt, event = nil, PolicyOff, now, EventLostDomain
	}
	if _, err := tx.NewUpdate().Model(d).Column("verified_at", "checked_at", "policy", "updated_at").WherePK().Exec(ctx); err != nil {
		return false, err
	}
	if event == "" {
		return false, nil
	}
	return event == EventLostDomain, s.record(ctx, tx, s.domainEvent(event, d, actor))
}

// RecheckDomains checks the verified domains not checked for DomainRecheckAge (the daily
// job): a domain whose record is gone falls back to unverified and OFF, with an event, and
// every ADMIN and OWNER of its project is told by email. A failed lookup changes nothing (a
// DNS outage does not unverify every domain); the next run tries again. It returns how many
// domains it found lost.
func (s *DomainService) RecheckDomains(ctx context.Context) (int, error) {
	var due []*ProjectDomain
	err := s.db.NewSelect().Model(&due).Where("verified_at IS NOT NULL").
		Where("checked_at IS NULL OR checked_at < ?", s.now().Add(-DomainRecheckAge)).
		OrderExpr("checked_at NULLS FIRST, id").Limit(domainRecheckBatch).Scan(ctx)
	if err != nil {
		return 0, err
	}
	lost := 0
	for _, d := range due {
		found, err := s.txtFound(ctx, d)
		if err != nil {
			slog.WarnContext(ctx, "domain re-check: DNS lookup failed", "domain", d.Domain, "err", err)
			continue
		}
		l, err := s.recheckOne(ctx, d.ID, found)
		if err != nil {
			return lost, err
		}
		if l {
			lost++
		}
	}
	return lost, nil
}

// recheckOne applies a re-check's finding to one domain and tells the admins of a loss.
func (s *DomainService) recheckOne(ctx context.Context, id uuid.UUID, found bool) (lost bool, err error) {
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		d, err := s.domainByID(ctx, tx, id)
		if err != nil {
			if e, ok := errors.AsType[*Error](err); ok && e.Code == NotFound {
				return nil // removed since
			}
			return err
		}
		p, err := s.lockProject(ctx, tx, d.ProjectID)
		if err != nil {
			return err
		}
		if err := tx.NewSelect().Model(d).WherePK().For("UPDATE").Scan(ctx); err != nil {
			return err
		}
		if lost, err = s.applyCheck(ctx, tx, d, found, nil); err != nil || !lost {
			return err
		}
		return s.tellAdminsDomainLost(ctx, tx, p, d)
	})
	return lost, err
}

// tellAdminsDomainLost queues an email to each ADMIN and OWNER of p about d.
func (s *core) tellAdminsDomainLost(ctx context.Context, tx bun.Tx, p *Project, d *ProjectDomain) error {
	var admins []*User
	err := tx.NewSelect().Model(&admins).
		Join("JOIN project_members AS pm ON pm.user_id = u.id").
		Where("pm.project_id = ? AND pm.role IN (?)", p.ID, bun.In([]Role{RoleAdmin, RoleOwner})).
		OrderExpr("u.id").Scan(ctx)
	if err != nil {
		return err
	}
	link := fmt.Sprintf("%s/projects/%s/domains", s.cfg.AppURL, p.ID)
	for _, a := range admins {
		m := mail.DomainLost(mail.DomainLostData{ProjectID: p.ID, To: a.Email, Name: a.Name, ProjectName: p.Name, Domain: d.Domain,
			Record: d.TXTRecordName(), Link: link, Locale: userLocale(a)})
		if _, err := s.mailer.Enqueue(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

// DomainRecheckInterval is how often the re-check job looks for domains due (each verified
// domain is due once DomainRecheckAge has passed since its last check: about daily).
const DomainRecheckInterval = time.Hour

type domainRecheckArgs struct{}

func (domainRecheckArgs) Kind() string { return "domains_recheck" }

// DomainWork is the daily re-check of verified domains (RecheckDomains), run every
// DomainRecheckInterval and at start-up in a queue of its own ("domains"), so that slow DNS
// answers hold up no email or webhook.
func (s *DomainService) DomainWork() jobs.Work {
	return jobs.Periodic[domainRecheckArgs]("domains", DomainRecheckInterval, func(ctx context.Context) error {
		n, err := s.RecheckDomains(ctx)
		if n > 0 {
			slog.InfoContext(ctx, "domain re-check: records gone, domains unverified", "domains", n)
		}
		return err
	})
}
