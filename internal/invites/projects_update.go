package invites

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"golang.org/x/text/language"
)

// EventUpdatedProject is recorded when updateProject changes a project; detail names what.
const EventUpdatedProject = "Updated Project"

// UpdateProjectInput is what updateProject takes; nil fields stay as they are.
type UpdateProjectInput struct {
	ID   uuid.UUID
	Name *string
	// DefaultLocale is a BCP 47 tag; "" clears it.
	DefaultLocale     *string
	RestrictToDomains *bool
}

// UpdateProject renames the project, sets its default locale (ADMIN and above) or restricts
// it to its verified domains (OWNER). Turning the restriction on removes nobody: the members
// outside are listed by Project.membersOutsideDomains (MembersOutsideDomains).
//
// Errors: NOT_FOUND (not a member), FORBIDDEN (below ADMIN; restrictToDomains below OWNER),
// BAD_USER_INPUT (name, defaultLocale).
func (s *DomainService) UpdateProject(ctx context.Context, actor uuid.UUID, in UpdateProjectInput) (*Project, error) {
	var name, locale *string
	if in.Name != nil {
		n, err := normalizeName("name", *in.Name)
		if err != nil {
			return nil, err
		}
		name = &n
	}
	if in.DefaultLocale != nil && *in.DefaultLocale != "" {
		tag, err := language.Parse(*in.DefaultLocale)
		if err != nil {
			return nil, invalid("defaultLocale", "defaultLocale must be a BCP 47 language tag such as en or pt-BR")
		}
		l := tag.String()
		locale = &l
	}
	var p *Project
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if p, err = s.lockProject(ctx, tx, in.ID); err != nil {
			return err
		}
		m, err := requireRole(ctx, tx, in.ID, actor, RoleAdmin)
		if err != nil {
			return err
		}
		if in.RestrictToDomains != nil && m.Role != RoleOwner {
			return Errorf(Forbidden, "only the OWNER may restrict the project to its verified domains")
		}
		if name != nil {
			p.Name = *name
		}
		if in.DefaultLocale != nil {
			p.DefaultLocale = locale
		}
		if in.RestrictToDomains != nil {
			p.RestrictToDomains = *in.RestrictToDomains
		}
		role := m.Role
		p.ViewerRole = &role
		if _, err := tx.NewUpdate().Model(p).Column("name", "default_locale", "restrict_to_domains").WherePK().Exec(ctx); err != nil {
			return err
		}
		return s.record(ctx, tx, s.event(EventUpdatedProject, in.ID, actor, nil, ""))
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}
