package tls_test

import (
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/nodetls/nodetls/internal/peers"
	"github.com/nodetls/nodetls/tls"
	"github.com/stretchr/testify/require"
)

// renegServer serves one connection with fn applied to it and reports the
// error that ended its reads.
func renegServer(t *testing.T, fn func(*tls.TLSSocket)) (port int, errs chan error) {
	errs = make(chan error, 1)
	srv, err := tls.CreateServer(tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")}, func(s *tls.TLSSocket) {
		defer s.Close()
		fn(s)
		_, err := io.Copy(s, s)
		errs <- err
	})
	require.NoError(t, err)
	require.NoError(t, srv.Listen(0, "127.0.0.1"))
	t.Cleanup(func() { srv.Close() })
	return srv.Address().Port, errs
}

// renegotiate has openssl s_client (TLS 1.2) renegotiate n times ("R" at
// the start of a line), echoing a line after each.
func renegotiate(t *testing.T, port, n int) *peers.Process {
	p := peers.StartProcess(t, "openssl", "s_client", "-connect", "127.0.0.1:"+strconv.Itoa(port), "-tls1_2", "-no_ign_eof")
	p.WaitForLine(t, "Verify return code", 10*time.Second)
	for i := 0; i < n; i++ {
		// One command a read: s_client drops the rest of a line's chunk.
		io.WriteString(p.Stdin(), "R\n")
		// s_client says RENEGOTIATING on stderr; give it its own read.
		time.Sleep(300 * time.Millisecond)
		ping := "ping" + strconv.Itoa(i)
		io.WriteString(p.Stdin(), ping+"\n")
		p.WaitForLine(t, ping, 10*time.Second)
	}
	return p
}

// TestClientRenegotiationLimit: a client may renegotiate ClientRenegLimit
// times within ClientRenegWindow; one more is ERR_TLS_SESSION_ATTACK,
// which ends the connection (Node's onhandshakestart).
func TestClientRenegotiationLimit(t *testing.T) {
	peers.Require(t, "openssl")
	port, errs := renegServer(t, func(*tls.TLSSocket) {})
	p := renegotiate(t, port, 3) // three renegotiations are fine
	io.WriteString(p.Stdin(), "R\n")
	select {
	case err := <-errs:
		require.Equal(t, "ERR_TLS_SESSION_ATTACK", tlsCode(err))
		require.Equal(t, "TLS session renegotiation attack detected", err.Error())
	case <-time.After(10 * time.Second):
		t.Fatal("the fourth renegotiation was accepted")
	}
}

// TestDisableRenegotiation: after DisableRenegotiation the first
// renegotiation is ERR_TLS_RENEGOTIATION_DISABLED.
func TestDisableRenegotiation(t *testing.T) {
	peers.Require(t, "openssl")
	port, errs := renegServer(t, func(s *tls.TLSSocket) { s.DisableRenegotiation() })
	p := peers.StartProcess(t, "openssl", "s_client", "-connect", "127.0.0.1:"+strconv.Itoa(port), "-tls1_2", "-no_ign_eof")
	p.WaitForLine(t, "Verify return code", 10*time.Second)
	io.WriteString(p.Stdin(), "R\n")
	select {
	case err := <-errs:
		require.Equal(t, "ERR_TLS_RENEGOTIATION_DISABLED", tlsCode(err))
		require.Equal(t, "TLS session renegotiation disabled for this socket", err.Error())
	case <-time.After(10 * time.Second):
		t.Fatal("the renegotiation was accepted")
	}
}
