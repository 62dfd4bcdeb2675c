package tls_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/nodetls/nodetls/tls"
	"github.com/stretchr/testify/require"
)

// TestCiphersLikeNode compares tls.Ciphers with the local node's
// tls.getCiphers() (testdata/node/ciphers.json).
func TestCiphersLikeNode(t *testing.T) {
	b, err := os.ReadFile("testdata/node/ciphers.json")
	require.NoError(t, err)
	var golden struct{ Ciphers []string }
	require.NoError(t, json.Unmarshal(b, &golden))
	got := tls.Ciphers()
	require.Equal(t, golden.Ciphers, got)
	got[0] = "changed"
	require.NotEqual(t, "changed", tls.Ciphers()[0], "each call returns a fresh copy")
}
