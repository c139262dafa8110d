package config

// LimitFrom is the soft limit that Apply would set with container as the container's limit.
func (m Memory) LimitFrom(container func() (uint64, error)) (int64, string) {
	return m.limit(container)
}
