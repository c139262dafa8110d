package config_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/KimMachineGun/automemlimit/memlimit"

	"github.com/invites/invites/internal/config"
)

// TestMemory_Limit: the soft limit is GOMEMLIMIT where it is set (off: none), else 90% of the
// container's memory limit where there is one, else none; given a fake container limit.
func TestMemory_Limit(t *testing.T) {
	const gib = 1 << 30
	limited := func(n uint64) func() (uint64, error) { return func() (uint64, error) { return n, nil } }
	failing := func(err error) func() (uint64, error) { return func() (uint64, error) { return 0, err } }
	for _, tc := range []struct {
		name      string
		env       string // GOMEMLIMIT
		container func() (uint64, error)
		want      int64
		from      string
	}{
		{"ContainerLimit", "", limited(2 * gib), 2 * gib * 9 / 10, "90% of the container's memory limit of 2147483648 bytes"},
		{"SmallContainer", "", limited(256 << 20), 256 << 20 * 9 / 10, "90%"},
		{"NoContainerLimit", "", failing(memlimit.ErrNoLimit), math.MaxInt64, "none"},
		{"NoCgroup", "", failing(errors.New("failed to find cgroup")), math.MaxInt64, "none"},
		{"UnlimitedContainer", "", limited(math.MaxUint64), math.MaxInt64, "none"},
		{"SetWins", "1GiB", limited(2 * gib), gib, "GOMEMLIMIT"},
		{"SetBelowContainer", "3GiB", limited(2 * gib), 3 * gib, "GOMEMLIMIT"},
		{"OffWins", "off", limited(2 * gib), math.MaxInt64, "GOMEMLIMIT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Load(func(k string) string { return map[string]string{"GOMEMLIMIT": tc.env}[k] })
			if err != nil {
				t.Fatal(err)
			}
			got, from := cfg.Memory.LimitFrom(tc.container)
			if got != tc.want || !strings.HasPrefix(from, tc.from) {
				t.Errorf("limit %d (%s), want %d (%s...)", got, from, tc.want, tc.from)
			}
			if cfg.Memory.GCPercent != 400 {
				t.Errorf("GOGC %d, want the tuned 400 whatever the limit", cfg.Memory.GCPercent)
			}
		})
	}
}
