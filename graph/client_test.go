package graph_test

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/invites/invites/graph"
	"github.com/invites/invites/internal/config"
)

func TestClientAddr(t *testing.T) {
	trusted, err := config.ParseTrustedProxies("10.0.0.0/8, 192.168.1.1 fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		peer    string
		xff     []string
		trusted bool
		want    string
	}{
		{"NoProxyConfigured", "203.0.113.7:5000", []string{"198.51.100.1"}, false, "203.0.113.7"},
		{"UntrustedPeerIgnoresHeader", "203.0.113.7:5000", []string{"198.51.100.1"}, true, "203.0.113.7"},
		{"TrustedPeerNoHeader", "10.1.2.3:5000", nil, true, "10.1.2.3"},
		{"TrustedPeer", "10.1.2.3:5000", []string{"198.51.100.1"}, true, "198.51.100.1"},
		{"RightMostUntrusted", "10.1.2.3:5000", []string{"1.1.1.1, 198.51.100.1, 10.9.9.9"}, true, "198.51.100.1"},
		{"SpoofedLeftEntriesIgnored", "10.1.2.3:5000", []string{"10.5.5.5", "198.51.100.1"}, true, "198.51.100.1"},
		{"AllTrusted", "10.1.2.3:5000", []string{"192.168.1.1, 10.9.9.9"}, true, "192.168.1.1"},
		{"MalformedStopsAtLastTrusted", "10.1.2.3:5000", []string{"198.51.100.1, junk"}, true, "10.1.2.3"},
		{"IPv6", "[fd00::1]:443", []string{"2001:db8::5"}, true, "2001:db8::5"},
		{"MappedIPv4Peer", "[::ffff:10.1.2.3]:443", []string{"198.51.100.9"}, true, "198.51.100.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/graphql", nil)
			r.RemoteAddr = tt.peer
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			var list []netip.Prefix
			if tt.trusted {
				list = trusted
			}
			if got := graph.ClientAddr(r, list); got.String() != tt.want {
				t.Errorf("ClientAddr = %s, want %s", got, tt.want)
			}
		})
	}
}
