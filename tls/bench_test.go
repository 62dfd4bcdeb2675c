package tls_test

import (
	gotls "crypto/tls"
	"io"
	"strconv"
	"testing"

	"github.com/nodetls/nodetls/tls"
)

// BenchmarkServerBulkEcho measures our server echoing 16 KiB writes from a
// crypto/tls client over loopback TCP.
func BenchmarkServerBulkEcho(b *testing.B) {
	srv := benchEchoServer(b)
	defer srv.Close()
	c, err := gotls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(srv.Address().Port), &gotls.Config{InsecureSkipVerify: true,
		CipherSuites: nil, CurvePreferences: []gotls.CurveID{gotls.CurveP256}})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	msg := make([]byte, 16<<10)
	b.SetBytes(int64(len(msg)))
	b.ResetTimer()
	go func() {
		for i := 0; i < b.N; i++ {
			c.Write(msg)
		}
	}()
	if _, err := io.CopyN(io.Discard, c, int64(b.N*len(msg))); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkServerHandshake measures full TLS 1.3 handshakes (RSA-2048)
// against our server from a crypto/tls client.
func BenchmarkServerHandshake(b *testing.B) {
	srv, err := tls.CreateServer(tls.ServerOptions{SecureContextOptions: keyCert(b, "localhost")}, func(s *tls.TLSSocket) {
		defer s.Close()
		io.Copy(io.Discard, s)
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Listen(0, "127.0.0.1"); err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	addr := "127.0.0.1:" + strconv.Itoa(srv.Address().Port)
	cfg := &gotls.Config{InsecureSkipVerify: true, CurvePreferences: []gotls.CurveID{gotls.CurveP256}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := gotls.Dial("tcp", addr, cfg)
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}

// BenchmarkServerRoundTrip64 measures 64-byte ping-pongs against our
// server from a crypto/tls client over loopback TCP.
func BenchmarkServerRoundTrip64(b *testing.B) {
	srv := benchEchoServer(b)
	defer srv.Close()
	c, err := gotls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(srv.Address().Port), &gotls.Config{InsecureSkipVerify: true})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	msg := make([]byte, 64)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Write(msg)
		if _, err := io.ReadFull(c, msg); err != nil {
			b.Fatal(err)
		}
	}
}

// benchEchoServer serves the localhost fixture and echoes with a 16 KiB
// buffer, one record at a time.
func benchEchoServer(b *testing.B) *tls.Server {
	srv, err := tls.CreateServer(tls.ServerOptions{SecureContextOptions: keyCert(b, "localhost")}, func(s *tls.TLSSocket) {
		defer s.Close()
		buf := make([]byte, 16<<10)
		for {
			n, err := s.Read(buf)
			if n > 0 {
				if _, err := s.Write(buf[:n]); err != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Listen(0, "127.0.0.1"); err != nil {
		b.Fatal(err)
	}
	return srv
}

// BenchmarkServerResumedHandshake measures TLS 1.3 handshakes that resume
// with one of our server's tickets, from a crypto/tls client with a
// session cache; each does a 1-byte echo, which also brings the tickets.
func BenchmarkServerResumedHandshake(b *testing.B) {
	srv := benchEchoServer(b)
	defer srv.Close()
	addr := "127.0.0.1:" + strconv.Itoa(srv.Address().Port)
	cfg := &gotls.Config{InsecureSkipVerify: true, CurvePreferences: []gotls.CurveID{gotls.CurveP256},
		ClientSessionCache: gotls.NewLRUClientSessionCache(8)}
	one := func() bool {
		c, err := gotls.Dial("tcp", addr, cfg)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		msg := []byte{1}
		if _, err := c.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, msg); err != nil {
			b.Fatal(err)
		}
		return c.ConnectionState().DidResume
	}
	one() // a full handshake fills the cache
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if !one() {
			b.Fatal("the handshake did not resume")
		}
	}
}

// BenchmarkRenegotiate measures server-initiated TLS 1.2 renegotiations
// (full handshakes, RSA-2048) between our server and our client, each
// followed by a 1-byte echo; the client's Read answers the HelloRequest.
// As in Node, every handshake start counts against ClientRenegLimit, which
// the benchmark lifts.
func BenchmarkRenegotiate(b *testing.B) {
	limit := tls.ClientRenegLimit
	tls.ClientRenegLimit = 1 << 30
	defer func() { tls.ClientRenegLimit = limit }()
	opts := keyCert(b, "localhost")
	opts.MaxVersion = "TLSv1.2"
	srv, err := tls.CreateServer(tls.ServerOptions{SecureContextOptions: opts}, func(s *tls.TLSSocket) {
		defer s.Close()
		buf := make([]byte, 1)
		for {
			if _, err := io.ReadFull(s, buf); err != nil {
				return
			}
			if err := s.Renegotiate(tls.RenegotiateOptions{}); err != nil {
				b.Error(err)
				return
			}
			if _, err := s.Write(buf); err != nil {
				return
			}
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Listen(0, "127.0.0.1"); err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false)})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	msg := []byte{1}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, msg); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if c.Protocol() != "TLSv1.2" {
		b.Fatalf("protocol %s", c.Protocol())
	}
}
