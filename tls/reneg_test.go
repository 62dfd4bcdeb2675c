package tls_test

import (
	"io"
	"strconv"
	"strings"
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
		// One command a read: s_client drops the rest of a chunk that
		// starts with R. Wait for its RENEGOTIATING (on stderr) before the
		// next line, and resend the ping if a slow s_client merged them.
		io.WriteString(p.Stdin(), "R\n")
		require.True(t, waitFor(func() bool { return strings.Count(p.Stderr(), "RENEGOTIATING") > i }, 10*time.Second),
			"s_client did not renegotiate")
		ping := "ping" + strconv.Itoa(i)
		echoed := false
		for try := 0; try < 5 && !echoed; try++ {
			io.WriteString(p.Stdin(), ping+"\n")
			echoed = waitFor(func() bool { return strings.Contains(p.Output(), ping) }, 2*time.Second)
		}
		require.True(t, echoed, "no echo of %s after renegotiation %d", ping, i+1)
	}
	return p
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(cond func() bool, timeout time.Duration) bool {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
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
