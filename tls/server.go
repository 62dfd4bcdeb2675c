package tls

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nodetls/nodetls/ossl"
)

// defaultHandshakeTimeout is Node's handshakeTimeout default.
const defaultHandshakeTimeout = 120 * time.Second

// A Server accepts TLS connections. Each connection has its own goroutine:
// the handshake runs there, then the OnSecureConnection listeners are
// called there, in order. A listener may block for the life of the
// connection or return at once; returning neither closes nor reads the
// socket: the listener's code owns it and closes it.
//
// Node: tls.Server
type Server struct {
	sc                 *SecureContext
	ownCtx             bool
	requestCert        bool
	rejectUnauthorized bool
	handshakeTimeout   time.Duration
	sidCtx             []byte
	sessionTimeout     int    // seconds; 0: the context's
	alpn, npn          []byte // wire format
	sniCallback        func(servername string) (*SecureContext, error)

	mu           sync.Mutex   // guards the fields below
	contexts     []sniContext // AddContext entries, oldest first
	ticketKeys   []byte       // 48 bytes; replaced whole by SetTicketKeys
	onOCSP       func(cert, issuer []byte) ([]byte, error)
	listener     net.Listener
	acceptDone   chan struct{} // closed when the accept loop has exited
	closing      bool
	onSecure     []func(*TLSSocket)
	onClientErr  []func(error, *TLSSocket)
	onError      []func(error)
	onNewSession []func(sessionID, sessionData []byte)
	onResume     func(sessionID []byte) ([]byte, error)
	conns        int
	connsZero    chan struct{} // closed when conns drops to 0; replaced when it rises
}

// CreateServer makes a server; onSecureConnection, if not nil, is its
// first OnSecureConnection listener. A context it builds from opts has
// HonorCipherOrder true unless opts says otherwise, as in Node.
//
// Node: tls.createServer([options][, secureConnectionListener])
func CreateServer(opts ServerOptions, onSecureConnection func(*TLSSocket)) (*Server, error) {
	switch {
	case opts.SessionTimeout < 0:
		return nil, newError(CodeOutOfRange, "The value of \"options.sessionTimeout\" is out of range. It must be >= 0. Received "+strconv.Itoa(int(opts.SessionTimeout/time.Second)))
	case opts.TicketKeys != nil && len(opts.TicketKeys) != 48:
		return nil, newError(CodeInvalidArgValue, "The property 'options.ticketKeys' must be exactly 48 bytes. Received "+strconv.Itoa(len(opts.TicketKeys)))
	}
	ticketKeys := slices.Clone(opts.TicketKeys)
	if ticketKeys == nil {
		ticketKeys = make([]byte, 48)
		if _, err := rand.Read(ticketKeys); err != nil {
			return nil, &Error{Code: CodeCryptoOperationFailed, Message: "Failed to generate ticket keys", Err: err}
		}
	}
	alpn, err := protocolWire(opts.ALPNProtocols)
	if err != nil {
		return nil, err
	}
	npn, err := protocolWire(opts.NPNProtocols)
	if err != nil {
		return nil, err
	}
	s := &Server{
		sessionTimeout:     int((opts.SessionTimeout + time.Second - 1) / time.Second),
		ticketKeys:         ticketKeys,
		alpn:               alpn,
		npn:                npn,
		sniCallback:        opts.SNICallback,
		sc:                 opts.SecureContext,
		requestCert:        opts.RequestCert,
		rejectUnauthorized: boolOr(opts.RejectUnauthorized, true),
		handshakeTimeout:   opts.HandshakeTimeout,
		sidCtx:             defaultSessionIDContext(),
		connsZero:          make(chan struct{}),
	}
	close(s.connsZero)
	if s.handshakeTimeout == 0 {
		s.handshakeTimeout = defaultHandshakeTimeout
	}
	if s.sc == nil {
		o := opts.SecureContextOptions
		if o.HonorCipherOrder == nil {
			o.HonorCipherOrder = Bool(true)
		}
		sc, err := createSecureContext(o, "options")
		if err != nil {
			return nil, err
		}
		s.sc, s.ownCtx = sc, true
	}
	if onSecureConnection != nil {
		s.onSecure = append(s.onSecure, onSecureConnection)
	}
	return s, nil
}

// listenConfig leaves TCP keep-alive off on accepted connections, as Node's
// servers do (Go turns it on by default).
var listenConfig = net.ListenConfig{KeepAlive: -1}

// defaultSessionIDContext is Node's default session ID context: the first
// 32 hex digits of the SHA-1 of the process's arguments.
func defaultSessionIDContext() []byte {
	sum := sha1.Sum([]byte(strings.Join(os.Args, " ")))
	return []byte(hex.EncodeToString(sum[:])[:32])
}

// Listen binds hostname:port and serves in the background. Port 0 picks a
// free port; hostname "" binds [::] (dual stack) or 0.0.0.0.
//
// Node: server.listen([port[, host]])
func (s *Server) Listen(port int, hostname string) error {
	l, err := listenConfig.Listen(context.Background(), "tcp", net.JoinHostPort(hostname, strconv.Itoa(port)))
	if err != nil {
		return netError(err)
	}
	if err := s.setListener(l); err != nil {
		l.Close()
		return err
	}
	go s.serve(l)
	return nil
}

// Serve accepts connections on l until Close; it returns nil after Close,
// and the accept error otherwise.
//
// Node: server.listen(handle)
func (s *Server) Serve(l net.Listener) error {
	if err := s.setListener(l); err != nil {
		return err
	}
	return s.serve(l)
}

func (s *Server) setListener(l net.Listener) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener != nil {
		return newError("ERR_SERVER_ALREADY_LISTEN", "Listen method has been called more than once without closing.")
	}
	s.listener = l
	s.closing = false
	s.acceptDone = make(chan struct{})
	return nil
}

func (s *Server) serve(l net.Listener) error {
	s.mu.Lock()
	done := s.acceptDone
	s.mu.Unlock()
	defer close(done)
	var delay time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			s.mu.Lock()
			closing := s.closing
			s.mu.Unlock()
			if closing {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded) {
				continue
			}
			if isTemporaryAccept(err) {
				// Out of file descriptors and the like: back off, as net/http does.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			s.emitError(err)
			return err
		}
		delay = 0
		go s.handle(nc)
	}
}

func isTemporaryAccept(err error) bool {
	var se interface{ Temporary() bool }
	return errors.As(err, &se) && se.Temporary()
}

// handle runs one connection: handshake, then the listeners.
func (s *Server) handle(nc net.Conn) {
	t, err := s.newServerSocket(nc)
	if err != nil {
		nc.Close()
		s.emitError(err)
		return
	}
	if err := t.Handshake(); err != nil {
		return // reported to OnTLSClientError and closed by the socket
	}
	s.mu.Lock()
	listeners := slices.Clone(s.onSecure)
	s.mu.Unlock()
	for _, fn := range listeners {
		fn(t)
	}
}

func (s *Server) newServerSocket(nc net.Conn) (*TLSSocket, error) {
	t, err := newSocket(nc, socketConfig{
		isServer:           true,
		server:             s,
		sc:                 s.sc,
		requestCert:        s.requestCert,
		rejectUnauthorized: s.rejectUnauthorized,
		handshakeTimeout:   s.handshakeTimeout,
		sessionIDContext:   s.sidCtx,
		alpn:               s.alpn,
		npn:                s.npn,
		sni:                s.sniPicker(),
		ticketKeys:         s.currentTicketKeys(),
		sessionTimeout:     s.sessionTimeout,
		ocspRequest:        s.ocspHook(),
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

func (s *Server) clientError(err error, t *TLSSocket) {
	s.mu.Lock()
	fns := slices.Clone(s.onClientErr)
	s.mu.Unlock()
	for _, fn := range fns {
		fn(err, t)
	}
}

func (s *Server) emitError(err error) {
	s.mu.Lock()
	fns := slices.Clone(s.onError)
	s.mu.Unlock()
	for _, fn := range fns {
		fn(err)
	}
}

func (s *Server) connOpened() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns == 0 {
		s.connsZero = make(chan struct{})
	}
	s.conns++
}

func (s *Server) connClosed() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns--
	if s.conns == 0 {
		close(s.connsZero)
	}
}

// Address returns the bound address.
//
// Node: server.address()
func (s *Server) Address() AddressInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener == nil {
		return AddressInfo{}
	}
	return addressInfo(s.listener.Addr())
}

// Close stops accepting and returns once the accept loop has exited; open
// connections go on.
//
// Node: server.close([callback])
func (s *Server) Close() error {
	s.mu.Lock()
	l, done := s.listener, s.acceptDone
	if l == nil {
		s.mu.Unlock()
		return newError("ERR_SERVER_NOT_RUNNING", "Server is not running.")
	}
	s.closing = true
	s.listener = nil
	s.mu.Unlock()
	err := l.Close()
	<-done
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// Shutdown closes the server, then waits until Connections is 0 (Node's
// 'close' event) or ctx is done.
//
// Node: server.close(callback)
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.Close(); err != nil && ErrorCode(err) != "ERR_SERVER_NOT_RUNNING" {
		return err
	}
	s.mu.Lock()
	zero := s.connsZero
	s.mu.Unlock()
	select {
	case <-zero:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Connections returns the number of open connections, handshaking ones
// included.
//
// Node: server.getConnections(callback), server.connections
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// AddContext adds an SNI context for hostname, built from opts. A '*'
// stands for any run of characters but a dot ("*.example.com"); matching
// is case-sensitive and the most recently added match wins, as in Node 20.
// Later connections use it.
//
// Node: server.addContext(hostname, context)
func (s *Server) AddContext(hostname string, opts SecureContextOptions) error {
	if hostname == "" {
		return newError(CodeRequiredServerName, "\"servername\" is required parameter for Server.addContext")
	}
	sc, err := createSecureContext(opts, "context")
	if err != nil {
		return err
	}
	return s.AddSecureContext(hostname, sc)
}

// AddSecureContext adds an SNI context that is already built; see
// AddContext.
//
// Node: server.addContext(hostname, context)
func (s *Server) AddSecureContext(hostname string, ctx *SecureContext) error {
	if hostname == "" {
		return newError(CodeRequiredServerName, "\"servername\" is required parameter for Server.addContext")
	}
	re, err := sniPattern(hostname)
	if err != nil {
		return &Error{Code: CodeInvalidArgValue, Message: "The argument 'servername' is not a valid pattern. Received " + inspect(hostname), Err: err}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.contexts = append(s.contexts, sniContext{re: re, sc: ctx})
	return nil
}

// sniPicker returns what a new connection uses to choose its context by
// SNI: the SNICallback, else the AddContext entries as they are now; nil
// when there is neither (no pause at all).
func (s *Server) sniPicker() func(string) (*SecureContext, error) {
	if s.sniCallback != nil {
		return s.sniCallback
	}
	s.mu.Lock()
	contexts := slices.Clone(s.contexts)
	s.mu.Unlock()
	if len(contexts) == 0 {
		return nil
	}
	return func(servername string) (*SecureContext, error) {
		for i := len(contexts) - 1; i >= 0; i-- {
			if contexts[i].re.MatchString(servername) {
				return contexts[i].sc, nil
			}
		}
		return nil, nil
	}
}

// TicketKeys returns a copy of the 48-byte session ticket keys: 16 bytes
// of key name, 16 of HMAC-SHA256 key, 16 of AES-128-CBC key. Servers that
// share them resume each other's tickets, Node's included.
//
// Node: server.getTicketKeys()
func (s *Server) TicketKeys() []byte { return s.currentTicketKeys() }

func (s *Server) currentTicketKeys() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ticketKeys)
}

// SetTicketKeys replaces the session ticket keys for later connections.
//
// Node: server.setTicketKeys(keys)
func (s *Server) SetTicketKeys(keys []byte) error {
	if len(keys) != 48 {
		return newError(CodeInvalidArgValue, "Session ticket keys must be a 48-byte buffer")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ticketKeys = slices.Clone(keys)
	return nil
}

// OnSecureConnection adds a listener for completed handshakes.
//
// Node: server.on('secureConnection', listener)
func (s *Server) OnSecureConnection(fn func(*TLSSocket)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onSecure = append(s.onSecure, fn)
}

// OnNewSession adds a listener for each new session the server makes, for
// an external session store: its ID and its DER. OpenSSL calls for it when
// sessions are resumed by ID (TLS 1.2, with SSL_OP_NO_TICKET or a client
// without tickets) and for TLS 1.3 stateful tickets. The listener runs
// before the server sends its next flight; it may block.
//
// Node: server.on('newSession', listener)
func (s *Server) OnNewSession(fn func(sessionID, sessionData []byte)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onNewSession = append(s.onNewSession, fn)
}

// OnResumeSession sets the external session store's lookup: when a
// ClientHello offers a session ID, fn gets it and returns the session's DER
// (from OnNewSession), or nil, nil when it has none (a full handshake). It
// may block; only that handshake waits, holding no C call or OS thread. An
// error fails the handshake. As in Node it serves TLS 1.2 session IDs.
//
// Node: server.on('resumeSession', listener)
func (s *Server) OnResumeSession(fn func(sessionID []byte) (sessionData []byte, err error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onResume = fn
}

// sessionHooks returns the session store hooks as they are now.
func (s *Server) sessionHooks() (newSession func(der []byte), resume func(id []byte) ([]byte, error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fns := slices.Clone(s.onNewSession); len(fns) > 0 {
		newSession = func(der []byte) {
			id := ossl.SessionID(der)
			for _, fn := range fns {
				fn(id, der)
			}
		}
	}
	return newSession, s.onResume
}

// OnOCSPRequest sets the OCSP stapling hook: for a client that asks for
// a certificate status, it gets the DER of the certificate the server is
// about to send and of its issuer (nil when unknown) and returns the DER
// response to staple (nil: none). It may block (fetch a response); only
// that handshake waits, holding no C call or OS thread. An error fails the
// handshake. It replaces an earlier hook and applies to later connections.
//
// Node: server.on('OCSPRequest', listener)
func (s *Server) OnOCSPRequest(fn func(cert, issuer []byte) (response []byte, err error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onOCSP = fn
}

func (s *Server) ocspHook() func(cert, issuer []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.onOCSP
}

// OnTLSClientError adds a listener for connections that fail before the
// handshake completes; the server closes that socket afterwards.
//
// Node: server.on('tlsClientError', listener)
func (s *Server) OnTLSClientError(fn func(err error, socket *TLSSocket)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onClientErr = append(s.onClientErr, fn)
}

// OnError adds a listener for accept errors that end serving.
//
// Node: server.on('error', listener)
func (s *Server) OnError(fn func(err error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onError = append(s.onError, fn)
}
