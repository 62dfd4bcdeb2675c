// Package tls gives Go programs the semantics of Node.js's tls module,
// built on the system OpenSSL (3.0 or newer): OpenSSL's cipher-list format,
// secureOptions bitmasks, method-style protocol selection, Node's error
// codes and certificate objects.
//
// # Mapping
//
// Node's functions keep their verbs (tls.connect is Connect,
// tls.createServer is CreateServer, tls.createSecureContext is
// CreateSecureContext, tls.checkServerIdentity is CheckServerIdentity,
// tls.getCiphers is Ciphers). Getters drop "get" (getPeerCertificate is
// PeerCertificate, getCipher is Cipher) and properties become methods
// (authorized is Authorized). Option names become exported fields with Go
// initialisms (ca is CA, dhparam is DHParam, servername is ServerName). A
// boolean whose Node default is true is a *bool; Bool makes one. Events
// become hooks: OnSecureConnection, OnTLSClientError, OnError; 'secureConnect'
// is the return of Connect. Every exported identifier's comment names its
// Node original on a "Node:" line.
//
// # Differences from Node.js
//
// Node's asynchronous callbacks are synchronous Go functions that may
// block; only that connection waits. A TLSSocket is a net.Conn: 'data' is
// Read, 'end' is io.EOF, socket.end() is CloseWrite, destroy() is Close.
// IssuerCertificate is nil at a self-signed root instead of pointing to
// itself, so certificates marshal to JSON. Protocol reports the protocol on
// server sockets too, as Node 20 does.
package tls
