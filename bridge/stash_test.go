package bridge

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nodetls/nodetls/internal/testpki"
	"github.com/nodetls/nodetls/ossl"
	"github.com/stretchr/testify/require"
)

const tls12 = 0x0303

// TestRenegotiateStashIsBounded: while a server's Renegotiate reads for
// itself (no Read active), a client that streams data and does not answer
// the HelloRequest gets backpressure once the stash holds stashLimit
// bytes: the stash stays bounded and the client's writes stall. When the
// applications read again, the renegotiation completes and every byte
// arrives once, in order.
func TestRenegotiateStashIsBounded(t *testing.T) {
	sctx, err := ossl.NewCtx(ossl.MethodTLS)
	require.NoError(t, err)
	defer sctx.Free()
	require.NoError(t, sctx.UseCertificateChain(testpki.Read(t, "localhost-cert.pem")))
	require.NoError(t, sctx.UsePrivateKey(testpki.Read(t, "localhost-key.pem"), "", false))
	require.NoError(t, sctx.SetProtoVersions(tls12, tls12))
	cctx, err := ossl.NewCtx(ossl.MethodTLS)
	require.NoError(t, err)
	defer cctx.Free()

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	cc, err := net.Dial("tcp", l.Addr().String())
	require.NoError(t, err)
	sc, err := l.Accept()
	require.NoError(t, err)
	sssl, err := ossl.NewSSL(sctx, true)
	require.NoError(t, err)
	cssl, err := ossl.NewSSL(cctx, false)
	require.NoError(t, err)
	srv, cli := New(sc, sssl, Hooks{}), New(cc, cssl, Hooks{})
	defer srv.Close()
	defer cli.Close()
	hs := make(chan error, 1)
	go func() { hs <- cli.Handshake(context.Background()) }()
	require.NoError(t, srv.Handshake(context.Background()))
	require.NoError(t, <-hs)

	// More than the stash plus both sockets' buffers can hold.
	want := make([]byte, 48<<20)
	rand.Read(want)
	var sent atomic.Int64
	wdone := make(chan error, 1)
	go func() {
		for off := 0; off < len(want); off += 64 << 10 {
			if _, err := cli.Write(want[off : off+64<<10]); err != nil {
				wdone <- err
				return
			}
			sent.Add(64 << 10)
		}
		wdone <- cli.CloseWrite()
	}()
	time.Sleep(50 * time.Millisecond) // the client is streaming
	reneg := make(chan error, 1)
	go func() { reneg <- srv.Renegotiate(context.Background()) }()

	// Wait until the client's writes stall.
	var last int64 = -1
	for i := 0; i < 100; i++ {
		time.Sleep(100 * time.Millisecond)
		if n := sent.Load(); n == last {
			break
		} else {
			last = n
		}
	}
	require.Less(t, last, int64(len(want)), "the client's writes never stalled")
	srv.inMu.Lock()
	stashed := len(srv.stash)
	srv.inMu.Unlock()
	require.LessOrEqual(t, stashed, stashLimit+inSize+recordSize, "stash")
	select {
	case err := <-reneg:
		t.Fatalf("Renegotiate returned %v before the client answered", err)
	default:
	}

	// Both applications read again: the client answers, Renegotiate
	// returns, and nothing was lost or reordered.
	go io.Copy(io.Discard, cli)
	got := make([]byte, 0, len(want))
	buf := make([]byte, 100<<10)
	for {
		n, err := srv.Read(buf)
		got = append(got, buf[:n]...)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
	}
	require.NoError(t, <-reneg)
	require.NoError(t, <-wdone)
	require.True(t, bytes.Equal(want, got), "server read %d bytes, want %d", len(got), len(want))
}
