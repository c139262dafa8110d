package mail

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// fakeClock is a clock that moves only when the run sleeps or a test says so.
type fakeClock struct{ at time.Time }

func (f *fakeClock) clock() clock {
	return clock{now: func() time.Time { return f.at }, sleep: func(d time.Duration) { f.at = f.at.Add(d) }}
}

// TestRunDeadlines_Write: a status write that fails is tried again, waiting twice as long after
// each failure, until it succeeds or the next try would start after writeBy; no try ever starts
// after it, however long each try takes (a loaded machine's are slow). The times are those of a
// fake clock, so that the test checks the rule and not the machine's speed: with JobTimeout
// 200ms and RescueAfter 1s, a run gives up writing at 0.8s.
func TestRunDeadlines_Write(t *testing.T) {
	errDown := errors.New("the database is down")
	limits := runLimits{jobTimeout: 200 * time.Millisecond, rescueAfter: time.Second}

	for _, tc := range []struct {
		name     string
		failures int           // tries that fail before one succeeds (-1: all of them)
		tryTakes time.Duration // each try's own time
		want     []time.Duration
		wantErr  error
	}{
		// Waits of 100, 200 and 400ms; the next, 800ms, would end after 0.8s.
		{"AlwaysFailingGivesUpAtWriteBy", -1, 0, []time.Duration{0, 100, 300, 700}, errDown},
		{"SucceedsOnceTheDatabaseIsBack", 2, 0, []time.Duration{0, 100, 300}, nil},
		{"SucceedsAtOnce", 0, 0, []time.Duration{0}, nil},
		// Tries of 150ms each: 0, 250 (150+100), 600 (400+200); 750+400 is past 0.8s.
		{"SlowTriesGiveUpSooner", -1, 150 * time.Millisecond, []time.Duration{0, 250, 600}, errDown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := &fakeClock{at: time.Now()}
			l := limits
			l.clock = fake.clock()
			start := fake.at
			d := l.start()
			if got, want := d.writeBy.Sub(start), 800*time.Millisecond; got != want {
				t.Fatalf("writeBy = start + %s, want + %s", got, want)
			}
			var tries []time.Duration
			err := d.write(context.Background(), func(context.Context) error {
				tries = append(tries, fake.at.Sub(start)/time.Millisecond)
				fake.at = fake.at.Add(tc.tryTakes)
				if tc.failures < 0 || len(tries) <= tc.failures {
					return errDown
				}
				return nil
			})
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("write: %v, want %v", err, tc.wantErr)
			}
			if !slices.Equal(tries, tc.want) {
				t.Errorf("tries at %v ms, want %v", tries, tc.want)
			}
			for _, at := range tries {
				if start.Add(at * time.Millisecond).After(d.writeBy) {
					t.Errorf("a try started at %dms, after writeBy (800ms)", at)
				}
			}
		})
	}
}
