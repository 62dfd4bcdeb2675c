package tls_test

import (
	"errors"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/nodetls/nodetls/internal/testpki"
	"github.com/nodetls/nodetls/tls"
	"github.com/stretchr/testify/require"
)

// keyCert returns SecureContextOptions serving the role's key and cert.
func keyCert(t testing.TB, role string) tls.SecureContextOptions {
	return tls.SecureContextOptions{
		Key:  []tls.KeyPEM{{PEM: testpki.Read(t, role+"-key.pem")}},
		Cert: [][]byte{testpki.Read(t, role+"-cert.pem")},
	}
}

func caOpts(t testing.TB, names ...string) [][]byte {
	var out [][]byte
	for _, n := range names {
		out = append(out, testpki.Read(t, n))
	}
	return out
}

// echoServer starts a server on 127.0.0.1 that echoes until EOF, then
// half-closes and closes. It stops with the test.
func echoServer(t testing.TB, opts tls.ServerOptions) *tls.Server {
	t.Helper()
	srv, err := tls.CreateServer(opts, func(s *tls.TLSSocket) {
		go func() {
			defer s.Close()
			io.Copy(s, s)
			s.CloseWrite()
		}()
	})
	require.NoError(t, err)
	require.NoError(t, srv.Listen(0, "127.0.0.1"))
	t.Cleanup(func() {
		srv.Close()
		waitConnections(t, srv)
	})
	return srv
}

func waitConnections(t testing.TB, srv *tls.Server) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for srv.Connections() != 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := srv.Connections(); n != 0 {
		t.Errorf("%d connections still open 30 s after the server closed", n)
	}
}

// roundTrip writes msg and reads the same number of bytes back.
func roundTrip(t testing.TB, c net.Conn, msg string) {
	t.Helper()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	_, err := c.Write([]byte(msg))
	require.NoError(t, err)
	buf := make([]byte, len(msg))
	_, err = io.ReadFull(c, buf)
	require.NoError(t, err)
	require.Equal(t, msg, string(buf))
	c.SetDeadline(time.Time{})
}

// listenConnect starts srv on 127.0.0.1 and connects our client to it
// without verifying the server; both close when the test ends.
func listenConnect(t testing.TB, srv *tls.Server) *tls.TLSSocket {
	t.Helper()
	require.NoError(t, srv.Listen(0, "127.0.0.1"))
	t.Cleanup(func() { srv.Close() })
	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false)})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

func tlsCode(err error) string {
	var e *tls.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func fmtInt(i int) string { return strconv.Itoa(i) }
