package model

// Node is what node(id:) and nodes(ids:) return: one of the domain's objects that have an ID
// (*invites.User, *invites.Project, *invites.Member, *invites.Invite, *invites.Event). It is a
// plain interface so that the domain's types need no GraphQL methods; the generated executor
// tells them apart by their Go type.
type Node interface{}
