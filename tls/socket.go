package tls

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/nodetls/nodetls/bridge"
	"github.com/nodetls/nodetls/ossl"
)

// A TLSSocket is one TLS connection, client or server side. It implements
// net.Conn. The handshake runs on the first Read or Write or an explicit
// Handshake; sockets handed out by a Server or returned by Connect have
// finished it. An error on an established connection (a fatal alert from
// the peer) is returned by the next Read or Write as a *Error, and the
// connection is closed. A received close_notify, and after the handshake a
// transport EOF at a record boundary, read as io.EOF.
//
// Node: tls.TLSSocket
type TLSSocket struct {
	conn     *bridge.Conn
	isServer bool
	server   *Server
	sc       *SecureContext
	ownCtx   bool // the socket built sc and closes it

	requestCert        bool
	rejectUnauthorized bool
	serverName         string // client: the SNI name sent

	ctx    context.Context
	cancel context.CancelCauseFunc

	once    sync.Once // the work after the first handshake
	hsTimer *time.Timer

	mu          sync.Mutex // guards the fields below
	done        bool       // the first handshake completed
	protocol    string
	alpn, npn   string // recorded at the handshake: they outlive the socket, as Node's properties do
	sniName     string // servers: the SNI name, recorded likewise
	authorized  bool
	authErr     error
	peerChain   [][]byte
	closed      bool
	timedOut    bool
	reported    bool // a handshake failure went to the server's OnTLSClientError
	countedOnce bool

	// Renegotiation accounting (Node's onhandshakestart); guarded by mu.
	renegLimit    int
	renegWindow   time.Duration
	lastHandshake time.Time
	handshakes    int
	renegDisabled bool

	handshakeTimeout time.Duration // servers: bounds a renegotiation too

	requestOCSP    bool // clients: a status was requested
	onOCSPResponse func(response []byte)
}

// socketConfig is what newSocket needs, whichever door made the socket.
type socketConfig struct {
	isServer           bool
	server             *Server
	sc                 *SecureContext
	ownCtx             bool
	requestCert        bool
	rejectUnauthorized bool
	serverName         string
	session            []byte                                    // client: a session to resume
	alpn, npn          []byte                                    // protocol lists, wire format
	ticketKeys         []byte                                    // servers: 48 bytes; nil: the process's own
	sessionTimeout     int                                       // servers: seconds; 0: the context's
	onSession          func(session []byte)                      // clients: Node's 'session' event
	ocspRequest        func(cert, issuer []byte) ([]byte, error) // servers: the OCSPRequest hook
	requestOCSP        bool                                      // clients
	onOCSPResponse     func(response []byte)                     // clients
	// sni picks the context for the client's SNI name (servers); nil: no
	// SNI switching.
	sni              func(servername string) (*SecureContext, error)
	handshakeTimeout time.Duration // server sockets; <= 0: none
	sessionIDContext []byte        // server: used when the context has none
}

func newSocket(nc net.Conn, cfg socketConfig) (*TLSSocket, error) {
	ssl, err := cfg.sc.newSSL(cfg.isServer)
	if err != nil {
		return nil, err
	}
	if cfg.isServer {
		if cfg.requestCert {
			mode := ossl.VerifyPeer
			if cfg.rejectUnauthorized {
				mode |= ossl.VerifyFailIfNoPeerCert
			}
			ssl.SetVerify(mode)
		}
		if !cfg.sc.sidSet && len(cfg.sessionIDContext) > 0 {
			if err := ssl.SetSessionIDContext(cfg.sessionIDContext); err != nil {
				ssl.Free()
				return nil, opensslError(err.(*ossl.Error))
			}
		}
	} else {
		if cfg.serverName != "" {
			if err := ssl.SetHostName(cfg.serverName); err != nil {
				ssl.Free()
				return nil, opensslError(err.(*ossl.Error))
			}
		}
		if cfg.session != nil {
			if err := ssl.SetSession(cfg.session); err != nil {
				ssl.Free()
				return nil, opensslError(err.(*ossl.Error))
			}
		}
	}
	t := &TLSSocket{
		isServer:           cfg.isServer,
		server:             cfg.server,
		sc:                 cfg.sc,
		ownCtx:             cfg.ownCtx,
		requestCert:        cfg.requestCert,
		rejectUnauthorized: cfg.rejectUnauthorized,
		serverName:         cfg.serverName,
	}
	if len(cfg.ticketKeys) == 48 {
		ssl.SetTicketKeys(cfg.ticketKeys)
	}
	if cfg.isServer && cfg.sessionTimeout > 0 {
		ssl.SetSessionTimeout(cfg.sessionTimeout)
	}
	if !cfg.isServer && cfg.onSession != nil {
		ssl.WantSessions()
	}
	if len(cfg.alpn) > 0 {
		if err := ssl.SetALPN(cfg.alpn); err != nil {
			ssl.Free()
			return nil, opensslError(err.(*ossl.Error))
		}
	}
	if len(cfg.npn) > 0 {
		if err := ssl.SetNPN(cfg.npn); err != nil {
			ssl.Free()
			return nil, opensslError(err.(*ossl.Error))
		}
	}
	t.renegLimit, t.renegWindow = ClientRenegLimit, ClientRenegWindow
	hooks := bridge.Hooks{HandshakeStart: t.onHandshakeStart}
	if !cfg.isServer && cfg.onSession != nil {
		hooks.NewSession = cfg.onSession
	}
	if cfg.isServer && cfg.server != nil {
		newSession, resume := cfg.server.sessionHooks()
		if newSession != nil {
			ssl.WantSessions()
			hooks.NewSession = newSession
		}
		if resume != nil {
			ssl.EnableResumeHook()
			hooks.ClientHello = t.resumeHook(resume)
		}
	}
	if cfg.isServer && cfg.sni != nil {
		ssl.PauseForSNI()
	}
	if cfg.isServer && cfg.ocspRequest != nil {
		ssl.PauseForOCSP()
	}
	if cfg.isServer && (cfg.sni != nil || cfg.ocspRequest != nil) {
		hooks.CertCallback = t.certHook(cfg.sni, cfg.ocspRequest)
	}
	if !cfg.isServer && cfg.requestOCSP {
		ssl.RequestOCSP()
		t.onOCSPResponse = cfg.onOCSPResponse
		t.requestOCSP = true
	}
	if cfg.isServer && cfg.requestCert && cfg.rejectUnauthorized {
		// Decide before the last flight leaves, as Node's server
		// destroys the socket before it is sent.
		hooks.HandshakeDone = t.rejectUnverifiedClient
	}
	t.conn = bridge.New(nc, ssl, hooks)
	t.ctx, t.cancel = context.WithCancelCause(context.Background())
	if cfg.server != nil {
		cfg.server.connOpened()
		t.countedOnce = true
	}
	if cfg.isServer && cfg.handshakeTimeout > 0 {
		t.handshakeTimeout = cfg.handshakeTimeout
		t.hsTimer = time.AfterFunc(cfg.handshakeTimeout, t.handshakeTimedOut)
	}
	return t, nil
}

// resumeHook returns the bridge hook that runs when a ClientHello offering
// a session ID paused the handshake: the server's lookup runs outside any C
// call, and the handshake resumes with what it found.
func (t *TLSSocket) resumeHook(lookup func(id []byte) ([]byte, error)) func() error {
	return func() error {
		var id []byte
		if !t.conn.WithSSL(func(s *ossl.SSL) { id = s.HelloSessionID() }) {
			return newError(CodeSocketClosed, "Socket is closed")
		}
		der, err := lookup(id)
		if err != nil {
			return err
		}
		t.conn.WithSSL(func(s *ossl.SSL) { s.ResumeHello(der) })
		return nil
	}
}

// handshakeTimedOut ends a handshake that took too long.
func (t *TLSSocket) handshakeTimedOut() {
	t.mu.Lock()
	if t.done || t.closed {
		t.mu.Unlock()
		return
	}
	t.timedOut = true
	t.mu.Unlock()
	t.cancel(handshakeTimeoutError())
	t.conn.NetConn().Close() // the handshake fails at once
}

func handshakeTimeoutError() *Error {
	return newError(CodeHandshakeTimeout, msgHandshakeTimeout)
}

// NewTLSSocket wraps an existing connection. As a client it never rejects
// the server's certificate: read Authorized and AuthorizationError, or use
// Connect with Socket set for rejection and hostname checks.
//
// Node: new tls.TLSSocket(socket[, options])
func NewTLSSocket(conn net.Conn, opts TLSSocketOptions) (*TLSSocket, error) {
	if err := checkSocketOptions(opts); err != nil {
		return nil, err
	}
	sc, own := opts.SecureContext, false
	if sc == nil {
		var err error
		if sc, err = createSecureContext(opts.SecureContextOptions, "options"); err != nil {
			return nil, err
		}
		own = true
	}
	cfg := socketConfig{
		isServer:           opts.IsServer,
		server:             opts.Server,
		sc:                 sc,
		ownCtx:             own,
		requestCert:        opts.RequestCert,
		rejectUnauthorized: boolOr(opts.RejectUnauthorized, true),
		serverName:         opts.ServerName,
	}
	if !opts.IsServer {
		cfg.session = opts.Session
		cfg.requestOCSP, cfg.onOCSPResponse = opts.RequestOCSP, opts.OnOCSPResponse
	}
	var err error
	if cfg.alpn, err = protocolWire(opts.ALPNProtocols); err != nil {
		return nil, err
	}
	if cfg.npn, err = protocolWire(opts.NPNProtocols); err != nil {
		return nil, err
	}
	if opts.IsServer && opts.Server != nil {
		cfg.handshakeTimeout = opts.Server.handshakeTimeout
		cfg.sessionIDContext = opts.Server.sidCtx
		cfg.sni = opts.Server.sniPicker()
		cfg.ticketKeys = opts.Server.currentTicketKeys()
		cfg.sessionTimeout = opts.Server.sessionTimeout
		cfg.ocspRequest = opts.Server.ocspHook()
	}
	if opts.IsServer && opts.SNICallback != nil {
		cfg.sni = opts.SNICallback
	}
	if opts.IsServer && opts.Server == nil {
		cfg.sessionIDContext = defaultSessionIDContext()
	}
	t, err := newSocket(conn, cfg)
	if err != nil {
		if own {
			sc.Close()
		}
		return nil, err
	}
	return t, nil
}

// checkSocketOptions refuses the options of features that have not landed.
func checkSocketOptions(o TLSSocketOptions) error {
	return nil
}

// Handshake runs the handshake if it has not run yet.
//
// Node: the 'secure' / 'secureConnect' events
func (t *TLSSocket) Handshake() error { return t.HandshakeContext(context.Background()) }

// HandshakeContext runs the handshake if it has not run yet; cancelling
// ctx closes the transport.
//
// Node: the 'secure' / 'secureConnect' events
func (t *TLSSocket) HandshakeContext(ctx context.Context) error {
	if t.conn.HandshakeComplete() {
		t.once.Do(t.afterHandshake)
		return t.verifyError()
	}
	if err := t.conn.Handshake(ctx); err != nil {
		t.mu.Lock()
		timedOut := t.timedOut
		t.mu.Unlock()
		var e error
		if timedOut {
			e = &Error{Code: CodeHandshakeTimeout, Message: msgHandshakeTimeout, Err: err}
		} else {
			e = convertError(err, !t.isServer, true)
		}
		if cerr := ctx.Err(); cerr != nil && !errors.Is(e, cerr) {
			e = errors.Join(cerr, e) // the context ended the handshake
		}
		t.failHandshake(e)
		return e
	}
	t.once.Do(t.afterHandshake)
	if err := t.verifyError(); err != nil {
		t.failHandshake(err)
		return err
	}
	return nil
}

// failHandshake reports a server socket's failed handshake to its server's
// OnTLSClientError listeners, once, and closes the socket.
func (t *TLSSocket) failHandshake(err error) {
	if !t.isServer || t.server == nil {
		return
	}
	t.mu.Lock()
	reported := t.reported
	t.reported = true
	t.mu.Unlock()
	if reported {
		return
	}
	t.server.clientError(err, t)
	t.abort()
}

// abort closes without close_notify, as Node's destroy() does.
func (t *TLSSocket) abort() {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return
	}
	t.closed = true
	t.mu.Unlock()
	if t.hsTimer != nil {
		t.hsTimer.Stop()
	}
	t.conn.Abort()
	t.finish()
}

// afterHandshake records what the accessors report and decides
// authorization, as Node does after 'secure'.
func (t *TLSSocket) afterHandshake() {
	if t.hsTimer != nil {
		t.hsTimer.Stop()
	}
	var stapled []byte
	if t.requestOCSP {
		t.conn.WithSSL(func(s *ossl.SSL) { stapled = s.OCSPResponse() })
	}
	if t.onOCSPResponse != nil {
		t.onOCSPResponse(stapled) // Node's 'OCSPResponse': before secureConnect, nil when none
	}
	t.recordHandshake()
}

// recordHandshake records what the accessors report after a handshake (the
// first or a renegotiation) and decides authorization, as Node does after
// 'secure'.
func (t *TLSSocket) recordHandshake() {
	var protocol string
	var chain [][]byte
	var result ossl.VerifyResult
	t.mu.Lock()
	needChain := !t.isServer || t.requestCert // a server that asked for nothing got nothing
	t.mu.Unlock()
	var alpn, npn, sniName string
	t.conn.WithSSL(func(s *ossl.SSL) {
		protocol = s.Version()
		alpn, npn = s.ALPNSelected(), s.NPNResult()
		if t.isServer {
			sniName = s.ServerName()
		}
		if needChain {
			chain = s.PeerCertificateChain()
			result = s.VerifyResult()
		}
	})
	t.mu.Lock()
	defer t.mu.Unlock()
	t.done = true
	t.protocol = protocol
	t.alpn, t.npn, t.sniName = alpn, npn, sniName
	t.peerChain = chain
	t.authorized, t.authErr = false, nil
	if t.isServer && !t.requestCert {
		return // Node: authorized false, authorizationError null
	}
	if len(chain) == 0 {
		// Node's quirk: no certificate reads as UNABLE_TO_GET_ISSUER_CERT.
		result = ossl.VerifyUnableToGetIssuerCert
	}
	if result == ossl.VerifyOK {
		t.authorized = true
		return
	}
	t.authErr = &Error{Code: result.Code(), Message: result.String()}
}

// rejectUnverifiedClient runs inside the server handshake, after OpenSSL
// completed it and before the final flight is sent.
func (t *TLSSocket) rejectUnverifiedClient() error {
	t.once.Do(t.afterHandshake)
	return t.verifyError()
}

// verifyError is the error a rejecting server socket fails its handshake
// with; nil otherwise.
func (t *TLSSocket) verifyError() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.isServer || !t.requestCert || !t.rejectUnauthorized {
		return nil
	}
	return t.authErr
}

// Read reads application data, running the handshake first if needed.
func (t *TLSSocket) Read(p []byte) (int, error) {
	if err := t.Handshake(); err != nil {
		return 0, err
	}
	n, err := t.conn.Read(p)
	if err != nil {
		err = t.established(err)
	}
	return n, err
}

// Write writes application data, running the handshake first if needed.
func (t *TLSSocket) Write(p []byte) (int, error) {
	if err := t.Handshake(); err != nil {
		return 0, err
	}
	n, err := t.conn.Write(p)
	if err != nil {
		err = t.established(err)
	}
	return n, err
}

// established converts an error on an established connection; a TLS
// failure closes the connection, as Node's 'error' event destroys it.
func (t *TLSSocket) established(err error) error {
	e := convertError(err, !t.isServer, false)
	var te *Error
	if errors.As(e, &te) {
		t.abort()
	}
	return e
}

// CloseWrite sends close_notify and half-closes the transport where it can
// (TCP, Unix sockets); reading goes on until the peer ends.
//
// Node: tlsSocket.end()
func (t *TLSSocket) CloseWrite() error {
	if err := t.Handshake(); err != nil {
		return err
	}
	return convertError(t.conn.CloseWrite(), !t.isServer, false)
}

// Close sends close_notify (bounded by a 5 s write deadline), closes the
// wrapped connection and releases the OpenSSL objects.
//
// Node: tlsSocket.destroy()
func (t *TLSSocket) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return net.ErrClosed
	}
	t.closed = true
	t.mu.Unlock()
	if t.hsTimer != nil {
		t.hsTimer.Stop()
	}
	err := t.conn.Close()
	t.finish()
	return err
}

// release frees the OpenSSL side but leaves the transport open (Connect
// with a caller's Socket).
func (t *TLSSocket) release() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	if t.hsTimer != nil {
		t.hsTimer.Stop()
	}
	t.conn.Release()
	t.finish()
}

func (t *TLSSocket) finish() {
	t.cancel(net.ErrClosed)
	if t.ownCtx {
		t.sc.Close()
	}
	if t.server != nil && t.countedOnce {
		t.countedOnce = false
		t.server.connClosed()
	}
}

// Context returns a context that is done when the socket closes or its
// handshake times out.
func (t *TLSSocket) Context() context.Context { return t.ctx }

// NetConn returns the wrapped connection.
func (t *TLSSocket) NetConn() net.Conn { return t.conn.NetConn() }

// Authorized reports whether the peer's certificate verified (and, for
// Connect, matched the host name).
//
// Node: tlsSocket.authorized
func (t *TLSSocket) Authorized() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.authorized
}

// AuthorizationError is why the peer was not authorized: a *Error whose
// Code is Node's (e.g. "DEPTH_ZERO_SELF_SIGNED_CERT"). It is nil when
// authorized, and on a server socket that did not request a certificate.
//
// Node: tlsSocket.authorizationError
func (t *TLSSocket) AuthorizationError() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.authErr
}

// Encrypted is always true.
//
// Node: tlsSocket.encrypted
func (t *TLSSocket) Encrypted() bool { return true }

// Cipher returns the negotiated cipher; the zero value before the
// handshake and after Close.
//
// Node: tlsSocket.getCipher()
func (t *TLSSocket) Cipher() CipherInfo {
	var ci CipherInfo
	if !t.handshakeDone() {
		return ci
	}
	t.conn.WithSSL(func(s *ossl.SSL) { ci.Name, ci.Version = s.Cipher() })
	return ci
}

func (t *TLSSocket) handshakeDone() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.done && !t.closed
}

// EphemeralKeyInfo describes the server's ephemeral key. It is nil on a
// server socket and the zero value when the key exchange was not
// ephemeral (or before the handshake).
//
// Node: tlsSocket.getEphemeralKeyInfo()
func (t *TLSSocket) EphemeralKeyInfo() *EphemeralKeyInfo {
	if t.isServer {
		return nil
	}
	info := &EphemeralKeyInfo{}
	if !t.handshakeDone() {
		return info
	}
	t.conn.WithSSL(func(s *ossl.SSL) {
		typ, name, bits, ok := s.PeerTmpKey()
		if !ok {
			return
		}
		switch typ {
		case ossl.KeyTypeDH:
			info.Type, info.Size = "DH", bits
		default:
			info.Type, info.Name, info.Size = "ECDH", name, bits
		}
	})
	return info
}

// PeerCertificate returns the peer's certificate in Node's shape; with
// detailed, IssuerCertificate links up the chain (the peer's chain first,
// then the certificates trusted through CA). It is nil when the peer sent
// none.
//
// Node: tlsSocket.getPeerCertificate([detailed])
func (t *TLSSocket) PeerCertificate(detailed bool) *PeerCertificate {
	t.mu.Lock()
	chain := t.peerChain
	t.mu.Unlock()
	if len(chain) == 0 {
		return nil
	}
	if detailed {
		// Node completes the chain from the context's trust store (the
		// system store when CA is nil).
		return buildPeerChainWithStore(chain, append(t.sc.ctx.StoreIssuers(chain), t.sc.caDER...))
	}
	return buildPeerChain(chain, false)
}

// Protocol returns the negotiated protocol ("TLSv1.2", "TLSv1.3", ...),
// "unknown" before the handshake and "" after Close.
//
// Node: tlsSocket.getProtocol()
func (t *TLSSocket) Protocol() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.closed:
		return ""
	case !t.done:
		return "unknown"
	}
	return t.protocol
}

// Session returns the latest resumable session in DER, for
// ConnectOptions.Session; nil when there is none. Under TLS 1.3 a session
// becomes resumable once a Read has processed the server's ticket.
//
// Node: tlsSocket.getSession()
func (t *TLSSocket) Session() []byte {
	var der []byte
	if t.handshakeDone() {
		t.conn.WithSSL(func(s *ossl.SSL) { der = s.Session() })
	}
	return der
}

// TLSTicket returns the session ticket the server sent (client only; under
// TLS 1.3 after a Read processed it); nil when none.
//
// Node: tlsSocket.getTLSTicket()
func (t *TLSSocket) TLSTicket() []byte {
	var tk []byte
	if !t.isServer && t.handshakeDone() {
		t.conn.WithSSL(func(s *ossl.SSL) { tk = s.Ticket() })
	}
	return tk
}

// IsSessionReused reports whether the handshake resumed a session.
//
// Node: tlsSocket.isSessionReused()
func (t *TLSSocket) IsSessionReused() bool {
	var r bool
	if t.handshakeDone() {
		t.conn.WithSSL(func(s *ossl.SSL) { r = s.SessionReused() })
	}
	return r
}

// ALPNProtocol returns the negotiated ALPN protocol, "" when none (Node's
// false).
//
// Node: tlsSocket.alpnProtocol
func (t *TLSSocket) ALPNProtocol() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.alpn
}

// NPNProtocol returns the NPN protocol, "" when none (Node's false): on a
// server the one negotiated, on a client the one it chose from the
// server's list (none when they share none, or without a list of its own).
// NPN exists only up to TLS 1.2, and ALPN takes precedence.
//
// Node: tlsSocket.npnProtocol
func (t *TLSSocket) NPNProtocol() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.npn
}

// ServerName returns the SNI name: on a server the one the client asked
// for, on a client the one it sent; "" when none.
//
// Node: tlsSocket.servername
func (t *TLSSocket) ServerName() string {
	if !t.isServer {
		return t.serverName
	}
	t.mu.Lock()
	done, name := t.done, t.sniName
	t.mu.Unlock()
	if done {
		return name
	}
	var r string
	t.conn.WithSSL(func(s *ossl.SSL) { r = s.ServerName() })
	return r
}

// OCSPResponse returns the OCSP response the server stapled (clients that
// set RequestOCSP); nil when none.
//
// Node: the 'OCSPResponse' event
func (t *TLSSocket) OCSPResponse() []byte {
	var r []byte
	if t.requestOCSP && t.handshakeDone() {
		t.conn.WithSSL(func(s *ossl.SSL) { r = s.OCSPResponse() })
	}
	return r
}

// Address returns the local address.
//
// Node: tlsSocket.address()
func (t *TLSSocket) Address() AddressInfo { return addressInfo(t.conn.LocalAddr()) }

// LocalAddress returns the local IP address; "" on transports without one.
//
// Node: tlsSocket.localAddress
func (t *TLSSocket) LocalAddress() string { return addressInfo(t.conn.LocalAddr()).Address }

// LocalPort returns the local port; 0 on transports without one.
//
// Node: tlsSocket.localPort
func (t *TLSSocket) LocalPort() int { return addressInfo(t.conn.LocalAddr()).Port }

// RemoteAddress returns the peer's IP address.
//
// Node: tlsSocket.remoteAddress
func (t *TLSSocket) RemoteAddress() string { return addressInfo(t.conn.RemoteAddr()).Address }

// RemoteFamily returns "IPv4" or "IPv6".
//
// Node: tlsSocket.remoteFamily
func (t *TLSSocket) RemoteFamily() string { return addressInfo(t.conn.RemoteAddr()).Family }

// RemotePort returns the peer's port.
//
// Node: tlsSocket.remotePort
func (t *TLSSocket) RemotePort() int { return addressInfo(t.conn.RemoteAddr()).Port }

func addressInfo(a net.Addr) AddressInfo {
	var ip net.IP
	var port int
	switch x := a.(type) {
	case *net.TCPAddr:
		ip, port = x.IP, x.Port
	case *net.UDPAddr:
		ip, port = x.IP, x.Port
	default:
		if a == nil {
			return AddressInfo{}
		}
		host, p, err := net.SplitHostPort(a.String())
		if err != nil {
			return AddressInfo{}
		}
		if ip = net.ParseIP(host); ip == nil {
			return AddressInfo{}
		}
		port, _ = strconv.Atoi(p)
	}
	if ip4 := ip.To4(); ip4 != nil {
		return AddressInfo{Port: port, Family: "IPv4", Address: ip4.String()}
	}
	return AddressInfo{Port: port, Family: "IPv6", Address: ip.String()}
}

// onHandshakeStart is Node's onhandshakestart: the first handshake only
// starts the clock; on a server, more than ClientRenegLimit handshakes
// within ClientRenegWindow is ERR_TLS_SESSION_ATTACK; after
// DisableRenegotiation any renegotiation is ERR_TLS_RENEGOTIATION_DISABLED.
// Either error ends the connection.
func (t *TLSSocket) onHandshakeStart() error {
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	last := t.lastHandshake
	t.lastHandshake = now
	if last.IsZero() {
		return nil
	}
	if now.Sub(last) >= t.renegWindow {
		t.handshakes = 1
	} else {
		t.handshakes++
	}
	if t.isServer && t.handshakes > t.renegLimit {
		return newError(CodeSessionAttack, "TLS session renegotiation attack detected")
	}
	if t.renegDisabled {
		return newError(CodeRenegotiationDisabled, "TLS session renegotiation disabled for this socket")
	}
	return nil
}

// Renegotiate runs a TLS 1.2 renegotiation and returns once it is done;
// options change what a server asks of the client (RequestCert) and
// whether it rejects an unverified one (RejectUnauthorized). Afterwards
// the accessors report the new handshake; a server that rejects an
// unverified client closes the connection and returns the verify error.
// Under TLS 1.3 it fails with ERR_SSL_WRONG_SSL_VERSION, as in Node. On a
// server it is bounded by HandshakeTimeout. Another goroutine may be
// blocked in Read meanwhile. When none is, Renegotiate reads for itself
// and keeps the application data that arrives for the next Read, up to
// 256 KiB; past that it stops reading until a Read takes some, so a peer
// that streams without answering meets TCP backpressure (as a Node
// stream stops reading past its highWaterMark).
//
// Node: tlsSocket.renegotiate(options, callback)
func (t *TLSSocket) Renegotiate(opts RenegotiateOptions) error {
	return t.RenegotiateContext(context.Background(), opts)
}

// RenegotiateContext is Renegotiate bounded by ctx (cancelling it closes
// the transport).
//
// Node: tlsSocket.renegotiate(options, callback)
func (t *TLSSocket) RenegotiateContext(ctx context.Context, opts RenegotiateOptions) error {
	if !t.handshakeDone() {
		return newError(CodeTLSInvalidState, "renegotiate before the handshake or after close")
	}
	if t.isServer {
		t.mu.Lock()
		t.requestCert = t.requestCert || opts.RequestCert
		t.rejectUnauthorized = boolOr(opts.RejectUnauthorized, t.rejectUnauthorized)
		mode := ossl.VerifyNone
		if t.requestCert {
			mode = ossl.VerifyPeer
			if t.rejectUnauthorized {
				mode |= ossl.VerifyFailIfNoPeerCert
			}
		}
		timeout := t.handshakeTimeout
		t.mu.Unlock()
		t.conn.WithSSL(func(s *ossl.SSL) { s.SetVerify(mode) })
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
	}
	if err := t.conn.Renegotiate(ctx); err != nil {
		e := convertError(err, !t.isServer, false)
		if ctx.Err() != nil {
			e = errors.Join(ctx.Err(), e)
		}
		var te *Error
		if errors.As(e, &te) && te.Code == "ERR_SSL_WRONG_SSL_VERSION" {
			return e // TLS 1.3: the connection goes on, as in Node
		}
		t.abort()
		return e
	}
	t.recordHandshake()
	if err := t.verifyError(); err != nil {
		t.abort()
		return err
	}
	return nil
}

// DisableRenegotiation makes a renegotiation the peer starts an error
// (ERR_TLS_RENEGOTIATION_DISABLED) that ends the connection.
//
// Node: tlsSocket.disableRenegotiation()
func (t *TLSSocket) DisableRenegotiation() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.renegDisabled = true
}

// SetMaxSendFragment limits the plaintext of each record sent; it returns
// false outside 512..16384.
//
// Node: tlsSocket.setMaxSendFragment(size)
func (t *TLSSocket) SetMaxSendFragment(size int) bool {
	if size < 512 || size > 16384 {
		return false
	}
	ok := false
	t.conn.WithSSL(func(s *ossl.SSL) { ok = s.SetMaxSendFragment(size) })
	return ok
}

// BytesWritten returns the bytes written to the transport, TLS framing
// included.
//
// Deprecated: Node's CryptoStream.bytesWritten; kept for ported code.
func (t *TLSSocket) BytesWritten() int64 { return t.conn.BytesWritten() }

// LocalAddr returns the local network address.
func (t *TLSSocket) LocalAddr() net.Addr { return t.conn.LocalAddr() }

// RemoteAddr returns the remote network address.
func (t *TLSSocket) RemoteAddr() net.Addr { return t.conn.RemoteAddr() }

// SetDeadline sets the read and write deadlines of the transport.
func (t *TLSSocket) SetDeadline(tm time.Time) error { return t.conn.SetDeadline(tm) }

// SetReadDeadline sets the read deadline of the transport.
func (t *TLSSocket) SetReadDeadline(tm time.Time) error { return t.conn.SetReadDeadline(tm) }

// SetWriteDeadline sets the write deadline; a write that times out leaves
// the connection unusable, as in crypto/tls.
func (t *TLSSocket) SetWriteDeadline(tm time.Time) error { return t.conn.SetWriteDeadline(tm) }
