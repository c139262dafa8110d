package invites

import (
	_ "embed"
	"strings"
)

//go:generate go run ./internal/freemailgen freemail.txt

// freeMailList is AfterShip's list of free-mail providers' domains (about 6,500 names,
// refreshed by its maintainers), extracted by go generate from the email-verifier version in
// go.mod: importing that package would build its maps of every list (about 22 MB) in each
// process's init. One header line, then the names sorted bytewise, each ending in "\n".
//
//go:embed freemail.txt
var freeMailList string

// freeMailNames is the list without its header line.
var freeMailNames = freeMailList[strings.IndexByte(freeMailList, '\n')+1:]

// freeMailMissing are providers the list of the served version (v1.4.1) lacks; upstream's
// later lists are not reachable through the module proxy here. Drop each once the package
// has it (TestFreeMailDomains shows which).
var freeMailMissing = map[string]bool{"proton.me": true, "tutanota.com": true, "tuta.io": true, "zohomail.com": true}

// isFreeMail reports whether a lower-case ASCII domain is a free-mail provider's.
func isFreeMail(domain string) bool {
	return sortedLinesContain(freeMailNames, domain) || freeMailMissing[domain]
}

// sortedLinesContain reports whether name is a line of list, whose lines are sorted bytewise
// and each end in "\n": a binary search over the text itself, so the list costs no heap.
func sortedLinesContain(list, name string) bool {
	lo, hi := 0, len(list) // each at the start of a line
	for lo < hi {
		mid := lo + (hi-lo)/2
		start := lo + strings.LastIndexByte(list[lo:mid], '\n') + 1
		end := mid + strings.IndexByte(list[mid:hi], '\n')
		switch c := strings.Compare(name, list[start:end]); {
		case c == 0:
			return true
		case c < 0:
			hi = start
		default:
			lo = end + 1
		}
	}
	return false
}
