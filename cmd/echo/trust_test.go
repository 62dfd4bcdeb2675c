package main

import (
	"strings"
	"testing"
)

// The client's --crl turns revocation checking on: a revoked server
// certificate fails the connection with Node's code.
func TestClientCRL(t *testing.T) {
	_, addr := startServer(t, "--key", fixture("revoked-key.pem"), "--cert", fixture("revoked-cert.pem"))
	base := []string{"client", addr, "--ca", fixture("ca1-cert.pem"), "--servername", "revoked"}
	r := runEcho(t, nil, append(base, "--crl", fixture("ca1-crl.pem"))...)
	if r.code != 1 || !strings.HasPrefix(r.stderr, "error: CERT_REVOKED: certificate revoked") {
		t.Fatalf("exit %d stderr %q; want exit 1 with CERT_REVOKED", r.code, r.stderr)
	}
	r = runEcho(t, nil, append(base, "--crl", fixture("ca1-crl.pem"), "--reject-unauthorized=false", "--json")...)
	if r.code != 0 || !strings.Contains(r.stdout, `"authorizationError":"CERT_REVOKED"`) {
		t.Fatalf("exit %d stdout %q stderr %q; want authorizationError CERT_REVOKED", r.code, r.stdout, r.stderr)
	}
}

// The server's --crl with --request-cert reports a revoked client.
func TestServerCRL(t *testing.T) {
	srv, addr := startServer(t, append(serverKeyArgs(), "--ca", fixture("ca1-cert.pem"), "--crl", fixture("ca1-crl.pem"),
		"--request-cert", "--reject-unauthorized=false", "--json")...)
	r := runEcho(t, []byte("x"), "client", addr, "--ca", fixture("ca1-cert.pem"), "--servername", "localhost",
		"--key", fixture("revoked-key.pem"), "--cert", fixture("revoked-cert.pem"))
	if r.code != 0 {
		t.Fatalf("client exit %d stderr %q", r.code, r.stderr)
	}
	srv.WaitForLine(t, `"authorizationError":"CERT_REVOKED"`, startTimeout)
}
