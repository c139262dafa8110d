package config

import (
	"fmt"
	"math"
	"regexp"
	"runtime/debug"
	"strconv"
)

// Memory is the Go runtime's garbage collection, set by Apply. With the runtime's own
// defaults (GOGC=100, no limit) a heap as small as the server's between bulk uploads is
// collected every few MiB allocated: at 900 member pages a second, 60 collections a second
// and a fifth of the server's CPU. Here the heap may grow to five times what is live, while a
// soft limit keeps a bulk upload's peak in bounds (a 10,000-row upload: 114 MiB RSS).
type Memory struct {
	// GCPercent: a collection starts once the heap has grown by this percentage of what the
	// last one left live; -1: only at Limit. GOGC (a percentage, or off).
	GCPercent int
	// Limit is a soft limit of the memory the Go runtime uses, in bytes: near it, collections
	// come as often as it takes (up to half the CPU) to stay under it. GOMEMLIMIT (bytes, with
	// an optional unit B, KiB, MiB, GiB or TiB, as the runtime reads it; off: none).
	Limit int64
}

// Apply sets the runtime's garbage collection: the server and the benchmarks that measure
// its memory run alike.
func (m Memory) Apply() {
	debug.SetGCPercent(m.GCPercent)
	debug.SetMemoryLimit(m.Limit)
}

// byteUnits are the units of GOMEMLIMIT, as the Go runtime reads it.
var byteUnits = map[string]int64{"": 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}

var byteSize = regexp.MustCompile(`^([0-9]+)([A-Za-z]*)$`)

// parseBytes reads a positive size such as 128MiB.
func parseBytes(v string) (int64, error) {
	m := byteSize.FindStringSubmatch(v)
	if m != nil {
		unit, ok := byteUnits[m[2]]
		n, err := strconv.ParseInt(m[1], 10, 64)
		if ok && err == nil && n > 0 && n <= math.MaxInt64/unit {
			return n * unit, nil
		}
	}
	return 0, fmt.Errorf("%q is not a size such as 128MiB (units B, KiB, MiB, GiB, TiB) or off", v)
}
