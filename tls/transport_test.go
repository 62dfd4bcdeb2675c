package tls_test

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nodetls/nodetls/internal/peers"
	"github.com/nodetls/nodetls/tls"
	"github.com/stretchr/testify/require"
)

// TestUnixSocketPath: Connect with Path over a Unix socket; address
// getters are empty there.
func TestUnixSocketPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tls.sock")
	l, err := net.Listen("unix", path)
	require.NoError(t, err)
	srv, err := tls.CreateServer(tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")}, func(s *tls.TLSSocket) {
		defer s.Close()
		io.Copy(s, s)
	})
	require.NoError(t, err)
	go srv.Serve(l)
	defer srv.Close()
	c, err := tls.Connect(tls.ConnectOptions{Path: path, ServerName: "localhost",
		SecureContextOptions: tls.SecureContextOptions{CA: caOpts(t, "ca1-cert.pem")}})
	require.NoError(t, err)
	defer c.Close()
	require.True(t, c.Authorized())
	require.Equal(t, "", c.RemoteAddress())
	require.Equal(t, 0, c.LocalPort())
	roundTrip(t, c, "over unix")
}

// TestSocketOption: Connect over a caller's connection, which a failing
// Connect leaves open.
func TestSocketOption(t *testing.T) {
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "agent2")})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(srv.Address().Port))
	raw, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer raw.Close()
	_, err = tls.Connect(tls.ConnectOptions{Socket: raw})
	require.Equal(t, "DEPTH_ZERO_SELF_SIGNED_CERT", tlsCode(err))
	// The transport is still ours: writing to it works (the server sees garbage).
	_, err = raw.Write([]byte{0})
	require.NoError(t, err)

	raw2, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	c, err := tls.Connect(tls.ConnectOptions{Socket: raw2, RejectUnauthorized: tls.Bool(false)})
	require.NoError(t, err)
	roundTrip(t, c, "borrowed")
	require.Equal(t, raw2, c.NetConn())
	c.Close()
}

// TestLookup: addresses from Lookup are tried in order.
func TestLookup(t *testing.T) {
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")})
	var asked string
	c, err := tls.Connect(tls.ConnectOptions{Host: "example.invalid", Port: srv.Address().Port, ServerName: "localhost",
		Lookup: func(ctx context.Context, host string) ([]string, error) {
			asked = host
			return []string{"127.0.0.2", "127.0.0.1"}, nil
		},
		SecureContextOptions: tls.SecureContextOptions{CA: caOpts(t, "ca1-cert.pem")}})
	// 127.0.0.2 may or may not be bound by the server (it listens on 127.0.0.1 only).
	require.NoError(t, err)
	require.Equal(t, "example.invalid", asked)
	require.Equal(t, "127.0.0.1", c.RemoteAddress())
	c.Close()

	_, err = tls.Connect(tls.ConnectOptions{Host: "nowhere.invalid", Port: 1,
		Lookup: func(ctx context.Context, host string) ([]string, error) { return nil, errors.New("no") }})
	require.Equal(t, "ENOTFOUND", tlsCode(err))
}

func TestConnectionRefused(t *testing.T) {
	port := peers.RefusedPort(t)
	_, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: port})
	require.Equal(t, "ECONNREFUSED", tlsCode(err))
	require.Equal(t, "connect ECONNREFUSED 127.0.0.1:"+strconv.Itoa(port), err.Error())
}

// TestPeerClosesBeforeHandshake: both sides report ECONNRESET with Node's
// messages when the transport ends before the handshake completes.
func TestPeerClosesBeforeHandshake(t *testing.T) {
	// Client side: a plain TCP server that closes at once.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err == nil {
			c.Close()
		}
	}()
	_, err = tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port})
	require.Equal(t, "ECONNRESET", tlsCode(err))
	require.Equal(t, "Client network socket disconnected before secure TLS connection was established", err.Error())

	// Server side: a raw client that sends FIN at once.
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")})
	errs := make(chan error, 1)
	srv.OnTLSClientError(func(err error, s *tls.TLSSocket) { errs <- err })
	raw, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(srv.Address().Port)))
	require.NoError(t, err)
	raw.Close()
	select {
	case err := <-errs:
		require.Equal(t, "ECONNRESET", tlsCode(err))
		require.Equal(t, "socket hang up", err.Error())
	case <-time.After(30 * time.Second):
		t.Fatal("no tlsClientError")
	}
}

// TestCloseNotifyAndHalfClose: CloseWrite sends close_notify, the peer
// reads io.EOF and can still answer; Close ends both.
func TestCloseNotifyAndHalfClose(t *testing.T) {
	got := make(chan string, 1)
	srv, err := tls.CreateServer(tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")}, func(s *tls.TLSSocket) {
		defer s.Close()
		b, err := io.ReadAll(s)
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		got <- string(b)
		s.Write([]byte("after your EOF"))
	})
	require.NoError(t, err)
	require.NoError(t, srv.Listen(0, "127.0.0.1"))
	defer srv.Close()
	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false)})
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte("request"))
	require.NoError(t, err)
	require.NoError(t, c.CloseWrite())
	require.Equal(t, "request", <-got)
	rest, err := io.ReadAll(c)
	require.NoError(t, err)
	require.Equal(t, "after your EOF", string(rest))
	_, err = c.Write([]byte("x"))
	require.Error(t, err)
}

// TestTransportEOFAtRecordBoundary: after the handshake, a transport EOF
// without close_notify reads as io.EOF; inside a record it is ECONNRESET.
func TestTransportEOFAtRecordBoundary(t *testing.T) {
	srv, err := tls.CreateServer(tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")}, func(s *tls.TLSSocket) {
		s.Write([]byte("bye"))
		s.NetConn().Close() // no close_notify
		s.Close()
	})
	require.NoError(t, err)
	require.NoError(t, srv.Listen(0, "127.0.0.1"))
	defer srv.Close()
	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false)})
	require.NoError(t, err)
	defer c.Close()
	b, err := io.ReadAll(c)
	require.NoError(t, err) // io.ReadAll turns io.EOF into nil
	require.Equal(t, "bye", string(b))

}

// TestReadDeadlineOnSocket: deadlines map to os.ErrDeadlineExceeded and a
// timed-out read can be retried.
func TestReadDeadlineOnSocket(t *testing.T) {
	release := make(chan struct{})
	srv, err := tls.CreateServer(tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")}, func(s *tls.TLSSocket) {
		defer s.Close()
		<-release
		s.Write([]byte("late"))
	})
	require.NoError(t, err)
	require.NoError(t, srv.Listen(0, "127.0.0.1"))
	defer srv.Close()
	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false)})
	require.NoError(t, err)
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
	buf := make([]byte, 4)
	_, err = c.Read(buf)
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	var ne net.Error
	require.True(t, errors.As(err, &ne) && ne.Timeout())
	c.SetReadDeadline(time.Time{})
	close(release)
	_, err = io.ReadFull(c, buf)
	require.NoError(t, err)
	require.Equal(t, "late", string(buf))
}

// TestConcurrentReadWriteClose hammers one socket from three goroutines.
func TestConcurrentReadWriteClose(t *testing.T) {
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")})
	for i := 0; i < 5; i++ {
		c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false)})
		require.NoError(t, err)
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1000)
			for {
				if _, err := c.Read(buf); err != nil {
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			msg := make([]byte, 5000)
			for j := 0; j < 200; j++ {
				if _, err := c.Write(msg); err != nil {
					return
				}
			}
		}()
		time.Sleep(time.Duration(i) * 5 * time.Millisecond)
		c.Close()
		wg.Wait()
	}
}

// TestFatalAlertOnEstablishedConnection: garbage after the handshake is a
// TLS failure that comes back from Read as a *tls.Error and closes the
// socket.
func TestFatalAlertOnEstablishedConnection(t *testing.T) {
	result := make(chan error, 1)
	srv, err := tls.CreateServer(tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")}, func(s *tls.TLSSocket) {
		_, err := s.Read(make([]byte, 10))
		result <- err
	})
	require.NoError(t, err)
	require.NoError(t, srv.Listen(0, "127.0.0.1"))
	defer srv.Close()
	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false)})
	require.NoError(t, err)
	defer c.Close()
	// Bytes that are not a TLS record, straight on the transport.
	c.NetConn().Write([]byte{0x17, 0x03, 0x03, 0x00, 0x05, 1, 2, 3, 4, 5})
	select {
	case err := <-result:
		var te *tls.Error
		require.ErrorAs(t, err, &te)
		require.Contains(t, te.Code, "ERR_SSL_")
	case <-time.After(30 * time.Second):
		t.Fatal("server read did not fail")
	}
	waitConnections(t, srv)
	require.Equal(t, 0, srv.Connections())
}

// TestContextDoneOnClose: Context is done after Close.
func TestContextDoneOnClose(t *testing.T) {
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")})
	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false)})
	require.NoError(t, err)
	require.NoError(t, c.Context().Err())
	c.Close()
	<-c.Context().Done()
	require.ErrorIs(t, c.Close(), net.ErrClosed)
}

// TestHandshakeContextCancel: cancelling the context ends a handshake
// that a silent server never answers.
func TestHandshakeContextCancel(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	silent := make(chan struct{})
	defer close(silent)
	go func() {
		c, err := l.Accept()
		if err == nil {
			<-silent // until the test ends
			c.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = tls.ConnectContext(ctx, tls.ConnectOptions{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port})
	require.Error(t, err)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 10*time.Second) // the server stays silent until the test ends
}

func TestSetMaxSendFragment(t *testing.T) {
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")})
	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false)})
	require.NoError(t, err)
	defer c.Close()
	for size, want := range map[int]bool{511: false, 512: true, 768: true, 16384: true, 16385: false} {
		require.Equal(t, want, c.SetMaxSendFragment(size), size)
	}
	require.True(t, c.SetMaxSendFragment(512))
	before := c.BytesWritten()
	roundTrip(t, c, string(make([]byte, 4000)))
	// 4000 bytes in 512-byte records: 8 records, each with its framing.
	require.Greater(t, c.BytesWritten()-before, int64(4000+8*17))
}

func TestOptionValidationAndStubs(t *testing.T) {
	_, err := tls.CreateServer(tls.ServerOptions{TicketKeys: make([]byte, 47)}, nil)
	require.Equal(t, "ERR_INVALID_ARG_VALUE", tlsCode(err))
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")})
	require.Equal(t, "ERR_TLS_REQUIRED_SERVER_NAME", tlsCode(srv.AddContext("", tls.SecureContextOptions{})))
}

func TestServerAddressAndListenAll(t *testing.T) {
	srv, err := tls.CreateServer(tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")}, nil)
	require.NoError(t, err)
	require.NoError(t, srv.Listen(0, ""))
	a := srv.Address()
	require.NotZero(t, a.Port)
	require.Contains(t, []string{"::", "0.0.0.0"}, a.Address)
	require.NoError(t, srv.Close())
	require.Equal(t, "ERR_SERVER_NOT_RUNNING", tlsCode(srv.Close()))
}
