//go:build !linux

package graph

// wsPoller is Linux's (wspoll_linux.go): elsewhere one goroutine reads each WebSocket.
type wsPoller struct{}

func wsPollerOf() *wsPoller { return nil }

func (*wsPoller) register(*wsSocket) bool { return false }
func (*wsPoller) arm(*wsSocket) error     { return nil }
func (*wsPoller) remove(*wsSocket)        {}
