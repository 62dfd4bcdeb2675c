package tls_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/nodetls/nodetls/ossl"
	"github.com/nodetls/nodetls/tls"
	"github.com/stretchr/testify/require"
)

// TestLeakConnections: a thousand handshakes and closes, on both sides,
// leave no C object behind.
func TestLeakConnections(t *testing.T) {
	n := 1000
	if testing.Short() || raceEnabled {
		n = 100
	}
	sc, err := tls.CreateSecureContext(keyCert(t, "localhost"))
	require.NoError(t, err)
	srv := echoServer(t, tls.ServerOptions{SecureContext: sc})
	client, err := tls.CreateSecureContext(tls.SecureContextOptions{CA: caOpts(t, "ca1-cert.pem")})
	require.NoError(t, err)
	runtime.GC()
	before := ossl.Live()
	for i := 0; i < n; i++ {
		c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, ServerName: "localhost", SecureContext: client})
		require.NoError(t, err)
		roundTrip(t, c, "x")
		require.NoError(t, c.Close())
	}
	// Failing handshakes too: a client that does not trust the server.
	for i := 0; i < n/10; i++ {
		_, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port})
		require.Error(t, err)
	}
	waitConnections(t, srv)
	deadline := time.Now().Add(5 * time.Second)
	for ossl.Live() > before && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	require.LessOrEqual(t, ossl.Live(), before, "live C objects after %d connections", n)
	require.Zero(t, ossl.Leaked())
	require.NoError(t, sc.Close())
	require.NoError(t, client.Close())
}
