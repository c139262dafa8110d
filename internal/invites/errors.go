package invites

import (
	"errors"
	"fmt"
)

// Code is an error kind a client can act on. The values are the contract's
// `extensions.code` strings, so the GraphQL layer passes them through unchanged.
//
// This file declares every code the server sends, and only those: the schema's description
// (schema.graphqls) and docs/api.md list exactly the Code constants here
// (graph/schema_docs_test.go checks both, and that no other code is written elsewhere).
type Code string

// The error kinds of the domain's rules, as the API contract lists them.
const (
	Unauthenticated    Code = "UNAUTHENTICATED"
	Forbidden          Code = "FORBIDDEN"
	NotFound           Code = "NOT_FOUND"
	BadUserInput       Code = "BAD_USER_INPUT"
	EmailTaken         Code = "EMAIL_TAKEN"
	EmailMismatch      Code = "EMAIL_MISMATCH"
	EmailNotVerified   Code = "EMAIL_NOT_VERIFIED"
	InvalidCredentials Code = "INVALID_CREDENTIALS"
	InviteExpired      Code = "INVITE_EXPIRED"
	InviteNotPending   Code = "INVITE_NOT_PENDING"
	AlreadyInvited     Code = "ALREADY_INVITED"
	AlreadyMember      Code = "ALREADY_MEMBER"
	ExternalIDTaken    Code = "EXTERNAL_ID_TAKEN"
	LastOwner          Code = "LAST_OWNER"
	RateLimited        Code = "RATE_LIMITED"
	// EmailDomainNotAllowed: an invite link admits only emails at its allowed domains.
	EmailDomainNotAllowed Code = "EMAIL_DOMAIN_NOT_ALLOWED"
	// PreviewStale: a bulk preview can no longer be confirmed as it was shown (the project
	// changed, or it expired); preview again.
	PreviewStale Code = "PREVIEW_STALE"
	// RecipientSuppressed: the address bounced hard or complained (or had three soft bounces
	// in a week); no invite email goes to it until an admin lifts that (liftSuppression).
	RecipientSuppressed Code = "RECIPIENT_SUPPRESSED"
	// DomainNotVerified: a project domain's DNS TXT record is not (or no longer) there.
	DomainNotVerified Code = "DOMAIN_NOT_VERIFIED"
	// FreeEmailDomain: a free-mail domain or a public suffix cannot be a project's domain.
	FreeEmailDomain Code = "FREE_EMAIL_DOMAIN"
	// JoinRequestExists: the person has a pending request to join this project already.
	JoinRequestExists Code = "JOIN_REQUEST_EXISTS"
	// ApprovalRequired: the invite link admits by request: use requestToJoin with its token.
	ApprovalRequired Code = "APPROVAL_REQUIRED"
	Internal         Code = "INTERNAL"
)

// Error is an expected failure: its message is written for the API's user and is safe to show.
// Any other error is a bug or an outage and reaches clients only as "internal error".
type Error struct {
	Code    Code
	Message string
	// Field names the input field at fault, for BAD_USER_INPUT.
	Field string
	// Reason tells apart cases of one code that a client shows differently (ReasonLinkReplaced).
	Reason string
	// Rows are the rows of a bulk invite that the error is about: for PREVIEW_STALE, those
	// whose outcome changed since the preview.
	Rows []int
}

// ReasonLinkReplaced is the Reason of the NOT_FOUND that an invite link gets once a resend or
// a reminder has replaced it: the invite page says a newer email has the working link.
const ReasonLinkReplaced = "LINK_REPLACED"

// ReasonLimitExceeded is the Reason of the BAD_USER_INPUT that a count cap answers: a project's
// webhook endpoints or invite links, an account's projects. The input is well formed; what it
// would add is over the cap, so the client says so rather than pointing at a typo.
const ReasonLimitExceeded = "LIMIT_EXCEEDED"

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// OverLimit is the BAD_USER_INPUT, with ReasonLimitExceeded, of a count cap: field names the
// input whose thing is full (the project, the new owner), or is empty where it is the caller.
func OverLimit(field, format string, args ...any) *Error {
	return &Error{Code: BadUserInput, Message: fmt.Sprintf(format, args...), Field: field, Reason: ReasonLimitExceeded}
}

// Errorf returns an Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// invalid returns a BAD_USER_INPUT error about one input field.
func invalid(field, format string, args ...any) *Error {
	return &Error{Code: BadUserInput, Message: fmt.Sprintf(format, args...), Field: field}
}

// LinkReplaced reports whether err is the NOT_FOUND of a link that a newer email replaced.
func LinkReplaced(err error) bool {
	e, ok := errors.AsType[*Error](err)
	return ok && e.Reason == ReasonLinkReplaced
}

// ErrorCode returns the code of err: INTERNAL for anything that is not an *Error.
func ErrorCode(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return Internal
}

// The codes of safe retries (graph/idempotency.go), which refuse a mutation sent with an
// Idempotency-Key before it runs.
const (
	// IdempotencyKeyReused: the key came before with another request (HTTP 422).
	IdempotencyKeyReused Code = "IDEMPOTENCY_KEY_REUSED"
	// IdempotencyKeyInUse: the request with this key is still running (HTTP 409).
	IdempotencyKeyInUse Code = "IDEMPOTENCY_KEY_IN_USE"
)

// The codes of the GraphQL layer (graph/errors.go, graph/cache.go, graph/live.go), which no
// rule of the domain returns.
const (
	// Unavailable: the database cannot be reached (HTTP 503), or a subscription finds live
	// updates not served here or the server shutting down; retry later.
	Unavailable Code = "UNAVAILABLE"
	// PersistedQueryNotFound is gqlgen's code for an automatic persisted query whose hash the
	// server does not know (or no longer keeps): the client sends the query's text with it.
	PersistedQueryNotFound Code = "PERSISTED_QUERY_NOT_FOUND"
)
