package tls

import (
	"net"
	"sync"
)

// SecurePairOptions are the options of CreateSecurePair; the positional
// arguments win over the same fields.
//
// Deprecated: Node's tls.createSecurePair is deprecated; use NewTLSSocket.
type SecurePairOptions struct {
	TLSSocketOptions
}

// A SecurePair is a TLS engine between two streams: Cleartext carries the
// plain data, Encrypted the TLS records to pipe to and from a transport.
// Closing Encrypted closes the pair.
//
// Deprecated: Node's tls.SecurePair is deprecated; use NewTLSSocket.
type SecurePair struct {
	Cleartext *TLSSocket // the clear side, as Node's pair.cleartext
	Encrypted net.Conn   // the TLS records, to pipe to/from a transport

	mu       sync.Mutex
	onSecure []func()
	secure   bool
}

// CreateSecurePair makes a pair over an in-memory pipe. A nil ctx builds a
// default context. The handshake starts at once in the background; OnSecure
// listeners run when it completes.
//
// Deprecated: Node's tls.createSecurePair is deprecated; use NewTLSSocket.
func CreateSecurePair(ctx *SecureContext, isServer, requestCert, rejectUnauthorized bool, opts SecurePairOptions) (*SecurePair, error) {
	warnOnce.Do(func() {
		warn("DeprecationWarning", "DEP0064", "tls.createSecurePair() is deprecated. Please use tls.TLSSocket instead.")
	})
	o := opts.TLSSocketOptions
	o.SecureContext = ctx
	o.IsServer = isServer
	o.RequestCert = requestCert
	o.RejectUnauthorized = Bool(rejectUnauthorized)
	clear, enc := net.Pipe()
	t, err := NewTLSSocket(clear, o)
	if err != nil {
		clear.Close()
		enc.Close()
		return nil, err
	}
	p := &SecurePair{Cleartext: t, Encrypted: enc}
	go func() {
		if t.Handshake() != nil {
			return
		}
		p.mu.Lock()
		p.secure = true
		fns := p.onSecure
		p.mu.Unlock()
		for _, fn := range fns {
			fn()
		}
	}()
	return p, nil
}

var warnOnce sync.Once

// OnSecure adds a listener for the completed handshake; added after it
// completed, it runs at once.
//
// Deprecated: Node's pair.on('secure') is deprecated with the pair.
func (p *SecurePair) OnSecure(fn func()) {
	p.mu.Lock()
	if !p.secure {
		p.onSecure = append(p.onSecure, fn)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	fn()
}
