package tls_test

import (
	"testing"

	"github.com/nodetls/nodetls/internal/leakcheck"
)

// TestMain fails the run when a test leaves goroutines behind or an SSL
// object was freed by the garbage collector instead of Close.
func TestMain(m *testing.M) { leakcheck.Main(m) }
