package invites

import "github.com/google/uuid"

// ServiceProjectID is the service project (docs/scaling.md, "## The service project"): the
// project of what belongs to no project, so that every project table has a project_id. It
// owns invites to the service alone with their events, tokens and emails, and accounts'
// emails. A migration makes its row of projects; no one is its member, and it shows nowhere a
// user sees projects.
var ServiceProjectID = uuid.Nil

// IsServiceProject reports whether id is the service project's: no project to a user, so an
// ID given for a project that names it is unknown (ParseID).
func IsServiceProject(id uuid.UUID) bool { return id == ServiceProjectID }

// ForService reports whether inv invites to the service alone, to no project.
func (inv *Invite) ForService() bool { return IsServiceProject(inv.ProjectID) }

// Project is inv's project as the API shows it: nil for an invite to the service alone.
func (inv *Invite) Project() *uuid.UUID { return projectOrNone(inv.ProjectID) }

// projectOrNone is id, or nil for the service project, which is no project to a user.
func projectOrNone(id uuid.UUID) *uuid.UUID {
	if IsServiceProject(id) {
		return nil
	}
	return &id
}

// projectOrService is id, or the service project for none.
func projectOrService(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return ServiceProjectID
	}
	return *id
}

// serviceProjectSQL is ServiceProjectID as an SQL literal, for statements' own conditions.
const serviceProjectSQL = "'00000000-0000-0000-0000-000000000000'::uuid"
