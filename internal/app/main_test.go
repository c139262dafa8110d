package app

import (
	"testing"

	"github.com/invites/invites/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
