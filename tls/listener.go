package tls

import (
	"context"
	"net"
	"strconv"
)

// A Listener is a net.Listener whose Accept yields *TLSSocket values at
// once; each handshake runs on the socket's first Read, Write or
// Handshake, so a slow client never blocks Accept. It serves net/http.
type Listener struct {
	srv *Server
	l   net.Listener
}

// Listen announces on the local network address and returns a TLS
// listener configured by opts.
func Listen(network, addr string, opts ServerOptions) (*Listener, error) {
	srv, err := CreateServer(opts, nil)
	if err != nil {
		return nil, err
	}
	l, err := listenConfig.Listen(context.Background(), network, addr)
	if err != nil {
		if srv.ownCtx {
			srv.sc.Close()
		}
		return nil, netError(err)
	}
	srv.mu.Lock()
	srv.listener = l
	srv.acceptDone = make(chan struct{})
	close(srv.acceptDone) // Accept runs in the caller, not in a loop of ours
	srv.mu.Unlock()
	return &Listener{srv: srv, l: l}, nil
}

// Server returns the Server behind the listener, for its hooks and
// Connections.
func (l *Listener) Server() *Server { return l.srv }

// Accept waits for the next connection and returns it as a *TLSSocket
// whose handshake has not run yet.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		nc, err := l.l.Accept()
		if err != nil {
			return nil, err
		}
		t, err := l.srv.newServerSocket(nc)
		if err != nil {
			nc.Close()
			l.srv.emitError(err)
			continue
		}
		return t, nil
	}
}

// Close stops listening; accepted connections go on.
func (l *Listener) Close() error { return l.srv.Close() }

// Addr returns the listening address.
func (l *Listener) Addr() net.Addr { return l.l.Addr() }

// Dial connects to addr on the named network and runs the handshake, as
// Connect does; when ServerName is empty and addr's host is a name, it is
// set to that name, as crypto/tls does. Host, Port, Path and Socket are
// ignored.
func Dial(network, addr string, opts ConnectOptions) (*TLSSocket, error) {
	return DialContext(context.Background(), network, addr, opts)
}

// DialContext is Dial with ctx bounding the dial and the handshake; it fits
// http.Transport's DialTLSContext.
func DialContext(ctx context.Context, network, addr string, opts ConnectOptions) (*TLSSocket, error) {
	if err := checkConnectOptions(opts); err != nil {
		return nil, err
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if opts.ServerName == "" && net.ParseIP(host) == nil {
		opts.ServerName = host
	}
	opts.Host = host
	opts.Port, _ = strconv.Atoi(port)
	opts.Path, opts.Socket = "", nil
	var d net.Dialer
	nc, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, netError(err)
	}
	return connect(ctx, opts, nc, true)
}
