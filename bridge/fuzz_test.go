package bridge_test

import (
	"bytes"
	"context"
	gotls "crypto/tls"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/nodetls/nodetls/bridge"
	"github.com/nodetls/nodetls/internal/testpki"
	"github.com/nodetls/nodetls/ossl"
)

// splitConn writes each buffer in pieces whose sizes come from plan, so
// records and handshake messages arrive cut at arbitrary offsets.
type splitConn struct {
	net.Conn
	mu   sync.Mutex
	plan []byte
	i    int
}

func (c *splitConn) Write(b []byte) (int, error) {
	total := 0
	for len(b) > 0 {
		c.mu.Lock()
		n := 1
		if len(c.plan) > 0 {
			n = int(c.plan[c.i%len(c.plan)]) + 1
			c.i++
		}
		c.mu.Unlock()
		n = min(n, len(b))
		w, err := c.Conn.Write(b[:n])
		total += w
		if err != nil {
			return total, err
		}
		b = b[n:]
	}
	return total, nil
}

// echoAll writes back everything srv reads, with reads of up to size
// bytes, until the peer's close_notify (nil) or an error.
func echoAll(srv *bridge.Conn, size int) error {
	buf := make([]byte, size)
	for {
		n, err := srv.Read(buf)
		if n > 0 {
			if _, werr := srv.Write(buf[:n]); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// FuzzEngineFragmentation runs a live handshake and an echo between the
// engine (server) and crypto/tls (client) through a pipe that cuts every
// write at fuzzer-chosen offsets, exercising each WANT_READ path and every
// partial record.
func FuzzEngineFragmentation(f *testing.F) {
	f.Add([]byte{0}, []byte("hello"))
	f.Add([]byte{4, 200, 17, 255, 1}, bytes.Repeat([]byte("x"), 3000))
	f.Add([]byte{}, []byte{0})
	ctx, err := ossl.NewCtx(ossl.MethodTLS)
	if err != nil {
		f.Fatal(err)
	}
	defer ctx.Free()
	if err := ctx.UseCertificateChain(testpki.MustRead("localhost-cert.pem")); err != nil {
		f.Fatal(err)
	}
	if err := ctx.UsePrivateKey(testpki.MustRead("localhost-key.pem"), "", false); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, plan, msg []byte) {
		if len(msg) == 0 || len(msg) > 1<<16 || len(plan) > 64 {
			return
		}
		a, b := net.Pipe()
		deadline := time.Now().Add(10 * time.Second)
		a.SetDeadline(deadline)
		b.SetDeadline(deadline)
		ssl, err := ossl.NewSSL(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		srv := bridge.New(&splitConn{Conn: a, plan: plan}, ssl, bridge.Hooks{})
		done := make(chan error, 1)
		go func() {
			defer srv.Close()
			done <- echoAll(srv, 4096)
		}()
		cli := gotls.Client(&splitConn{Conn: b, plan: append([]byte{3}, plan...)}, &gotls.Config{InsecureSkipVerify: true})
		defer cli.Close()
		go func() {
			cli.Write(msg)
			cli.CloseWrite()
		}()
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(cli, got); err != nil {
			t.Fatalf("client read: %v", err)
		}
		if !bytes.Equal(got, msg) {
			t.Fatal("echo mismatch")
		}
		if err := <-done; err != nil {
			t.Fatalf("server: %v", err)
		}
	})
}

// FuzzRenegotiationFragmentation runs two engines over TLS 1.2 through
// loopback TCP connections that cut every write at fuzzer-chosen offsets: the client sends
// data, renegotiates while the server echoes (the server's reads process
// the handshake), sends more, and must get every byte back in order.
// Which side renegotiates comes from the input too.
//
// While fuzzing, the progress line can show "0/sec" for up to a minute
// after a new interesting input: that is the engine minimizing the input
// (-fuzzminimizetime, 60 s by default), whose runs it does not count, not
// a stalled connection. With -fuzzminimizetime 1s the pauses go away; a
// stalled input fails at its 10 s deadline instead.
func FuzzRenegotiationFragmentation(f *testing.F) {
	f.Add([]byte{0}, []byte("hello"), false)
	f.Add([]byte{4, 200, 17, 255, 1}, bytes.Repeat([]byte("x"), 3000), true)
	f.Add([]byte{}, []byte{0}, true)
	sctx, err := ossl.NewCtx(ossl.MethodTLS)
	if err != nil {
		f.Fatal(err)
	}
	defer sctx.Free()
	if err := sctx.UseCertificateChain(testpki.MustRead("localhost-cert.pem")); err != nil {
		f.Fatal(err)
	}
	if err := sctx.UsePrivateKey(testpki.MustRead("localhost-key.pem"), "", false); err != nil {
		f.Fatal(err)
	}
	if err := sctx.SetProtoVersions(0x0303, 0x0303); err != nil {
		f.Fatal(err)
	}
	cctx, err := ossl.NewCtx(ossl.MethodTLS)
	if err != nil {
		f.Fatal(err)
	}
	defer cctx.Free()
	f.Fuzz(func(t *testing.T, plan, msg []byte, serverStarts bool) {
		if len(msg) == 0 || len(msg) > 4096 || len(plan) > 64 {
			return
		}
		// TCP, not net.Pipe: while one side renegotiates both may write
		// at once, which an unbuffered pipe cannot carry.
		a, b := tcpPipe(t)
		// Room for thousands of one-byte segments: with the default
		// buffers their overhead closes the receive window, and TCP then
		// waits for its zero-window probes (seconds) to go on.
		for _, c := range []net.Conn{a, b} {
			c.(*net.TCPConn).SetReadBuffer(4 << 20)
			c.(*net.TCPConn).SetWriteBuffer(4 << 20)
		}
		deadline := time.Now().Add(10 * time.Second)
		a.SetDeadline(deadline)
		b.SetDeadline(deadline)
		sssl, err := ossl.NewSSL(sctx, true)
		if err != nil {
			t.Fatal(err)
		}
		cssl, err := ossl.NewSSL(cctx, false)
		if err != nil {
			t.Fatal(err)
		}
		srv := bridge.New(&splitConn{Conn: a, plan: plan}, sssl, bridge.Hooks{})
		cli := bridge.New(&splitConn{Conn: b, plan: append([]byte{7}, plan...)}, cssl, bridge.Hooks{})
		defer cli.Close()
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		defer cancel()
		done := make(chan error, 1)
		go func() {
			defer srv.Close()
			if err := srv.Handshake(ctx); err != nil {
				done <- err
				return
			}
			done <- echoAll(srv, 1000)
		}()
		got := make(chan []byte, 1)
		go func() {
			all := make([]byte, 0, 2*len(msg))
			buf := make([]byte, 777)
			for len(all) < 2*len(msg) {
				n, err := cli.Read(buf)
				all = append(all, buf[:n]...)
				if err != nil {
					break
				}
			}
			got <- all
		}()
		if _, err := cli.Write(msg); err != nil {
			t.Fatalf("client write: %v", err)
		}
		renegotiator := cli
		if serverStarts {
			renegotiator = srv
			if err := srv.Handshake(ctx); err != nil { // the echo goroutine's
				t.Fatalf("server handshake: %v", err)
			}
		}
		if err := renegotiator.Renegotiate(ctx); err != nil {
			var serr error
			select {
			case serr = <-done:
			case <-time.After(time.Second):
			}
			t.Fatalf("renegotiate (server %v): %v (server: %v)", serverStarts, err, serr)
		}
		if _, err := cli.Write(msg); err != nil {
			t.Fatalf("client write after renegotiating: %v", err)
		}
		echoed := <-got
		if !bytes.Equal(echoed, append(append([]byte{}, msg...), msg...)) {
			t.Fatalf("echo mismatch: %d bytes back, want %d", len(echoed), 2*len(msg))
		}
		if err := cli.CloseWrite(); err != nil {
			t.Fatalf("client CloseWrite: %v", err)
		}
		if err := <-done; err != nil {
			t.Fatalf("server: %v", err)
		}
	})
}
