package ocsp

import (
	"github.com/nodetls/nodetls/ossl"
)

// NewRequest returns the DER OCSP request for cert issued by issuer (both
// DER): one CertID made with SHA-1, as RFC 5019 asks, and no nonce, so
// that responders and caches can answer it from a precomputed response.
// It is byte for byte what openssl ocsp -no_nonce sends.
func NewRequest(cert, issuer []byte) ([]byte, error) {
	if len(issuer) == 0 {
		return nil, &Error{Code: CodeMalformed, Message: "an OCSP request needs the certificate's issuer"}
	}
	der, err := ossl.OCSPRequest(cert, issuer)
	if err != nil {
		return nil, malformed("certificate", err)
	}
	return der, nil
}

// ResponderURL returns the first OCSP responder that cert (DER) names in
// its authorityInfoAccess extension; an Error with CodeNoResponder when
// it names none.
func ResponderURL(cert []byte) (string, error) {
	urls, err := ResponderURLs(cert)
	if err != nil {
		return "", err
	}
	if len(urls) == 0 {
		return "", &Error{Code: CodeNoResponder, Message: "the certificate names no OCSP responder"}
	}
	return urls[0], nil
}

// ResponderURLs returns every OCSP responder that cert (DER) names, in
// order; nil when it names none.
func ResponderURLs(cert []byte) ([]string, error) {
	urls, err := ossl.OCSPResponderURLs(cert)
	if err != nil {
		return nil, malformed("certificate", err)
	}
	return urls, nil
}
