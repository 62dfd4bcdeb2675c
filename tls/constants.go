package tls

import (
	"fmt"
	"time"

	"github.com/nodetls/nodetls/cipherlist"
	"github.com/nodetls/nodetls/ossl"
)

// DefaultCiphers is the cipher list used when Ciphers is empty: the
// specification's tls.DEFAULT_CIPHERS joined by ':'. TLS 1.3 suites stay
// at OpenSSL's default, as in Node 20. It is read when a context is made:
// set it before creating contexts.
//
// Node: tls.DEFAULT_CIPHERS
var DefaultCiphers = cipherlist.Default

// DefaultECDHCurve is the curve used when ECDHCurve is empty. It is read
// when a context is made.
//
// Node: tls.DEFAULT_ECDH_CURVE
var DefaultECDHCurve = "prime256v1"

// ClientRenegLimit and ClientRenegWindow bound client-initiated
// renegotiations: more than ClientRenegLimit within ClientRenegWindow is
// ERR_TLS_SESSION_ATTACK. They are read when a connection is made.
//
// Node: tls.CLIENT_RENEG_LIMIT, tls.CLIENT_RENEG_WINDOW
var (
	ClientRenegLimit  = 3
	ClientRenegWindow = 600 * time.Second
)

// OnWarning receives Node's process warnings: name ("SecurityWarning",
// "DeprecationWarning"), code ("DEP0123" or "") and message. Nil discards
// them.
//
// Node: process.emitWarning
var OnWarning func(name, code, message string)

func warn(name, code, message string) {
	if f := OnWarning; f != nil {
		f(name, code, message)
	}
}

// Bool returns a pointer to v, for the *bool options whose nil means
// Node's default.
func Bool(v bool) *bool { return &v }

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

// The SSL_OP_* bits for SecureOptions, with the values of the OpenSSL
// headers this package was built against.
//
// Node: crypto.constants.SSL_OP_*
const (
	SSL_OP_ALL                                    = ossl.SSL_OP_ALL
	SSL_OP_ALLOW_NO_DHE_KEX                       = ossl.SSL_OP_ALLOW_NO_DHE_KEX
	SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION      = ossl.SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION
	SSL_OP_CIPHER_SERVER_PREFERENCE               = ossl.SSL_OP_CIPHER_SERVER_PREFERENCE
	SSL_OP_CISCO_ANYCONNECT                       = ossl.SSL_OP_CISCO_ANYCONNECT
	SSL_OP_COOKIE_EXCHANGE                        = ossl.SSL_OP_COOKIE_EXCHANGE
	SSL_OP_CRYPTOPRO_TLSEXT_BUG                   = ossl.SSL_OP_CRYPTOPRO_TLSEXT_BUG
	SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS            = ossl.SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS
	SSL_OP_LEGACY_SERVER_CONNECT                  = ossl.SSL_OP_LEGACY_SERVER_CONNECT
	SSL_OP_NO_COMPRESSION                         = ossl.SSL_OP_NO_COMPRESSION
	SSL_OP_NO_ENCRYPT_THEN_MAC                    = ossl.SSL_OP_NO_ENCRYPT_THEN_MAC
	SSL_OP_NO_QUERY_MTU                           = ossl.SSL_OP_NO_QUERY_MTU
	SSL_OP_NO_RENEGOTIATION                       = ossl.SSL_OP_NO_RENEGOTIATION
	SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION = ossl.SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION
	SSL_OP_NO_SSLv2                               = ossl.SSL_OP_NO_SSLv2
	SSL_OP_NO_SSLv3                               = ossl.SSL_OP_NO_SSLv3
	SSL_OP_NO_TICKET                              = ossl.SSL_OP_NO_TICKET
	SSL_OP_NO_TLSv1                               = ossl.SSL_OP_NO_TLSv1
	SSL_OP_NO_TLSv1_1                             = ossl.SSL_OP_NO_TLSv1_1
	SSL_OP_NO_TLSv1_2                             = ossl.SSL_OP_NO_TLSv1_2
	SSL_OP_NO_TLSv1_3                             = ossl.SSL_OP_NO_TLSv1_3
	SSL_OP_PRIORITIZE_CHACHA                      = ossl.SSL_OP_PRIORITIZE_CHACHA
	SSL_OP_TLS_ROLLBACK_BUG                       = ossl.SSL_OP_TLS_ROLLBACK_BUG
	SSL_OP_IGNORE_UNEXPECTED_EOF                  = ossl.SSL_OP_IGNORE_UNEXPECTED_EOF
	SSL_OP_ALLOW_CLIENT_RENEGOTIATION             = ossl.SSL_OP_ALLOW_CLIENT_RENEGOTIATION
	SSL_OP_ENABLE_MIDDLEBOX_COMPAT                = ossl.SSL_OP_ENABLE_MIDDLEBOX_COMPAT
)

// inspect renders a value the way Node's error messages show it.
func inspect(v any) string {
	switch x := v.(type) {
	case string:
		return "'" + x + "'"
	case []byte:
		return fmt.Sprintf("<Buffer %d bytes>", len(x))
	default:
		return fmt.Sprint(x)
	}
}
