package config

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"runtime/debug"
	"strconv"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// Memory is the Go runtime's garbage collection, set by Apply. With the runtime's own
// defaults (GOGC=100, no limit) a heap as small as the server's between bulk uploads is
// collected every few MiB allocated: at 900 member pages a second, 60 collections a second
// and a fifth of the server's CPU. Here the heap may grow to five times what is live, while a
// soft limit keeps a bulk upload's peak within the memory the replica is given: by default
// ContainerShare of its container's limit. A fixed default would be wrong both ways: too low
// for a replica given 2 GiB, which would collect continuously once its heap neared it, and
// too high for a small container, which would be killed before collecting in earnest.
type Memory struct {
	// GCPercent: a collection starts once the heap has grown by this percentage of what the
	// last one left live; -1: only at Limit. GOGC (a percentage, or off).
	GCPercent int
	// Limit is a soft limit of the memory the Go runtime uses, in bytes: near it, collections
	// come as often as it takes (up to half the CPU) to stay under it. 0: ContainerShare of
	// the memory limit of the process's container (its cgroup) where it has one, else none.
	// GOMEMLIMIT (bytes, with an optional unit B, KiB, MiB, GiB or TiB, as the runtime reads
	// it; off: none).
	Limit int64
}

// ContainerShare is the share of its container's memory limit that a process is given as its
// runtime's soft limit when GOMEMLIMIT is not set: the rest is room for what the runtime does
// not count (its binary, the kernel's buffers of its sockets), so that nearing the soft limit
// makes it collect before the container's hard limit kills it.
const ContainerShare = 0.9

// Apply sets the runtime's garbage collection (the server and the benchmarks that measure
// its memory run alike) and returns the soft limit it set, with where it came from, for the
// log.
func (m Memory) Apply() (limit int64, from string) {
	limit, from = m.limit(memlimit.FromCgroup)
	debug.SetGCPercent(m.GCPercent)
	debug.SetMemoryLimit(limit)
	return limit, from
}

// limit is the soft limit that Apply sets: Limit, or where it is 0 the share of the limit
// that container reports (memlimit.FromCgroup), or none (math.MaxInt64, the runtime's own
// default) where container reports none or cannot tell.
func (m Memory) limit(container func() (uint64, error)) (int64, string) {
	if m.Limit != 0 {
		return m.Limit, "GOMEMLIMIT"
	}
	n, err := container()
	switch {
	case errors.Is(err, memlimit.ErrNoLimit) || err == nil && n >= math.MaxInt64:
		return math.MaxInt64, "none: the container's memory is not limited"
	case err != nil:
		return math.MaxInt64, "none: no container memory limit found (" + err.Error() + ")"
	}
	return int64(float64(n) * ContainerShare), fmt.Sprintf("%g%% of the container's memory limit of %d bytes", ContainerShare*100, n)
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
