// Package ocsp will hold the OCSP helpers behind stapling: building a
// request for a certificate and its issuer, finding the responder in the
// certificate, and parsing and checking a response.
//
// BUG(nodetls): not implemented yet: this package is a placeholder; the
// OCSP options of package tls are refused with ERR_NOT_IMPLEMENTED.
package ocsp
