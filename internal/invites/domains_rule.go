package invites

import (
	"context"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// CheckDomainAllowed returns EMAIL_DOMAIN_NOT_ALLOWED when the project is restricted to its
// verified domains (restrictToDomains) and email is at none of them; nil otherwise. Every way
// into a project calls it in its transaction, after the project's lock where it takes one:
// createInvite, bulk rows, invite-link joins, ownership transfers, claims at sign-up and
// verification, and join requests.
func (s *core) CheckDomainAllowed(ctx context.Context, db bun.IDB, projectID uuid.UUID, email string) error {
	allowed, restricted, err := s.allowedDomains(ctx, db, projectID)
	if err != nil || !restricted {
		return err
	}
	return domainRefusal(allowed, email)
}

// domainRefusal is EMAIL_DOMAIN_NOT_ALLOWED where email is at none of the allowed domains of
// a restricted project; nil where it is at one.
func domainRefusal(allowed []string, email string) error {
	if slices.Contains(allowed, emailDomain(email)) {
		return nil
	}
	if len(allowed) == 0 {
		return Errorf(EmailDomainNotAllowed, "this project admits only emails at its verified domains, and none is verified yet")
	}
	return Errorf(EmailDomainNotAllowed, "this project admits only emails at %s", strings.Join(allowed, ", "))
}

// checkProjectDomain is CheckDomainAllowed for a project already loaded (createInvite's): its
// restrictToDomains is known, so an unrestricted project costs no statement.
func (s *core) checkProjectDomain(ctx context.Context, db bun.IDB, p *Project, email string) error {
	if p == nil || !p.RestrictToDomains {
		return nil
	}
	return s.CheckDomainAllowed(ctx, db, p.ID, email)
}

// allowedDomains reads whether the project is restricted and its verified domains.
func (s *core) allowedDomains(ctx context.Context, db bun.IDB, projectID uuid.UUID) (domains []string, restricted bool, err error) {
	err = db.NewSelect().Table("projects").Column("restrict_to_domains").Where("id = ?", projectID).Scan(ctx, &restricted)
	if err != nil || !restricted {
		return nil, restricted, err
	}
	err = db.NewSelect().Model((*ProjectDomain)(nil)).Column("domain").
		Where("project_id = ? AND verified_at IS NOT NULL", projectID).OrderExpr("domain").Scan(ctx, &domains)
	return domains, true, err
}

// RestrictToDomains reports whether the project admits only emails at its verified domains
// (ADMIN and above).
func (s *DomainService) RestrictToDomains(ctx context.Context, viewer, projectID uuid.UUID) (bool, error) {
	if _, err := requireRole(ctx, s.db, projectID, viewer, RoleAdmin); err != nil {
		return false, err
	}
	_, restricted, err := s.allowedDomains(ctx, s.db, projectID)
	return restricted, err
}

// MembersOutsideDomains lists the members whose email is at none of the project's verified
// domains (ADMIN and above): what turning restrictToDomains on does not remove.
func (s *DomainService) MembersOutsideDomains(ctx context.Context, viewer, projectID uuid.UUID) ([]*Member, error) {
	if _, err := requireRole(ctx, s.db, projectID, viewer, RoleAdmin); err != nil {
		return nil, err
	}
	var out []*Member
	err := s.db.NewSelect().Model(&out).
		Join("JOIN users AS u ON u.id = m.user_id").
		Where("m.project_id = ?", projectID).
		Where(`NOT EXISTS (SELECT 1 FROM project_domains pd WHERE pd.project_id = m.project_id
			AND pd.verified_at IS NOT NULL AND pd.domain = lower(split_part(u.email, '@', 2)))`).
		OrderExpr("u.email").Scan(ctx)
	return out, err
}

// domainRule is a project's restriction to its verified domains, read once for many emails
// (a bulk invite's rows).
type domainRule struct {
	restricted bool
	allowed    []string
}

// domainRule reads the rule of p, read under its lock in tx: a project not restricted costs
// no statement.
func (s *core) domainRule(ctx context.Context, db bun.IDB, p *Project) (*domainRule, error) {
	if !p.RestrictToDomains {
		return nil, nil
	}
	allowed, restricted, err := s.allowedDomains(ctx, db, p.ID)
	return &domainRule{restricted: restricted, allowed: allowed}, err
}

// refuses reports whether the rule refuses email.
func (r *domainRule) refuses(email string) bool {
	return r != nil && r.restricted && !slices.Contains(r.allowed, emailDomain(email))
}

// checkTransferDomain refuses ownership to a member whose email is outside the verified
// domains of a restricted project.
func (s *core) checkTransferDomain(ctx context.Context, tx bun.Tx, projectID, userID uuid.UUID) error {
	email, err := userEmail(ctx, tx, userID)
	if err != nil {
		return err
	}
	return s.CheckDomainAllowed(ctx, tx, projectID, email)
}

// linkAdmits is the link's own domains (InviteLink.admits), then the project's restriction.
func (s *core) linkAdmits(ctx context.Context, tx bun.Tx, l *InviteLink, user *User) error {
	if err := l.admits(user); err != nil {
		return err
	}
	return s.CheckDomainAllowed(ctx, tx, l.ProjectID, user.Email)
}
