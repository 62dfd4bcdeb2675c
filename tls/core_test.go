package tls_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/nodetls/nodetls/tls"
	"github.com/stretchr/testify/require"
)

func TestConnectToOwnServer(t *testing.T) {
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")})
	c, err := tls.Connect(tls.ConnectOptions{
		Host: "127.0.0.1", Port: srv.Address().Port,
		SecureContextOptions: tls.SecureContextOptions{CA: caOpts(t, "ca1-cert.pem")},
	})
	require.NoError(t, err)
	defer c.Close()
	require.True(t, c.Authorized())
	require.NoError(t, c.AuthorizationError())
	require.Equal(t, "TLSv1.3", c.Protocol())
	require.Equal(t, tls.CipherInfo{Name: "TLS_AES_256_GCM_SHA384", Version: "TLSv1.3"}, c.Cipher())
	require.Equal(t, &tls.EphemeralKeyInfo{Type: "ECDH", Name: "prime256v1", Size: 256}, c.EphemeralKeyInfo())
	require.Equal(t, "", c.ServerName())
	roundTrip(t, c, "hello")
	require.Equal(t, "localhost", c.PeerCertificate(false).Subject["CN"])
	require.Equal(t, 1, srv.Connections())
	require.NoError(t, c.Close())
	require.Equal(t, "", c.Protocol())
}

func TestProtocolUnknownBeforeHandshake(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close()
	s, err := tls.NewTLSSocket(a, tls.TLSSocketOptions{})
	require.NoError(t, err)
	require.Equal(t, "unknown", s.Protocol())
	require.NoError(t, s.Close())
}

func TestSelfSignedRejected(t *testing.T) {
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "agent2")})
	_, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port})
	require.Error(t, err)
	require.Equal(t, "DEPTH_ZERO_SELF_SIGNED_CERT", tlsCode(err))
	require.Equal(t, "self-signed certificate", err.Error())

	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false)})
	require.NoError(t, err)
	defer c.Close()
	require.False(t, c.Authorized())
	require.Equal(t, "DEPTH_ZERO_SELF_SIGNED_CERT", tlsCode(c.AuthorizationError()))
	roundTrip(t, c, "still works")
}

func TestLeafWithoutTrust(t *testing.T) {
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "agent1")})
	_, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port})
	require.Equal(t, "UNABLE_TO_VERIFY_LEAF_SIGNATURE", tlsCode(err))
	require.Equal(t, "unable to verify the first certificate", err.Error())
}

func TestHostnameMismatch(t *testing.T) {
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "agent1")})
	_, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, ServerName: "localhost",
		SecureContextOptions: tls.SecureContextOptions{CA: caOpts(t, "ca1-cert.pem")}})
	require.Equal(t, "ERR_TLS_CERT_ALTNAME_INVALID", tlsCode(err))
	var te *tls.Error
	require.ErrorAs(t, err, &te)
	require.Equal(t, "Host: localhost. is not cert's CN: agent1", te.Reason)
	require.Equal(t, "localhost", te.Host)
}

func TestHandshakeTimeout(t *testing.T) {
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost"), HandshakeTimeout: 100 * time.Millisecond})
	errs := make(chan error, 1)
	srv.OnTLSClientError(func(err error, s *tls.TLSSocket) { errs <- err })
	raw, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", itoa(srv.Address().Port)))
	require.NoError(t, err)
	defer raw.Close()
	select {
	case err := <-errs:
		require.Equal(t, "ERR_TLS_HANDSHAKE_TIMEOUT", tlsCode(err))
		require.Equal(t, "TLS handshake timeout", err.Error())
	case <-time.After(30 * time.Second):
		t.Fatal("no tlsClientError")
	}
	waitConnections(t, srv)
	require.Equal(t, 0, srv.Connections())
}

func TestGarbageClient(t *testing.T) {
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")})
	errs := make(chan error, 1)
	srv.OnTLSClientError(func(err error, s *tls.TLSSocket) { errs <- err })
	raw, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", itoa(srv.Address().Port)))
	require.NoError(t, err)
	defer raw.Close()
	raw.Write(make([]byte, 1024))
	select {
	case err := <-errs:
		require.Contains(t, []string{"ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_UNKNOWN_PROTOCOL"}, tlsCode(err))
	case <-time.After(30 * time.Second):
		t.Fatal("no tlsClientError")
	}
}

func TestShutdownWaitsForConnections(t *testing.T) {
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")})
	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false)})
	require.NoError(t, err)
	var wg sync.WaitGroup
	wg.Add(1)
	var serr error
	go func() {
		defer wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		serr = srv.Shutdown(ctx)
	}()
	time.Sleep(50 * time.Millisecond)
	c.Close()
	wg.Wait()
	require.NoError(t, serr)
	require.Equal(t, 0, srv.Connections())
}

func itoa(i int) string { return fmtInt(i) }
