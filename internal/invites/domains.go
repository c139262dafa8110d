package invites

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// DomainService adds, proves, re-checks and sets the policies of a project's domains
// (domains.go, domains_check.go, domain_name.go, dns.go).
type DomainService struct{ *core }

// DomainPolicy is what a verified domain lets people with a verified email there do.
type DomainPolicy string

// The policies: OFF (nothing), SUGGEST (see the project and join at once), REQUEST (ask to
// join), AUTO (joined at sign-up or email verification).
const (
	PolicyOff     DomainPolicy = "OFF"
	PolicySuggest DomainPolicy = "SUGGEST"
	PolicyRequest DomainPolicy = "REQUEST"
	PolicyAuto    DomainPolicy = "AUTO"
)

// Valid reports whether p is one of the policies.
func (p DomainPolicy) Valid() bool {
	return slices.Contains([]DomainPolicy{PolicyOff, PolicySuggest, PolicyRequest, PolicyAuto}, p)
}

// DomainLimit caps the domains of one project (the contract's "at most 50").
const DomainLimit = 50

// DomainChallengePrefix is the label before the domain of the TXT record that proves it.
const DomainChallengePrefix = "_invites-challenge."

// The domains' tracked events; Detail names the domain.
const (
	EventAddedDomain    = "Added Domain"
	EventVerifiedDomain = "Verified Domain"
	// EventLostDomain: a check found the TXT record gone; the domain is unverified and its
	// policy OFF.
	EventLostDomain    = "Lost Domain Verification"
	EventUpdatedDomain = "Updated Domain"
	EventRemovedDomain = "Removed Domain"
)

// ProjectDomain is a domain a project added; it is verified once its TXT record was found.
type ProjectDomain struct {
	bun.BaseModel `bun:"table:project_domains,alias:pd"`

	ID          uuid.UUID    `bun:"id,pk,type:uuid"`
	ProjectID   uuid.UUID    `bun:"project_id,type:uuid"`
	Domain      string       `bun:"domain"`
	Token       string       `bun:"token"`
	VerifiedAt  *time.Time   `bun:"verified_at"`
	CheckedAt   *time.Time   `bun:"checked_at"`
	Policy      DomainPolicy `bun:"policy"`
	DefaultRole Role         `bun:"default_role"`
	CreatedBy   *uuid.UUID   `bun:"created_by,type:uuid"`
	CreatedAt   time.Time    `bun:"created_at"`
	UpdatedAt   time.Time    `bun:"updated_at"`
}

// Verified reports whether the domain's record was found (and not lost since).
func (d *ProjectDomain) Verified() bool { return d.VerifiedAt != nil }

// TXTRecordName is the name of the TXT record that proves the domain.
func (d *ProjectDomain) TXTRecordName() string { return DomainChallengePrefix + d.Domain }

// TXTRecordValue is what the TXT record must hold.
func (d *ProjectDomain) TXTRecordValue() string { return "invites-verification=" + d.Token }

// AddProjectDomain adds an unverified domain to the project (ADMIN and above).
//
// Errors: BAD_USER_INPUT (domain; projectId with reason LIMIT_EXCEEDED at DomainLimit),
// FREE_EMAIL_DOMAIN, NOT_FOUND (not a member), FORBIDDEN (below ADMIN); a domain the project
// has already answers that row as it is.
func (s *DomainService) AddProjectDomain(ctx context.Context, actor, projectID uuid.UUID, raw string) (*ProjectDomain, error) {
	name, err := normalizeProjectDomain("domain", raw)
	if err != nil {
		return nil, err
	}
	token, _ := newToken()
	now := s.now()
	d := &ProjectDomain{ID: newID(), ProjectID: projectID, Domain: name, Token: token, Policy: PolicyOff,
		DefaultRole: RoleContributor, CreatedBy: &actor, CreatedAt: now, UpdatedAt: now}
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.lockProject(ctx, tx, projectID); err != nil {
			return err
		}
		if _, err := requireRole(ctx, tx, projectID, actor, RoleAdmin); err != nil {
			return err
		}
		existing := new(ProjectDomain)
		err := tx.NewSelect().Model(existing).Where("project_id = ? AND domain = ?", projectID, name).Scan(ctx)
		if err == nil {
			d = existing
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		n, err := tx.NewSelect().Model((*ProjectDomain)(nil)).Where("project_id = ?", projectID).Count(ctx)
		if err != nil {
			return err
		}
		if n >= DomainLimit {
			return OverLimit("projectId", "a project has at most %d domains: remove one first", DomainLimit)
		}
		if _, err := tx.NewInsert().Model(d).Exec(ctx); err != nil {
			return err
		}
		return s.record(ctx, tx, s.domainEvent(EventAddedDomain, d, &actor))
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// domainEvent is a tracked event about d by actor (nil: the daily check).
func (s *core) domainEvent(name string, d *ProjectDomain, actor *uuid.UUID) *Event {
	a := uuid.Nil
	if actor != nil {
		a = *actor
	}
	e := s.event(name, d.ProjectID, a, nil, "")
	detail := d.Domain
	e.Detail = &detail
	return e
}

// ProjectDomains lists the project's domains, oldest first (ADMIN and above).
func (s *DomainService) ProjectDomains(ctx context.Context, viewer, projectID uuid.UUID) ([]*ProjectDomain, error) {
	db := s.read(ctx)
	if _, err := requireRole(ctx, db, projectID, viewer, RoleAdmin); err != nil {
		return nil, err
	}
	var out []*ProjectDomain
	err := db.NewSelect().Model(&out).Where("project_id = ?", projectID).OrderExpr("created_at, id").Scan(ctx)
	return out, err
}

// domainForAdmin reads a domain, locked for update in tx, for an actor of at least min.
func (s *core) domainForAdmin(ctx context.Context, tx bun.Tx, actor, id uuid.UUID, min Role) (*ProjectDomain, *Member, error) {
	d := new(ProjectDomain)
	err := tx.NewSelect().Model(d).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, Errorf(NotFound, "domain not found")
	} else if err != nil {
		return nil, nil, err
	}
	if _, err := s.lockProject(ctx, tx, d.ProjectID); err != nil {
		return nil, nil, err
	}
	m, err := member(ctx, tx, d.ProjectID, actor, "domain")
	if err != nil {
		return nil, nil, err
	}
	if err := HasMinRole(m.Role, min); err != nil {
		return nil, nil, err
	}
	// Read again under the project's lock: a check or an update may have committed since.
	err = tx.NewSelect().Model(d).Where("id = ?", id).For("UPDATE").Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, Errorf(NotFound, "domain not found")
	}
	return d, m, err
}

// RemoveProjectDomain deletes the domain (ADMIN and above); its policy ends with it.
func (s *DomainService) RemoveProjectDomain(ctx context.Context, actor, id uuid.UUID) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		d, _, err := s.domainForAdmin(ctx, tx, actor, id, RoleAdmin)
		if err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model(d).WherePK().Exec(ctx); err != nil {
			return err
		}
		return s.record(ctx, tx, s.domainEvent(EventRemovedDomain, d, &actor))
	})
}

// UpdateProjectDomainInput is what updateProjectDomain takes; nil fields stay as they are.
type UpdateProjectDomainInput struct {
	ID          uuid.UUID
	Policy      *DomainPolicy
	DefaultRole *Role
}

// UpdateProjectDomain sets a verified domain's policy and the role people join with through
// it (ADMIN and above). The role is CONTRIBUTOR, or ADMIN when the OWNER sets it.
//
// Errors: NOT_FOUND, FORBIDDEN (below ADMIN; ADMIN as role below OWNER), BAD_USER_INPUT
// (policy, defaultRole), DOMAIN_NOT_VERIFIED (a policy other than OFF on an unverified domain).
func (s *DomainService) UpdateProjectDomain(ctx context.Context, actor uuid.UUID, in UpdateProjectDomainInput) (*ProjectDomain, error) {
	if in.Policy != nil && !in.Policy.Valid() {
		return nil, invalid("policy", "policy must be OFF, SUGGEST, REQUEST or AUTO")
	}
	if in.DefaultRole != nil && *in.DefaultRole != RoleContributor && *in.DefaultRole != RoleAdmin {
		return nil, invalid("defaultRole", "defaultRole must be CONTRIBUTOR or ADMIN")
	}
	var d *ProjectDomain
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var m *Member
		var err error
		d, m, err = s.domainForAdmin(ctx, tx, actor, in.ID, RoleAdmin)
		if err != nil {
			return err
		}
		if in.DefaultRole != nil && *in.DefaultRole == RoleAdmin && m.Role != RoleOwner {
			return Errorf(Forbidden, "only the OWNER may let people join as ADMIN through a domain")
		}
		if in.Policy != nil && *in.Policy != PolicyOff && !d.Verified() {
			return Errorf(DomainNotVerified, "verify %s before setting its policy: publish the TXT record %s", d.Domain, d.TXTRecordName())
		}
		if in.Policy != nil {
			d.Policy = *in.Policy
		}
		if in.DefaultRole != nil {
			d.DefaultRole = *in.DefaultRole
		}
		d.UpdatedAt = s.now()
		if _, err := tx.NewUpdate().Model(d).Column("policy", "default_role", "updated_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		return s.record(ctx, tx, s.domainEvent(EventUpdatedDomain, d, &actor))
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}
