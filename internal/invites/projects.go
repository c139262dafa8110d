package invites

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Project is a project, as seen by one viewer.
type Project struct {
	bun.BaseModel `bun:"table:projects,alias:p"`

	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	Name      string    `bun:"name,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	// ViewerRole is the viewer's role in the project, read with it; nil for a non-member who
	// sees the project through an invite.
	ViewerRole *Role `bun:"viewer_role,scanonly"`
	// DefaultLocale is the locale of its invites that name none (SPEC §17); nil: the
	// inviter's language, else English.
	DefaultLocale *string `bun:"default_locale"`
	// RestrictToDomains: every way in refuses emails outside the verified domains (SPEC §16,
	// domains_rule.go).
	RestrictToDomains bool `bun:"restrict_to_domains"`
	// EnabledWebhookEndpoints is kept by the endpoints' trigger (migration 20261210010000),
	// never written from here; read where a query takes the row whole (p.*).
	EnabledWebhookEndpoints int `bun:"enabled_webhook_endpoints,scanonly"`
}

// CreateProject makes a project whose OWNER is the actor, who may own at most ProjectLimit.
//
// Errors: BAD_USER_INPUT (name; with reason LIMIT_EXCEEDED, the actor owns ProjectLimit).
func (s *ProjectService) CreateProject(ctx context.Context, actor uuid.UUID, name string) (*Project, error) {
	name, err := normalizeName("name", name)
	if err != nil {
		return nil, err
	}
	now := s.now()
	owner := RoleOwner
	p := &Project{ID: newID(), Name: name, CreatedAt: now, ViewerRole: &owner}
	m := &Member{ID: newID(), ProjectID: p.ID, UserID: actor, Role: RoleOwner, CreatedAt: now, UpdatedAt: now}
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.checkOwnedProjects(ctx, tx, actor, ""); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(p).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewInsert().Model(m).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// viewerProjects selects the projects the viewer is a member of, with the viewer's role.
func (s *core) viewerProjects(db bun.IDB, viewer uuid.UUID) *bun.SelectQuery {
	return projectsWithRole(db).Where("vm.user_id = ?", viewer)
}

// projectsWithRole selects projects with the role of the members that a filter on vm names.
func projectsWithRole(db bun.IDB) *bun.SelectQuery {
	return db.NewSelect().Model((*Project)(nil)).
		ColumnExpr("p.*").ColumnExpr("vm.role AS viewer_role").
		Join("JOIN project_members AS vm ON vm.project_id = p.id")
}

// Project returns a project the viewer is a member of.
//
// Errors: NOT_FOUND where it does not exist or the viewer is not a member: the two look alike
// so that outsiders learn nothing.
func (s *ProjectService) Project(ctx context.Context, viewer, id uuid.UUID) (*Project, error) {
	p := new(Project)
	err := s.viewerProjects(s.read(ctx), viewer).Where("p.id = ?", id).Scan(ctx, p)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(NotFound, "project not found")
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Projects lists the projects the viewer is a member of, newest first.
//
// Errors: BAD_USER_INPUT (first, after, last, before).
func (s *ProjectService) Projects(ctx context.Context, viewer uuid.UUID, args PageArgs) (*Page[*Project], error) {
	w, err := args.parse()
	if err != nil {
		return nil, err
	}
	l := newList("projects AS p JOIN project_members AS vm ON vm.project_id = p.id", "p.created_at", "p.id").
		where("vm.user_id = ?", viewer)
	db := s.read(ctx)
	return fetchPage(ctx, db, projectsWithRole(db), l, w,
		func(p *Project) cursor { return cursor{At: p.CreatedAt, ID: p.ID} })
}
