package ocsp

import "fmt"

// The codes of an Error.
const (
	CodeMalformed    = "OCSP_MALFORMED"     // the DER of a response or certificate does not parse, or its times are impossible
	CodeNoResponder  = "OCSP_NO_RESPONDER"  // the certificate names no OCSP responder
	CodeUnsuccessful = "OCSP_UNSUCCESSFUL"  // the responder answered with an error status (tryLater, ...)
	CodeBadSignature = "OCSP_BAD_SIGNATURE" // the signature does not verify, or the signer is not trusted or not authorized
	CodeNotYetValid  = "OCSP_NOT_YET_VALID" // thisUpdate is in the future
	CodeExpired      = "OCSP_EXPIRED"       // nextUpdate has passed
	CodeNotFound     = "OCSP_NOT_FOUND"     // the response says nothing about the certificate
	CodeRevoked      = "CERT_REVOKED"       // the certificate is revoked (Node's verification code)
	CodeCertUnknown  = "OCSP_CERT_UNKNOWN"  // the responder does not know the certificate
)

// An Error is a failed OCSP operation. Code is one of the Code constants;
// Err, when set, is the OpenSSL error behind it (an *ossl.Error).
type Error struct {
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

func malformed(what string, err error) *Error {
	return &Error{Code: CodeMalformed, Message: "malformed " + what, Err: err}
}
