package cipherlist_test

import (
	"testing"

	"github.com/nodetls/nodetls/internal/leakcheck"
)

// Every context Check, Resolve and Ciphers create must be freed explicitly.
func TestMain(m *testing.M) { leakcheck.Main(m) }
