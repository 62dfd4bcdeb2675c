package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nodetls/nodetls/tls"
)

// The flags of echo client (CLI.md).
var clientSpecs = []*flagSpec{
	{name: "servername", arg: "S", help: "SNI name to send, also the name checked (servername)"},
	{name: "ca", kind: kindFile, repeat: true, arg: "FILE", help: "trusted CA certificates (ca)"},
	{name: "key", kind: kindFile, repeat: true, arg: "FILE", help: "PEM private key of a client certificate (key)"},
	{name: "cert", kind: kindFile, repeat: true, arg: "FILE", help: "PEM client certificate chain (cert)"},
	{name: "pfx", kind: kindFile, arg: "FILE", help: "PKCS#12 client key and certificates (pfx)"},
	{name: "passphrase", arg: "S", help: "passphrase of --key and --pfx (passphrase)"},
	{name: "crl", kind: kindFile, repeat: true, arg: "FILE", help: "PEM CRL (crl)"},
	{name: "reject-unauthorized", kind: kindBool, arg: "BOOL", help: "reject unverified servers (default true)"},
	{name: "ciphers", arg: "S", help: "OpenSSL cipher list (ciphers)"},
	{name: "ecdh-curve", arg: "S", help: "ECDH curve(s) (ecdhCurve)"},
	{name: "secure-protocol", arg: "S", help: "OpenSSL method name (secureProtocol)"},
	{name: "secure-options", kind: kindUint, arg: "N", help: "SSL_OP_* bitmask (secureOptions)"},
	{name: "min-version", arg: "V", help: "minimum protocol version (minVersion)"},
	{name: "max-version", arg: "V", help: "maximum protocol version (maxVersion)"},
	{name: "alpn", kind: kindList, arg: "LIST", help: "ALPN protocols (ALPNProtocols)"},
	{name: "npn", kind: kindList, arg: "LIST", help: "NPN protocols (NPNProtocols)"},
	{name: "session-in", kind: kindFile, arg: "FILE", help: "resume this saved DER session (session)"},
	{name: "session-out", arg: "FILE", help: "save the session (DER) once it is resumable"},
	{name: "status", kind: kindBool, help: "ask for a stapled OCSP response (requestOCSP)"},
	{name: "min-dh-size", kind: kindInt, arg: "N", help: "smallest DH key accepted, in bits (minDHSize)"},
	{name: "renegotiate", kind: kindBool, help: "renegotiate({}) once after connecting"},
	{name: "tls-cipher-list", arg: "S", help: "replace the default cipher list (node --tls-cipher-list)"},
	{name: "json", kind: kindBool, help: "print the connection as one JSON line first"},
}

// clientSetup is what blame replays for the secure context.
type clientSetup struct {
	defaultCiphers string
	opts           tls.SecureContextOptions
}

func runClient(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	f, err := parseFlags(clientSpecs, args)
	if err != nil {
		return fail(stderr, err)
	}
	if f.help {
		var b strings.Builder
		b.WriteString("usage: echo client HOST:PORT [flags]\n\n")
		usage(&b, clientSpecs)
		fmt.Fprint(stdout, b.String())
		return exitOK
	}
	host, port, err := parseHostPort(f.operands)
	if err != nil {
		return fail(stderr, err)
	}
	if v := f.last("session-out"); v != nil && v.str == "" {
		return fail(stderr, flagError("session-out", "empty file name"))
	}

	// The secure context first, so that its errors name their flag and
	// never touch the network.
	ctxSteps := []step[clientSetup]{}
	if f.has("tls-cipher-list") {
		ctxSteps = append(ctxSteps, step[clientSetup]{"tls-cipher-list", func(s *clientSetup) { s.defaultCiphers = f.str("tls-cipher-list", "") }})
	}
	ctxSteps = append(ctxSteps, contextSteps(f, func(s *clientSetup) *tls.SecureContextOptions { return &s.opts })...)
	var setup clientSetup
	for _, s := range ctxSteps {
		s.apply(&setup)
	}
	if setup.defaultCiphers != "" {
		tls.DefaultCiphers = setup.defaultCiphers
	}
	sc, err := tls.CreateSecureContext(setup.opts)
	if err != nil {
		if berr := blame(ctxSteps, tryContext); berr != nil {
			return fail(stderr, berr)
		}
		return fail(stderr, &usageError{code: tls.ErrorCode(err), message: errMessage(err)})
	}
	defer sc.Close()

	sess := &sessionSaver{path: f.str("session-out", "")}
	connSteps := connectSteps(f, host, port, sc, sess)
	var copts tls.ConnectOptions
	for _, s := range connSteps {
		s.apply(&copts)
	}
	if err := dryRun(copts); err != nil {
		if berr := blame(connSteps, dryRun); berr != nil {
			return fail(stderr, berr)
		}
		return fail(stderr, &usageError{code: tls.ErrorCode(err), message: errMessage(err)})
	}

	t, err := tls.Connect(copts)
	if err != nil {
		return fail(stderr, err)
	}
	defer t.Close()
	if f.boolean("renegotiate", false) {
		if err := t.Renegotiate(tls.RenegotiateOptions{}); err != nil {
			return fail(stderr, err)
		}
	}
	out := &output{w: stdout}
	if f.boolean("json", false) {
		ci, err := connectionInfo(t, "")
		if err != nil {
			return fail(stderr, err)
		}
		out.json(ci)
	}

	err = pipe(t, stdin, stdout)
	// The latest session, in case no 'session' event came.
	if sess.path != "" {
		sess.save(t.Session())
	}
	if err != nil {
		return fail(stderr, err)
	}
	if err := sess.error(); err != nil {
		return fail(stderr, err)
	}
	return exitOK
}

// parseHostPort checks the HOST:PORT operand ("[::1]:PORT" for IPv6).
func parseHostPort(operands []string) (string, int, error) {
	switch len(operands) {
	case 0:
		return "", 0, &usageError{message: "missing HOST:PORT operand"}
	case 1:
	default:
		return "", 0, &usageError{message: fmt.Sprintf("unexpected argument %q (echo client takes one HOST:PORT)", operands[1])}
	}
	host, p, err := net.SplitHostPort(operands[0])
	if err != nil {
		return "", 0, &usageError{message: fmt.Sprintf("invalid address %q: want HOST:PORT", operands[0])}
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, &usageError{message: fmt.Sprintf("invalid port %q in %q", p, operands[0])}
	}
	return host, port, nil
}

// tryContext is blame's test for the client's secure context.
func tryContext(s clientSetup) error {
	saved := tls.DefaultCiphers
	defer func() { tls.DefaultCiphers = saved }()
	tls.DefaultCiphers = origDefaultCiphers
	if s.defaultCiphers != "" {
		tls.DefaultCiphers = s.defaultCiphers
	}
	sc, err := tls.CreateSecureContext(s.opts)
	if err == nil {
		sc.Close()
	}
	return err
}

// connectSteps maps the connect-level flags onto ConnectOptions.
func connectSteps(f *flags, host string, port int, sc *tls.SecureContext, sess *sessionSaver) []step[tls.ConnectOptions] {
	steps := []step[tls.ConnectOptions]{{"", func(o *tls.ConnectOptions) {
		o.Host, o.Port, o.SecureContext = host, port, sc
	}}}
	add := func(flag string, apply func(o *tls.ConnectOptions)) {
		if f.has(flag) {
			steps = append(steps, step[tls.ConnectOptions]{flag, apply})
		}
	}
	add("servername", func(o *tls.ConnectOptions) { o.ServerName = f.str("servername", "") })
	add("reject-unauthorized", func(o *tls.ConnectOptions) { o.RejectUnauthorized = tls.Bool(f.boolean("reject-unauthorized", true)) })
	add("alpn", func(o *tls.ConnectOptions) { o.ALPNProtocols = f.list("alpn") })
	add("npn", func(o *tls.ConnectOptions) { o.NPNProtocols = f.list("npn") })
	add("session-in", func(o *tls.ConnectOptions) { o.Session = f.file("session-in") })
	add("session-out", func(o *tls.ConnectOptions) { o.OnSession = sess.save })
	add("status", func(o *tls.ConnectOptions) { o.RequestOCSP = f.boolean("status", false) })
	add("min-dh-size", func(o *tls.ConnectOptions) { o.MinDHSize = int(f.last("min-dh-size").i) })
	return steps
}

// dryRun checks connect options without touching the network: Connect
// checks its options before it dials, and here it dials a Unix socket in
// a directory that does not exist. A dial failure means the options passed.
func dryRun(o tls.ConnectOptions) error {
	o.Path = filepath.Join(os.TempDir(), fmt.Sprintf("nodetls-echo-%d-no-such-dir", os.Getpid()), "sock")
	o.Socket = nil
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	t, err := tls.ConnectContext(ctx, o)
	if err == nil {
		t.Close()
		return nil
	}
	var oe *net.OpError
	if errors.As(err, &oe) || errors.Is(err, syscall.ENOENT) || tls.ErrorCode(err) == "ENOENT" || ctx.Err() != nil {
		return nil
	}
	return err
}

// pipe copies stdin to t and t to stdout at once. At the end of stdin it
// half-closes t and keeps reading until the server ends the connection.
// It returns nil when the server ended it cleanly.
func pipe(t *tls.TLSSocket, stdin io.Reader, stdout io.Writer) error {
	werr := make(chan error, 1)
	go func() {
		_, err := io.Copy(t, stdin)
		if err == nil {
			err = t.CloseWrite()
		}
		werr <- err
	}()
	_, rerr := io.Copy(stdout, onlyReader{t})
	if rerr == nil {
		return nil
	}
	if errors.Is(rerr, net.ErrClosed) {
		// The writer's failure closed the connection: it is the cause.
		select {
		case err := <-werr:
			if err != nil {
				return err
			}
		case <-time.After(time.Second):
		}
	}
	return rerr
}

// onlyReader hides everything but Read, so that io.Copy reads records as
// they come instead of asking stdout to splice from the socket.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// sessionSaver writes sessions to --session-out, each replacing the last
// (written to a temporary file, then renamed).
type sessionSaver struct {
	path string

	mu    sync.Mutex
	last  []byte
	first error
}

// save writes session unless it is nil or already saved.
func (s *sessionSaver) save(session []byte) {
	if s.path == "" || session == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if bytes.Equal(session, s.last) {
		return
	}
	tmp := s.path + ".tmp"
	err := os.WriteFile(tmp, session, 0o600)
	if err == nil {
		err = os.Rename(tmp, s.path)
	}
	if err != nil {
		if s.first == nil {
			s.first = &usageError{flag: "session-out", code: errnoCode(err), message: err.Error()}
		}
		return
	}
	s.last = append([]byte(nil), session...)
}

// error returns the first failure to save, if any.
func (s *sessionSaver) error() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first
}
