package tls

import (
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/nodetls/nodetls/bridge"
	"github.com/nodetls/nodetls/ossl"
)

// An Error is a TLS or OpenSSL failure with Node's error fields. Every
// error this package returns for such a failure satisfies errors.As with
// *Error; transport errors stay reachable through Unwrap.
//
// Node: the Error objects of the tls module (err.code, err.reason, err.host, err.cert)
type Error struct {
	Code    string           // Node's err.code
	Message string           // Node's err.message, Node's wording where Node has one
	Reason  string           // Node's err.reason: OpenSSL's reason text, or checkServerIdentity's reason
	Host    string           // ERR_TLS_CERT_ALTNAME_INVALID only
	Cert    *PeerCertificate // ERR_TLS_CERT_ALTNAME_INVALID only
	Err     error            // the cause (a transport error, an OpenSSL error stack); Unwrap returns it
}

// Error returns Message, unchanged.
func (e *Error) Error() string { return e.Message }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Codes this package reports that are not derived from OpenSSL's queue.
const (
	CodeNotImplemented          = "ERR_NOT_IMPLEMENTED"
	CodeInvalidArgValue         = "ERR_INVALID_ARG_VALUE"
	CodeInvalidArgType          = "ERR_INVALID_ARG_TYPE"
	CodeOutOfRange              = "ERR_OUT_OF_RANGE"
	CodeHandshakeTimeout        = "ERR_TLS_HANDSHAKE_TIMEOUT"
	CodeInvalidProtocolMethod   = "ERR_TLS_INVALID_PROTOCOL_METHOD"
	CodeProtocolVersionConflict = "ERR_TLS_PROTOCOL_VERSION_CONFLICT"
	CodeInvalidProtocolVersion  = "ERR_TLS_INVALID_PROTOCOL_VERSION"
	CodeRequiredServerName      = "ERR_TLS_REQUIRED_SERVER_NAME"
	CodeDHParamSize             = "ERR_TLS_DH_PARAM_SIZE"
	CodeSessionAttack           = "ERR_TLS_SESSION_ATTACK"
	CodeRenegotiationDisabled   = "ERR_TLS_RENEGOTIATION_DISABLED"
	CodeCryptoOperationFailed   = "ERR_CRYPTO_OPERATION_FAILED"
	CodeConnReset               = "ECONNRESET"
	CodeCertAltnameInvalid      = codeAltnameInvalid
	CodeSocketClosed            = "ERR_SOCKET_CLOSED"
	CodeTLSInvalidState         = "ERR_TLS_INVALID_STATE"
	msgClientDisconnected       = "Client network socket disconnected before secure TLS connection was established"
	msgSocketHangUp             = "socket hang up"
	msgHandshakeTimeout         = "TLS handshake timeout"
)

// ErrorCode returns the Node code of the first *Error in err's chain, or
// "" when there is none.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func newError(code, msg string) *Error { return &Error{Code: code, Message: msg} }

func invalidArgValue(name string, value any, reason string) *Error {
	return newError(CodeInvalidArgValue, "The property '"+name+"' "+reason+". Received "+inspect(value))
}

// opensslError converts an *ossl.Error into Node's shape.
func opensslError(e *ossl.Error) *Error {
	return &Error{Code: e.Code(), Message: e.Error(), Reason: e.Reason(), Err: e}
}

// convertError gives an engine error its Node form. io.EOF, net.ErrClosed
// and transport timeouts pass through unchanged, so io.Copy, net/http and
// os.ErrDeadlineExceeded checks keep working; everything else becomes an
// *Error.
func convertError(err error, client, handshaking bool) error {
	if err == nil || err == io.EOF {
		return err
	}
	var te *Error
	if errors.As(err, &te) {
		return err
	}
	var oe *ossl.Error
	if errors.As(err, &oe) {
		return opensslError(oe)
	}
	if errors.Is(err, bridge.ErrUnexpectedEOF) {
		msg := msgSocketHangUp
		if client && handshaking {
			msg = msgClientDisconnected
		}
		return &Error{Code: CodeConnReset, Message: msg, Err: err}
	}
	if errors.Is(err, net.ErrClosed) {
		return err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return err
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		code := CodeConnReset
		if errors.Is(err, syscall.EPIPE) {
			code = "EPIPE"
		}
		msg := msgSocketHangUp
		if client && handshaking {
			msg = msgClientDisconnected
		}
		return &Error{Code: code, Message: msg, Err: err}
	}
	return err
}
