package bridge_test

import (
	"bytes"
	"context"
	"crypto/rand"
	gotls "crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nodetls/nodetls/bridge"
	"github.com/nodetls/nodetls/internal/testpki"
	"github.com/nodetls/nodetls/ossl"
	"github.com/stretchr/testify/require"
)

// serverCtx is an ossl context serving the localhost fixture.
func serverCtx(t *testing.T) *ossl.Ctx {
	t.Helper()
	ctx, err := ossl.NewCtx(ossl.MethodTLS)
	require.NoError(t, err)
	t.Cleanup(ctx.Free)
	require.NoError(t, ctx.UseCertificateChain(testpki.Read(t, "localhost-cert.pem")))
	require.NoError(t, ctx.UsePrivateKey(testpki.Read(t, "localhost-key.pem"), "", false))
	return ctx
}

func goClientConfig(t *testing.T) *gotls.Config {
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(testpki.Read(t, "ca1-cert.pem")))
	return &gotls.Config{RootCAs: pool, ServerName: "localhost"}
}

type pipeMaker func(t *testing.T) (net.Conn, net.Conn)

func tcpPipe(t *testing.T) (net.Conn, net.Conn) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	ch := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		ch <- c
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	require.NoError(t, err)
	s := <-ch
	require.NotNil(t, s)
	return s, c
}

func memPipe(t *testing.T) (net.Conn, net.Conn) { return net.Pipe() }

var pipes = map[string]pipeMaker{"tcp": tcpPipe, "pipe": memPipe}

// TestEchoAgainstCryptoTLS runs our server engine against a crypto/tls
// client: handshake, a 1 MiB echo with concurrent Read and Write, and a
// close_notify that reads as io.EOF on both sides.
func TestEchoAgainstCryptoTLS(t *testing.T) {
	for name, mk := range pipes {
		t.Run(name, func(t *testing.T) {
			ctx := serverCtx(t)
			sc, cc := mk(t)
			ssl, err := ossl.NewSSL(ctx, true)
			require.NoError(t, err)
			srv := bridge.New(sc, ssl, bridge.Hooks{})
			defer srv.Close()

			var wg sync.WaitGroup
			wg.Add(1)
			go func() { // echo server
				defer wg.Done()
				buf := make([]byte, 20000)
				for {
					n, err := srv.Read(buf)
					if n > 0 {
						if _, werr := srv.Write(buf[:n]); werr != nil {
							t.Errorf("server write: %v", werr)
							return
						}
					}
					if err != nil {
						if !errors.Is(err, io.EOF) {
							t.Errorf("server read: %v", err)
						}
						srv.CloseWrite()
						return
					}
				}
			}()

			cli := gotls.Client(cc, goClientConfig(t))
			require.NoError(t, cli.Handshake())
			data := make([]byte, 1<<20)
			rand.Read(data)
			go func() {
				cli.Write(data)
				cli.CloseWrite()
			}()
			got, err := io.ReadAll(cli)
			require.NoError(t, err)
			require.True(t, bytes.Equal(data, got), "echo mismatch: %d bytes", len(got))
			wg.Wait()
			cli.Close()
		})
	}
}

func TestClientAgainstCryptoTLSServer(t *testing.T) {
	cert, err := gotls.X509KeyPair(testpki.Read(t, "localhost-cert.pem"), testpki.Read(t, "localhost-key.pem"))
	require.NoError(t, err)
	sc, cc := tcpPipe(t)
	go func() {
		s := gotls.Server(sc, &gotls.Config{Certificates: []gotls.Certificate{cert}})
		io.Copy(s, s)
		s.Close()
	}()
	ctx, err := ossl.NewCtx(ossl.MethodTLS)
	require.NoError(t, err)
	defer ctx.Free()
	ssl, err := ossl.NewSSL(ctx, false)
	require.NoError(t, err)
	c := bridge.New(cc, ssl, bridge.Hooks{})
	require.NoError(t, c.Handshake(context.Background()))
	var version string
	c.WithSSL(func(s *ossl.SSL) { version = s.Version() })
	require.Equal(t, "TLSv1.3", version)
	_, err = c.Write([]byte("hello"))
	require.NoError(t, err)
	buf := make([]byte, 5)
	_, err = io.ReadFull(c, buf)
	require.NoError(t, err)
	require.Equal(t, "hello", string(buf))
	require.NoError(t, c.Close())
	_, err = c.Read(buf)
	require.Error(t, err)
}

func TestReadDeadline(t *testing.T) {
	cert, err := gotls.X509KeyPair(testpki.Read(t, "localhost-cert.pem"), testpki.Read(t, "localhost-key.pem"))
	require.NoError(t, err)
	sc, cc := tcpPipe(t)
	done := make(chan struct{})
	go func() {
		s := gotls.Server(sc, &gotls.Config{Certificates: []gotls.Certificate{cert}})
		s.Handshake()
		<-done
		s.Write([]byte("late"))
		s.Close()
	}()
	ctx, err := ossl.NewCtx(ossl.MethodTLS)
	require.NoError(t, err)
	defer ctx.Free()
	ssl, err := ossl.NewSSL(ctx, false)
	require.NoError(t, err)
	c := bridge.New(cc, ssl, bridge.Hooks{})
	defer c.Close()
	require.NoError(t, c.Handshake(context.Background()))
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	buf := make([]byte, 10)
	_, err = c.Read(buf)
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	var ne net.Error
	require.True(t, errors.As(err, &ne) && ne.Timeout())
	// A read timeout is retryable.
	c.SetReadDeadline(time.Time{})
	close(done)
	n, err := c.Read(buf)
	require.NoError(t, err)
	require.Equal(t, "late", string(buf[:n]))
	_, err = c.Read(buf)
	require.ErrorIs(t, err, io.EOF)
}

// TestReadSizesOverBursts has a crypto/tls client send 3 MiB in writes of
// up to 256 KiB, so one network read holds many records, while our server
// reads with buffers from 1 byte to 300 KiB: a read that fills its buffer
// leaves the rest of the network read to the next one, and every byte
// arrives once and in order. A concurrent Write (a small reply per read)
// runs beside the reads.
func TestReadSizesOverBursts(t *testing.T) {
	for _, size := range []int{1, 100, 16383, 16384, 40000, 65536, 300 << 10} {
		t.Run("", func(t *testing.T) {
			ctx := serverCtx(t)
			sc, cc := tcpPipe(t)
			ssl, err := ossl.NewSSL(ctx, true)
			require.NoError(t, err)
			srv := bridge.New(sc, ssl, bridge.Hooks{})
			defer srv.Close()
			total := 3 << 20
			if size < 1000 {
				total = 16 << 10
			}
			want := make([]byte, total)
			rand.Read(want)
			cli := gotls.Client(cc, goClientConfig(t))
			defer cli.Close()
			errc := make(chan error, 2)
			go func() {
				rest := want
				for k := 0; len(rest) > 0; k++ {
					n := min(len(rest), 1+(k*77777)%(256<<10))
					if _, err := cli.Write(rest[:n]); err != nil {
						errc <- err
						return
					}
					rest = rest[n:]
				}
				errc <- cli.CloseWrite()
			}()
			go func() { _, err := io.Copy(io.Discard, cli); errc <- err }()
			got := make([]byte, 0, total)
			buf := make([]byte, size)
			for {
				n, err := srv.Read(buf)
				got = append(got, buf[:n]...)
				if n > 0 {
					_, werr := srv.Write([]byte("k"))
					require.NoError(t, werr)
				}
				if err == io.EOF {
					break
				}
				require.NoError(t, err)
				require.LessOrEqual(t, n, size)
			}
			require.True(t, bytes.Equal(want, got), "read %d bytes, want %d", len(got), total)
			require.NoError(t, <-errc)
			srv.Close()
			require.NoError(t, <-errc)
		})
	}
}

// blockedServer returns our server engine and a crypto/tls client that
// finished the handshake and does not read.
func blockedServer(t *testing.T) (*bridge.Conn, *gotls.Conn) {
	t.Helper()
	ctx := serverCtx(t)
	sc, cc := tcpPipe(t)
	ssl, err := ossl.NewSSL(ctx, true)
	require.NoError(t, err)
	srv := bridge.New(sc, ssl, bridge.Hooks{})
	cli := gotls.Client(cc, goClientConfig(t))
	hs := make(chan error, 1)
	go func() { hs <- cli.Handshake() }()
	require.NoError(t, srv.Handshake(context.Background()))
	require.NoError(t, <-hs)
	return srv, cli
}

// TestCloseFreesBlockedWrite: Close from another goroutine ends a Write
// that a peer which stopped reading left blocked (after closeNotifyTimeout
// at most), and Close itself returns.
func TestCloseFreesBlockedWrite(t *testing.T) {
	t.Parallel()
	srv, cli := blockedServer(t)
	defer cli.Close()
	werr := make(chan error, 1)
	go func() {
		_, err := srv.Write(make([]byte, 64<<20))
		werr <- err
	}()
	time.Sleep(300 * time.Millisecond) // the socket buffers fill up
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(15 * time.Second):
		t.Fatal("Close stayed blocked behind the Write")
	}
	require.Error(t, <-werr)
}

// TestWriteCountsWhatLeft: a Write that a deadline ends reports at most
// the plaintext whose records left in full; the peer, reading afterwards,
// gets at least that many bytes.
func TestWriteCountsWhatLeft(t *testing.T) {
	srv, cli := blockedServer(t)
	defer cli.Close()
	srv.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
	n, err := srv.Write(make([]byte, 64<<20))
	require.Error(t, err)
	require.True(t, errors.Is(err, os.ErrDeadlineExceeded), "%v", err)
	require.Less(t, n, 64<<20)
	got := make(chan int64, 1)
	go func() {
		cli.SetReadDeadline(time.Now().Add(10 * time.Second))
		m, _ := io.Copy(io.Discard, cli)
		got <- m
	}()
	time.Sleep(200 * time.Millisecond)
	srv.Abort()
	require.GreaterOrEqual(t, <-got, int64(n), "Write reported %d bytes", n)
}
