package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nodetls/nodetls/tls"
)

// The flags of echo server (CLI.md).
var serverSpecs = []*flagSpec{
	{name: "listen", arg: "HOST:PORT", help: "address to listen on (default 127.0.0.1:8000; port 0 picks a free port)"},
	{name: "key", kind: kindFile, repeat: true, arg: "FILE", help: "PEM private key (key)"},
	{name: "cert", kind: kindFile, repeat: true, arg: "FILE", help: "PEM certificate chain, leaf first (cert); matched to keys by key"},
	{name: "pfx", kind: kindFile, arg: "FILE", help: "PKCS#12 key and certificates (pfx)"},
	{name: "passphrase", arg: "S", help: "passphrase of --key and --pfx (passphrase)"},
	{name: "ca", kind: kindFile, repeat: true, arg: "FILE", help: "trusted CA certificates (ca)"},
	{name: "crl", kind: kindFile, repeat: true, arg: "FILE", help: "PEM CRL (crl)"},
	{name: "request-cert", kind: kindBool, help: "ask clients for a certificate (requestCert)"},
	{name: "reject-unauthorized", kind: kindBool, arg: "BOOL", help: "reject unverified client certificates (default true)"},
	{name: "ciphers", arg: "S", help: "OpenSSL cipher list (ciphers)"},
	{name: "honor-cipher-order", kind: kindBool, arg: "BOOL", help: "prefer the server's cipher order (honorCipherOrder)"},
	{name: "ecdh-curve", arg: "S", help: "ECDH curve(s) (ecdhCurve)"},
	{name: "dhparam", kind: kindFile, arg: "FILE", help: "PEM DH parameters (dhparam)"},
	{name: "secure-protocol", arg: "S", help: "OpenSSL method name (secureProtocol)"},
	{name: "secure-options", kind: kindUint, arg: "N", help: "SSL_OP_* bitmask (secureOptions)"},
	{name: "min-version", arg: "V", help: "minimum protocol version (minVersion)"},
	{name: "max-version", arg: "V", help: "maximum protocol version (maxVersion)"},
	{name: "session-id-context", arg: "S", help: "session ID context (sessionIdContext)"},
	{name: "session-timeout", kind: kindInt, arg: "SECONDS", help: "session lifetime (sessionTimeout)"},
	{name: "alpn", kind: kindList, arg: "LIST", help: "ALPN protocols, in preference order (ALPNProtocols)"},
	{name: "npn", kind: kindList, arg: "LIST", help: "NPN protocols, in preference order (NPNProtocols)"},
	{name: "sni", repeat: true, arg: "NAME=KEYFILE:CERTFILE", help: "server.addContext(NAME, {key, cert}); wildcards allowed"},
	{name: "ticket-keys", kind: kindFile, arg: "FILE", help: "48 raw bytes of session ticket keys (ticketKeys)"},
	{name: "session-store", kind: kindBool, help: "keep sessions in an in-memory store (newSession / resumeSession)"},
	{name: "ocsp-response", kind: kindFile, arg: "FILE", help: "staple this DER OCSP response (OCSPRequest)"},
	{name: "ocsp-fetch", kind: kindBool, help: "staple responses fetched from the certificate's OCSP responder"},
	{name: "handshake-timeout", kind: kindDuration, arg: "DURATION", help: "handshake timeout (default 120s; negative: none)"},
	{name: "max-send-fragment", kind: kindInt, arg: "N", help: "setMaxSendFragment(N) on every connection (512..16384)"},
	{name: "renegotiate-request-cert", kind: kindBool, help: "renegotiate({requestCert: true}) after each handshake"},
	{name: "tls-cipher-list", arg: "S", help: "replace the default cipher list (node --tls-cipher-list)"},
	{name: "json", kind: kindBool, help: "one JSON object per line on stdout for each event"},
}

// origDefaultCiphers is the library's default cipher list before
// --tls-cipher-list replaced it.
var origDefaultCiphers = tls.DefaultCiphers

// serverSetup is what blame replays for the server.
type serverSetup struct {
	defaultCiphers string // --tls-cipher-list; "": the library's
	opts           tls.ServerOptions
}

// sniEntry is one --sni NAME=KEYFILE:CERTFILE.
type sniEntry struct {
	name      string
	key, cert []byte
}

// echoServer is a running server.
type echoServer struct {
	l       *tls.Listener
	out     *output
	stderr  io.Writer
	json    bool
	maxFrag int

	renegotiate  bool  // --renegotiate-request-cert
	rejectUnauth *bool // for that renegotiation

	mu      sync.Mutex // guards the fields below
	conns   map[*tls.TLSSocket]struct{}
	closing bool
	wg      sync.WaitGroup // connection goroutines
}

func runServer(args []string, stdout, stderr io.Writer) int {
	f, err := parseFlags(serverSpecs, args)
	if err != nil {
		return fail(stderr, err)
	}
	if f.help {
		var b strings.Builder
		b.WriteString("usage: echo server [flags]\n\n")
		usage(&b, serverSpecs)
		fmt.Fprint(stdout, b.String())
		return exitOK
	}
	if len(f.operands) > 0 {
		return fail(stderr, &usageError{message: fmt.Sprintf("unexpected argument %q (echo server takes no operand)", f.operands[0])})
	}
	listen := f.str("listen", "127.0.0.1:8000")
	if _, _, err := net.SplitHostPort(listen); err != nil {
		return fail(stderr, flagError("listen", "invalid address %q: want HOST:PORT", listen))
	}
	sni, err := sniEntries(f)
	if err != nil {
		return fail(stderr, err)
	}
	maxFrag := 0
	if v := f.last("max-send-fragment"); v != nil {
		if v.i < 512 || v.i > 16384 {
			return fail(stderr, &usageError{flag: "max-send-fragment", code: "ERR_OUT_OF_RANGE",
				message: fmt.Sprintf("The value of \"size\" is out of range. It must be >= 512 && <= 16384. Received %d", v.i)})
		}
		maxFrag = int(v.i)
	}
	if f.has("ocsp-response") && f.boolean("ocsp-fetch", false) {
		return fail(stderr, flagError("ocsp-fetch", "cannot be used with --ocsp-response"))
	}

	// Signals are caught from here on, so that one arriving just after the
	// listening line still ends the server with status 0.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)

	steps, notice, err := serverSteps(f)
	if err != nil {
		return fail(stderr, err)
	}
	var setup serverSetup
	for _, s := range steps {
		s.apply(&setup)
	}
	if setup.defaultCiphers != "" {
		tls.DefaultCiphers = setup.defaultCiphers // for the whole process, SNI contexts included
	}
	l, err := tls.Listen("tcp", listen, setup.opts)
	if err != nil {
		if berr := blame(steps, trySetup); berr != nil {
			return fail(stderr, berr)
		}
		return fail(stderr, tlsUsageError("listen", err))
	}

	s := &echoServer{
		l:            l,
		out:          &output{w: stdout},
		stderr:       stderr,
		json:         f.boolean("json", false),
		maxFrag:      maxFrag,
		renegotiate:  f.boolean("renegotiate-request-cert", false),
		rejectUnauth: setup.opts.RejectUnauthorized,
		conns:        make(map[*tls.TLSSocket]struct{}),
	}
	srv := l.Server()
	for _, e := range sni {
		opts := tls.SecureContextOptions{Key: []tls.KeyPEM{{PEM: e.key}}, Cert: [][]byte{e.cert}}
		if err := srv.AddContext(e.name, opts); err != nil {
			l.Close()
			return fail(stderr, tlsUsageError("sni", err))
		}
	}
	if f.boolean("session-store", false) {
		s.sessionStore(srv)
	}
	if v := f.last("ocsp-response"); v != nil {
		resp := v.file
		srv.OnOCSPRequest(func(cert, issuer []byte) ([]byte, error) {
			s.event(struct {
				Event string `json:"event"`
			}{"OCSPRequest"})
			return resp, nil
		})
	}
	if f.boolean("ocsp-fetch", false) {
		fetcher := newOCSPFetcher()
		srv.OnOCSPRequest(func(cert, issuer []byte) ([]byte, error) {
			s.event(struct {
				Event string `json:"event"`
			}{"OCSPRequest"})
			resp, err := fetcher.response(cert, issuer)
			if err != nil {
				fmt.Fprintf(stderr, "echo: --ocsp-fetch: %s\n", oneLine(err.Error()))
				return nil, nil // no staple; the handshake goes on
			}
			return resp, nil
		})
	}
	srv.OnTLSClientError(s.clientError)
	srv.OnError(func(err error) { s.report("error", err, nil) })

	if notice != "" {
		fmt.Fprintln(stderr, notice)
	}
	s.out.line("listening on " + l.Addr().String())

	acceptErr := make(chan error, 1)
	go func() { acceptErr <- s.serve() }()
	select {
	case <-sigs:
		s.shutdown()
		return exitOK
	case err := <-acceptErr:
		s.shutdown()
		return fail(stderr, err)
	}
}

// trySetup is blame's test for the server: can the library build a server
// from this setup?
func trySetup(s serverSetup) error {
	saved := tls.DefaultCiphers
	defer func() { tls.DefaultCiphers = saved }()
	tls.DefaultCiphers = origDefaultCiphers
	if s.defaultCiphers != "" {
		tls.DefaultCiphers = s.defaultCiphers
	}
	_, err := tls.CreateServer(s.opts, nil)
	return err
}

// serverSteps maps the server's flags onto ServerOptions, in the order the
// library checks them. Without --key, --cert and --pfx it generates a
// self-signed certificate; notice is then the line to say so on stderr.
func serverSteps(f *flags) (steps []step[serverSetup], notice string, err error) {
	add := func(flag string, apply func(s *serverSetup)) {
		if f.has(flag) {
			steps = append(steps, step[serverSetup]{flag, apply})
		}
	}
	add("tls-cipher-list", func(s *serverSetup) { s.defaultCiphers = f.str("tls-cipher-list", "") })
	if !f.has("key") && !f.has("cert") && !f.has("pfx") {
		key, cert, desc, err := selfSigned()
		if err != nil {
			return nil, "", &usageError{message: "generating a self-signed certificate: " + err.Error()}
		}
		notice = "echo: no --key/--cert/--pfx given: using a generated self-signed certificate (" + desc + ")"
		steps = append(steps, step[serverSetup]{"", func(s *serverSetup) {
			s.opts.Key = []tls.KeyPEM{{PEM: key}}
			s.opts.Cert = [][]byte{cert}
		}})
	}
	steps = append(steps, contextSteps(f, func(s *serverSetup) *tls.SecureContextOptions { return &s.opts.SecureContextOptions })...)
	add("request-cert", func(s *serverSetup) { s.opts.RequestCert = f.boolean("request-cert", false) })
	add("reject-unauthorized", func(s *serverSetup) { s.opts.RejectUnauthorized = tls.Bool(f.boolean("reject-unauthorized", true)) })
	// As Node's handshakeTimeout: 0 is the default (120 s); negative: none.
	add("handshake-timeout", func(s *serverSetup) { s.opts.HandshakeTimeout = f.last("handshake-timeout").d })
	add("alpn", func(s *serverSetup) { s.opts.ALPNProtocols = f.list("alpn") })
	add("npn", func(s *serverSetup) { s.opts.NPNProtocols = f.list("npn") })
	add("session-timeout", func(s *serverSetup) {
		s.opts.SessionTimeout = time.Duration(f.last("session-timeout").i) * time.Second
	})
	add("ticket-keys", func(s *serverSetup) { s.opts.TicketKeys = f.file("ticket-keys") })
	return steps, notice, nil
}

// sniEntries reads the --sni NAME=KEYFILE:CERTFILE flags.
func sniEntries(f *flags) ([]sniEntry, error) {
	var out []sniEntry
	for _, v := range f.all("sni") {
		name, files, ok := strings.Cut(v.str, "=")
		keyFile, certFile, ok2 := strings.Cut(files, ":")
		if !ok || !ok2 || keyFile == "" || certFile == "" {
			return nil, flagError("sni", "invalid value %q: want NAME=KEYFILE:CERTFILE", v.str)
		}
		key, err := readFile("sni", keyFile)
		if err != nil {
			return nil, err
		}
		cert, err := readFile("sni", certFile)
		if err != nil {
			return nil, err
		}
		out = append(out, sniEntry{name: name, key: key, cert: cert})
	}
	return out, nil
}

// serve accepts connections until the listener closes; it returns nil
// after shutdown and the accept error otherwise.
func (s *echoServer) serve() error {
	var delay time.Duration
	for {
		c, err := s.l.Accept()
		if err != nil {
			if s.isClosing() {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
				errors.Is(err, syscall.ECONNABORTED) {
				// Out of descriptors and the like: back off, as net/http does.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				fmt.Fprintf(s.stderr, "echo: accept: %v; retrying in %v\n", err, delay)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		t := c.(*tls.TLSSocket)
		if !s.track(t) {
			t.Close()
			continue
		}
		go s.handle(t)
	}
}

func (s *echoServer) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// track records an open connection; false once shutting down.
func (s *echoServer) track(t *tls.TLSSocket) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.conns[t] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *echoServer) untrack(t *tls.TLSSocket) {
	s.mu.Lock()
	delete(s.conns, t)
	s.mu.Unlock()
	s.wg.Done()
}

// handle runs one connection: the handshake, the secureConnection event,
// the optional renegotiation, then the echo.
func (s *echoServer) handle(t *tls.TLSSocket) {
	defer s.untrack(t)
	defer t.Close()
	if s.maxFrag > 0 {
		t.SetMaxSendFragment(s.maxFrag)
	}
	if err := t.Handshake(); err != nil {
		return // the library reported it to OnTLSClientError and closed the socket
	}
	if s.json {
		s.connEvent(t, "secureConnection")
	}
	if s.renegotiate {
		if err := t.Renegotiate(tls.RenegotiateOptions{RequestCert: true, RejectUnauthorized: s.rejectUnauth}); err != nil {
			s.report("error", err, t) // the connection is kept
		} else if s.json {
			s.connEvent(t, "renegotiated")
		}
	}
	s.echo(t)
}

var (
	smallBufs = sync.Pool{New: func() any { b := make([]byte, 16<<10); return &b }}
	largeBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}
)

// echo writes back every byte read; at the client's end (close_notify or
// EOF) it ends the connection: close_notify, then close.
func (s *echoServer) echo(t *tls.TLSSocket) {
	// One record's worth while the peer trickles; sixteen records' worth
	// (one network write for each) once reads fill the buffer. A waiting
	// connection holds only the small one.
	small, large := smallBufs.Get().(*[]byte), (*[]byte)(nil)
	defer func() {
		smallBufs.Put(small)
		if large != nil {
			largeBufs.Put(large)
		}
	}()
	buf := *small
	for {
		n, err := t.Read(buf)
		if n > 0 {
			if _, werr := t.Write(buf[:n]); werr != nil {
				s.report("error", werr, t)
				return
			}
		}
		switch {
		case n == len(buf) && large == nil:
			large = largeBufs.Get().(*[]byte)
			buf = *large
		case n < len(*small) && large != nil:
			largeBufs.Put(large)
			large, buf = nil, *small
		}
		if err == io.EOF {
			// The client ended its side: the deferred Close ends ours
			// (close_notify, then close). A client that is already gone
			// makes the close_notify fail; that is no error of the
			// connection.
			return
		}
		if err != nil {
			s.report("error", err, t)
			return
		}
	}
}

// clientError is the tlsClientError listener.
func (s *echoServer) clientError(err error, t *tls.TLSSocket) {
	s.report("tlsClientError", err, t)
}

// report emits an error event (JSON) or a stderr line, except for the
// errors that closing a connection ourselves causes.
func (s *echoServer) report(event string, err error, t *tls.TLSSocket) {
	if s.isClosing() || tls.ErrorCode(err) == "" && errors.Is(err, net.ErrClosed) {
		return
	}
	if s.json {
		s.out.json(newErrorEvent(event, err))
		return
	}
	peer := ""
	if t != nil {
		peer = " " + t.RemoteAddr().String()
	}
	fmt.Fprintf(s.stderr, "echo: %s%s: %s\n", event, peer, oneLine(describe(err)))
}

// event writes a JSON event when --json is on.
func (s *echoServer) event(v any) {
	if s.json {
		s.out.json(v)
	}
}

// connEvent writes an event with the connection fields.
func (s *echoServer) connEvent(t *tls.TLSSocket, event string) {
	ci, err := connectionInfo(t, event)
	if err != nil {
		s.report("error", err, t)
		return
	}
	s.out.json(ci)
}

// sessionStore keeps sessions in memory through newSession and
// resumeSession.
func (s *echoServer) sessionStore(srv *tls.Server) {
	var mu sync.Mutex
	store := map[string][]byte{}
	type sessionEvent struct {
		Event     string `json:"event"`
		SessionID string `json:"sessionId"`
	}
	srv.OnNewSession(func(id, data []byte) {
		key := hex.EncodeToString(id)
		mu.Lock()
		store[key] = append([]byte(nil), data...)
		mu.Unlock()
		s.event(sessionEvent{"newSession", key})
	})
	srv.OnResumeSession(func(id []byte) ([]byte, error) {
		key := hex.EncodeToString(id)
		s.event(sessionEvent{"resumeSession", key})
		mu.Lock()
		defer mu.Unlock()
		return store[key], nil
	})
}

// shutdownWait bounds how long shutdown waits for connections to end; the
// process must be gone within 5 s of the signal.
const shutdownWait = 3500 * time.Millisecond

// shutdown closes the listener and every connection (each Close sends
// close_notify), waiting at most shutdownWait.
func (s *echoServer) shutdown() {
	s.mu.Lock()
	s.closing = true
	conns := make([]*tls.TLSSocket, 0, len(s.conns))
	for t := range s.conns {
		conns = append(conns, t)
	}
	s.mu.Unlock()
	s.l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), shutdownWait)
	defer cancel()
	for _, t := range conns {
		go t.Close()
	}
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		fmt.Fprintf(s.stderr, "echo: %d connection(s) still closing after %v; exiting\n", len(conns), shutdownWait)
	}
}
