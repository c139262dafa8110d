package live

import "time"

// SetListenerProbe shortens the listener's probe of a quiet connection for a test; the
// returned func restores it.
func SetListenerProbe(idle, timeout time.Duration) (restore func()) {
	oldIdle, oldTimeout := idleProbe, probeTimeout
	idleProbe, probeTimeout = idle, timeout
	return func() { idleProbe, probeTimeout = oldIdle, oldTimeout }
}
