// Package ocsp holds the OCSP helpers behind stapling (RFC 6960), over
// OpenSSL through package ossl: building a request for a certificate,
// finding its responder, and reading and checking a response.
//
// Node's tls module leaves all of this to the application, and so does
// package tls. A server stapling responses (Node's 'OCSPRequest' event,
// tls.Server.OnOCSPRequest) gets the certificate and its issuer as DER and
// returns a DER response; these helpers fetch one:
//
//	srv.OnOCSPRequest(func(cert, issuer []byte) ([]byte, error) {
//		url, err := ocsp.ResponderURL(cert)
//		if err != nil || issuer == nil {
//			return nil, err // no staple
//		}
//		req, err := ocsp.NewRequest(cert, issuer)
//		if err != nil {
//			return nil, err
//		}
//		resp, err := http.Post(url, "application/ocsp-request", bytes.NewReader(req))
//		// ... read the body as der, then check it before stapling:
//		r, err := ocsp.ParseResponse(der)
//		if err == nil {
//			_, err = r.Verify(cert, issuer, ocsp.VerifyOptions{})
//		}
//		...
//	})
//
// A client that asked for a staple (tls.ConnectOptions.RequestOCSP, Node's
// requestOCSP) receives the raw response (Node's 'OCSPResponse' event,
// tls.TLSSocket.OCSPResponse) and checks it the same way, with the
// certificate and its issuer from the peer's chain (the Raw fields of
// tls.PeerCertificate and of its IssuerCertificate), and VerifyOptions.Roots
// when the chain itself was not verified.
//
// Every function takes DER and parses it afresh in one C call; nothing
// holds C memory between calls.
package ocsp
