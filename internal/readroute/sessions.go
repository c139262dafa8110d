package readroute

import "sync"

// sessions remembers, for each session key, the primary's LSN after that session's last
// commit. It holds at most about limit keys: it keeps two generations, and when the newer
// fills up the older is dropped whole. A key dropped is a session that wrote long ago (about
// limit other sessions wrote since): its commit is on the replica by then, unless the replica
// lags, and then every read goes to the primary anyway.
type sessions struct {
	mu        sync.Mutex
	limit     int
	cur, prev map[string]LSN
}

func newSessions(limit int) *sessions {
	return &sessions{limit: max(limit/2, 1), cur: map[string]LSN{}, prev: map[string]LSN{}}
}

// wrote remembers that key's session committed at lsn.
func (s *sessions) wrote(key string, lsn LSN) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if lsn <= s.cur[key] {
		return
	}
	if _, ok := s.cur[key]; !ok && len(s.cur) >= s.limit {
		s.prev, s.cur = s.cur, make(map[string]LSN, s.limit)
	}
	s.cur[key] = lsn
}

// last returns the LSN after the last commit of any of keys' sessions (0: none remembered).
func (s *sessions) last(keys []string) LSN {
	s.mu.Lock()
	defer s.mu.Unlock()
	var l LSN
	for _, k := range keys {
		l = max(l, s.cur[k], s.prev[k])
	}
	return l
}
