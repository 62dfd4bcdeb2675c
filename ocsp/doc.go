// Package ocsp will hold the OCSP helpers behind stapling: building a
// request for a certificate and its issuer, finding the responder in the
// certificate, and parsing and checking a response.
//
// BUG(nodetls): not implemented yet: this package is a placeholder. Stapling
// itself works through package tls (Server.OnOCSPRequest, RequestOCSP,
// OCSPResponse); the echo tool's --ocsp-fetch carries its own small fetcher.
package ocsp
