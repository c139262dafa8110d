package graph

import (
	"context"

	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/live"
)

// StartFanOut has r's hub deliver through r's fan-out, as NewHandler does.
func StartFanOut(r *Resolver) { r.Live.Hub.SetFanout(r.fanOut) }

// SubscribeInvites is inviteChanged(projectId: project) for the holder of token, as a
// transport runs it: its channel, and its close reason once it ends.
func SubscribeInvites(ctx context.Context, r *Resolver, token, project string) (<-chan *invites.Invite, func() string, error) {
	ctx = context.WithValue(ctx, authKey{}, &auth{token: token})
	ctx, end := withStreamHook(ctx)
	ch, err := watch(ctx, r, project, live.KindInvite, r.Service.WatchedInvites)
	return ch, end.Reason, err
}

// LiveBuffer is how many items a subscriber may fall behind before it is dropped.
const LiveBuffer = liveBuffer
