package invites

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/mail"
)

// welcome queues, in the transaction that has just made the membership m, the email that
// tells user they joined: in lang, their locale (the claimed invite's, else their account's),
// with the role m gives and a link to the project. It is called only where the membership's
// row was inserted, never for a member who already was one, so each joining sends one
// welcome and a retried call that finds the membership sends none; a rollback drops it.
// project is the project's name; approved says the join was an admin's approval of the
// person's request to join.
func (s *core) welcome(ctx context.Context, tx bun.Tx, m *Member, project string, user *User, lang string, approved bool) error {
	_, err := s.mailer.Enqueue(ctx, tx, s.welcomeMessage(m, project, user, lang, approved))
	return err
}

// welcomeMessage is the welcome email of welcome, for a caller that writes its row in the
// statement that makes the membership (claim.go).
func (s *core) welcomeMessage(m *Member, project string, user *User, lang string, approved bool) mail.Message {
	return mail.Welcome(mail.WelcomeData{
		ProjectID: m.ProjectID, To: user.Email, Name: user.Name, ProjectName: project, Role: string(m.Role),
		Link: s.cfg.AppURL + "/projects/" + m.ProjectID.String(), Locale: lang, Approved: approved,
	})
}

// projectName reads a project's name, for a welcome where the join did not read the project.
func projectName(ctx context.Context, tx bun.Tx, id uuid.UUID) (string, error) {
	var name string
	err := tx.NewSelect().Table("projects").Column("name").Where("id = ?", id).Scan(ctx, &name)
	return name, err
}
