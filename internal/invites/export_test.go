package invites

// The validators, for the table tests of their rules.
var (
	NormalizeName         = normalizeName
	NormalizeOptionalName = normalizeOptionalName
	NormalizeExternalID   = normalizeExternalID
)
