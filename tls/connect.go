package tls

import (
	"context"
	"errors"
	"net"
	"strconv"
	"syscall"
)

// Connect dials a TLS server and returns once the handshake is done and
// the server is authorized (Node's 'secureConnect'). With
// RejectUnauthorized (the default) an unverified certificate or a host
// name mismatch is the returned error; otherwise the socket is returned
// with Authorized false and AuthorizationError set.
//
// Node: tls.connect(options[, callback])
func Connect(opts ConnectOptions) (*TLSSocket, error) {
	return ConnectContext(context.Background(), opts)
}

// ConnectContext is Connect with ctx bounding the dial and the handshake.
//
// Node: tls.connect(options[, callback])
func ConnectContext(ctx context.Context, opts ConnectOptions) (*TLSSocket, error) {
	if err := checkConnectOptions(opts); err != nil {
		return nil, err
	}
	nc, own := opts.Socket, false
	if nc == nil {
		var err error
		if nc, err = dial(ctx, opts); err != nil {
			return nil, err
		}
		own = true
	}
	return connect(ctx, opts, nc, own)
}

func checkConnectOptions(o ConnectOptions) error {
	switch {
	case o.MinDHSize < 0:
		return newError(CodeOutOfRange, "options.minDHSize is not a positive number: "+strconv.Itoa(o.MinDHSize))
	}
	return nil
}

// dial opens the transport: a Unix socket for Path, else Host:Port through
// Lookup (or the system resolver), addresses tried in order.
func dial(ctx context.Context, o ConnectOptions) (net.Conn, error) {
	var d net.Dialer
	if o.Path != "" {
		nc, err := d.DialContext(ctx, "unix", o.Path)
		if err != nil {
			return nil, netError(err)
		}
		return nc, nil
	}
	host := o.Host
	if host == "" {
		host = "localhost"
	}
	port := strconv.Itoa(o.Port)
	if o.Lookup == nil {
		nc, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, port))
		if err != nil {
			return nil, netError(err)
		}
		return nc, nil
	}
	addrs, err := o.Lookup(ctx, host)
	if err != nil {
		return nil, &Error{Code: "ENOTFOUND", Message: "getaddrinfo ENOTFOUND " + host, Err: err}
	}
	if len(addrs) == 0 {
		return nil, &Error{Code: "ENOTFOUND", Message: "getaddrinfo ENOTFOUND " + host}
	}
	var last error
	for _, a := range addrs {
		nc, err := d.DialContext(ctx, "tcp", net.JoinHostPort(a, port))
		if err == nil {
			return nc, nil
		}
		last = err
	}
	return nil, netError(last)
}

// netError gives a transport failure Node's code ("connect ECONNREFUSED
// 127.0.0.1:1") while keeping the cause reachable.
func netError(err error) error {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		code := "ENOTFOUND"
		if dnsErr.IsTimeout {
			code = "EAI_AGAIN"
		}
		return &Error{Code: code, Message: "getaddrinfo " + code + " " + dnsErr.Name, Err: err}
	}
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err
	}
	codes := map[syscall.Errno]string{
		syscall.ECONNREFUSED: "ECONNREFUSED", syscall.ECONNRESET: "ECONNRESET",
		syscall.EADDRINUSE: "EADDRINUSE", syscall.EACCES: "EACCES", syscall.ENOENT: "ENOENT",
		syscall.ETIMEDOUT: "ETIMEDOUT", syscall.EHOSTUNREACH: "EHOSTUNREACH",
		syscall.ENETUNREACH: "ENETUNREACH", syscall.EADDRNOTAVAIL: "EADDRNOTAVAIL",
	}
	code, ok := codes[errno]
	if !ok {
		return err
	}
	msg := code
	var oe *net.OpError
	if errors.As(err, &oe) {
		addr := ""
		if ta, ok := oe.Addr.(*net.TCPAddr); ok {
			// Node prints "::1:443", without brackets.
			addr = " " + ta.IP.String() + ":" + strconv.Itoa(ta.Port)
		} else if oe.Addr != nil {
			addr = " " + oe.Addr.String()
		}
		op := oe.Op
		if op == "dial" {
			op = "connect"
		}
		msg = op + " " + code + addr
	}
	return &Error{Code: code, Message: msg, Err: err}
}

// connect runs the client handshake over nc and Node's onConnectSecure
// checks. A failure closes nc only when the library dialed it.
func connect(ctx context.Context, o ConnectOptions, nc net.Conn, ownConn bool) (*TLSSocket, error) {
	sc, ownCtx := o.SecureContext, false
	if sc == nil {
		var err error
		if sc, err = createSecureContext(o.SecureContextOptions, "options"); err != nil {
			if ownConn {
				nc.Close()
			}
			return nil, err
		}
		ownCtx = true
	}
	if o.ServerName != "" && net.ParseIP(o.ServerName) != nil {
		warn("DeprecationWarning", "DEP0123", "Setting the TLS ServerName to an IP address is not permitted by RFC 6066. This will be ignored in a future version.")
	}
	cfg := socketConfig{sc: sc, ownCtx: ownCtx, serverName: o.ServerName, session: o.Session, onSession: o.OnSession,
		requestOCSP: o.RequestOCSP, onOCSPResponse: o.OnOCSPResponse}
	var err error
	if cfg.alpn, err = protocolWire(o.ALPNProtocols); err == nil {
		cfg.npn, err = protocolWire(o.NPNProtocols)
	}
	if err != nil {
		if ownCtx {
			sc.Close()
		}
		if ownConn {
			nc.Close()
		}
		return nil, err
	}
	t, err := newSocket(nc, cfg)
	if err != nil {
		if ownCtx {
			sc.Close()
		}
		if ownConn {
			nc.Close()
		}
		return nil, err
	}
	fail := func(err error) (*TLSSocket, error) {
		if ownConn {
			t.abort() // Node destroys the socket: no close_notify
		} else {
			t.release()
		}
		return nil, err
	}
	if err := t.HandshakeContext(ctx); err != nil {
		return fail(err)
	}
	// Node's onConnectSecure: the DH size first, then the chain result,
	// then the host name unless the session was resumed.
	minDH := o.MinDHSize
	if minDH == 0 {
		minDH = 1024
	}
	if k := t.EphemeralKeyInfo(); k.Type == "DH" && k.Size < minDH {
		// Node's message says 2048 whatever the option is.
		return fail(newError(CodeDHParamSize, "DH parameter size "+strconv.Itoa(k.Size)+" is less than 2048"))
	}
	verr := t.AuthorizationError()
	if verr == nil && !t.IsSessionReused() {
		host := o.ServerName
		if host == "" {
			host = o.Host
		}
		if host == "" {
			host = "localhost"
		}
		check := o.CheckServerIdentity
		if check == nil {
			check = CheckServerIdentity
		}
		if cerr := check(host, t.PeerCertificate(true)); cerr != nil {
			verr = cerr
			t.mu.Lock()
			t.authorized = false
			t.authErr = cerr
			t.mu.Unlock()
		}
	}
	if verr != nil && boolOr(o.RejectUnauthorized, true) {
		return fail(verr)
	}
	return t, nil
}
