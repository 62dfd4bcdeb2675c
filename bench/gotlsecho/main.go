// Command gotlsecho is the Go crypto/tls reference peer for bench/tlsbench:
// a TLS echo server with one goroutine per connection.
//
// It is configured like the other two benchmark servers: TLS 1.2..1.3,
// P-256 as the only key-exchange group (X25519 is not offered, to match the
// OpenSSL-native peer and nodetls' default curve), and no session cache.
// Session tickets are issued, as nodetls (like Node) issues them on every
// TLS 1.3 handshake; --tickets=false turns them off.
//
// Usage:
//
//	gotlsecho --listen 127.0.0.1:0 --key KEY.pem --cert CERT.pem
//
// It prints exactly one stdout line "listening on HOST:PORT" with the actual
// port and echoes every byte. A close_notify from the peer is answered with
// close_notify and the connection closed. SIGTERM/SIGINT exit with status 0.
package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
)

// bufSize is the per-connection echo buffer: one maximal TLS record.
const bufSize = 16 << 10

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on (HOST:PORT)")
	keyFile := flag.String("key", "", "PEM private key")
	certFile := flag.String("cert", "", "PEM certificate chain")
	tickets := flag.Bool("tickets", true, "issue session tickets")
	flag.Parse()
	if *keyFile == "" || *certFile == "" || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}

	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		fatal(err)
	}
	cfg := &tls.Config{
		Certificates:           []tls.Certificate{cert},
		MinVersion:             tls.VersionTLS12,
		MaxVersion:             tls.VersionTLS13,
		CurvePreferences:       []tls.CurveID{tls.CurveP256},
		SessionTicketsDisabled: !*tickets,
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fatal(err)
	}
	fmt.Printf("listening on %s\n", ln.Addr()) // os.Stdout is unbuffered

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sigs
		os.Exit(0)
	}()

	for {
		c, err := ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				fmt.Fprintln(os.Stderr, "gotlsecho: accept:", err)
				continue
			}
			fatal(err)
		}
		go serve(tls.Server(c, cfg))
	}
}

func serve(c *tls.Conn) {
	defer c.Close() // sends close_notify when the handshake completed
	if err := c.Handshake(); err != nil {
		return
	}
	buf := make([]byte, bufSize)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			// io.EOF is the peer's close_notify: the deferred Close
			// answers it. Anything else: just drop the connection.
			return
		}
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "gotlsecho:", err)
	os.Exit(1)
}
