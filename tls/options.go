package tls

import (
	"context"
	"net"
	"time"
)

// KeyPEM is one private key of SecureContextOptions.Key.
//
// Node: the {pem, passphrase} objects of the key option
type KeyPEM struct {
	PEM        []byte
	Passphrase string // empty: SecureContextOptions.Passphrase is used
}

// SecureContextOptions configures CreateSecureContext, and the contexts
// CreateServer, Connect and NewTLSSocket build when they are given no
// SecureContext.
//
// Node: tls.createSecureContext(options)
type SecureContextOptions struct {
	// PFX is a PKCS#12 file holding a key, its certificate and extra CA
	// certificates, decrypted with Passphrase. Legacy (RC2-40) files work.
	PFX []byte

	// Key holds one or more PEM private keys (RSA, EC, Ed25519, ...), each
	// decrypted with its own passphrase or else with Passphrase.
	Key []KeyPEM

	// Passphrase decrypts Key entries without their own passphrase and PFX.
	Passphrase string

	// Cert holds PEM certificate chains, leaf first, one per key. Each
	// chain goes into the slot of its key type, so RSA and EC chains can be
	// served side by side.
	Cert [][]byte

	// CA holds trusted certificates; each entry may hold several PEM
	// certificates, and text that is not a certificate is ignored, as in
	// Node. Nil trusts the system store; non-nil, even empty, trusts only
	// these. On a server these also name the CAs sent in a
	// CertificateRequest.
	CA [][]byte

	// CRL holds PEM CRLs; any CRL turns revocation checking on.
	CRL [][]byte

	// Ciphers is an OpenSSL cipher list; TLS 1.3 suite names (TLS_*) go to
	// the TLS 1.3 list. Empty means DefaultCiphers. "@SECLEVEL=n" changes
	// the security level (1 by default, as in Node).
	Ciphers string

	// HonorCipherOrder makes the server's cipher and group preference win.
	// Nil leaves it unset; CreateServer makes it true for the contexts it
	// builds, as Node does.
	HonorCipherOrder *bool

	// ECDHCurve is a curve name, a ':' list, "auto" (OpenSSL's defaults) or
	// "false" (no ECDHE in TLS 1.2 and below). Empty means DefaultECDHCurve.
	ECDHCurve string

	// DHParam holds PEM DH parameters that enable DHE. Parameters under
	// 1024 bits are an error, under 2048 a warning; text that is not DH
	// parameters is ignored, as in Node.
	DHParam []byte

	// SecureProtocol names an OpenSSL method ("TLSv1_2_method",
	// "SSLv23_method", ...); it gives Node 20's version window for that
	// method. Empty means none: the window is MinVersion..MaxVersion.
	SecureProtocol string

	// SecureOptions is a bitmask of SSL_OP_* values.
	SecureOptions uint64

	// SessionIDContext is the session ID context of a server.
	SessionIDContext string

	// MinVersion and MaxVersion bound the protocol: "TLSv1", "TLSv1.1",
	// "TLSv1.2", "TLSv1.3". Empty means TLSv1.2 and TLSv1.3, as in Node 20.
	MinVersion string
	MaxVersion string
}

// ServerOptions configures CreateServer and Listen.
//
// Node: tls.createServer([options][, secureConnectionListener])
type ServerOptions struct {
	SecureContextOptions
	SecureContext      *SecureContext // optional: use this context instead of building one
	HandshakeTimeout   time.Duration  // 0: 120 s; negative: none
	RequestCert        bool
	RejectUnauthorized *bool    // nil: true (only matters with RequestCert)
	NPNProtocols       []string // in preference order
	ALPNProtocols      []string // in preference order
	// SNICallback replaces AddContext matching; (nil, nil) means the
	// default context. It is called only when the client sent SNI.
	SNICallback    func(servername string) (*SecureContext, error)
	SessionTimeout time.Duration // 0: OpenSSL's default (300 s); whole seconds
	TicketKeys     []byte        // exactly 48 bytes: 16 name, 16 HMAC, 16 AES; nil: random per server
}

// TLSSocketOptions configures NewTLSSocket.
//
// Node: new tls.TLSSocket(socket[, options])
type TLSSocketOptions struct {
	IsServer             bool
	Server               *Server // the socket uses that server's hooks, SNI contexts, ticket keys and timeout, and counts in its Connections()
	RequestCert          bool
	RejectUnauthorized   *bool
	NPNProtocols         []string
	ALPNProtocols        []string
	SNICallback          func(servername string) (*SecureContext, error)
	Session              []byte
	ServerName           string // client: SNI to send
	RequestOCSP          bool
	OnOCSPResponse       func(response []byte) // the 'OCSPResponse' event, before Handshake returns; nil when nothing was stapled
	SecureContext        *SecureContext
	SecureContextOptions // used when SecureContext is nil
}

// ConnectOptions configures Connect.
//
// Node: tls.connect(options[, callback])
type ConnectOptions struct {
	Host                 string // default "localhost"
	Port                 int
	Path                 string   // unix socket; Host and Port are then ignored
	Socket               net.Conn // an existing connection; Path, Host, Port are then ignored; never closed by a failing Connect
	RejectUnauthorized   *bool    // nil: true
	NPNProtocols         []string
	ALPNProtocols        []string
	ServerName           string // SNI, sent only when set (as Node); also the name CheckServerIdentity checks, else Host
	CheckServerIdentity  func(servername string, cert *PeerCertificate) error
	Session              []byte
	OnSession            func(session []byte) // Node's 'session' event
	MinDHSize            int                  // 0: 1024
	SecureContext        *SecureContext
	Lookup               func(ctx context.Context, host string) ([]string, error) // default: the system resolver; addresses tried in order
	RequestOCSP          bool
	OnOCSPResponse       func(response []byte) // the 'OCSPResponse' event, before Connect returns
	SecureContextOptions                       // used when SecureContext is nil
}

// RenegotiateOptions configures Renegotiate.
//
// Node: tlsSocket.renegotiate(options, callback)
type RenegotiateOptions struct {
	RejectUnauthorized *bool
	RequestCert        bool
}

// CipherInfo is the negotiated cipher.
//
// Node: tlsSocket.getCipher()
type CipherInfo struct{ Name, Version string }

// EphemeralKeyInfo describes the key exchange's ephemeral key.
//
// Node: tlsSocket.getEphemeralKeyInfo()
type EphemeralKeyInfo struct {
	Type string // "ECDH" or "DH"
	Name string // curve name, ECDH only ("prime256v1", "X25519" with Size 253)
	Size int    // bits
}

// AddressInfo is a bound or connected address.
//
// Node: server.address(), tlsSocket.address()
type AddressInfo struct {
	Port    int
	Family  string
	Address string
}
