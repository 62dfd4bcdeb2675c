package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nodetls/nodetls/internal/peers"
	"github.com/nodetls/nodetls/internal/testpki"
)

func pemCert(t *testing.T, name string) *x509.Certificate {
	t.Helper()
	b, _ := pem.Decode(testpki.Read(t, name))
	if b == nil {
		t.Fatalf("%s: no PEM", name)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The request is byte for byte the one openssl ocsp makes.
func TestOCSPRequestMatchesOpenSSL(t *testing.T) {
	openssl := peers.Require(t, "openssl")
	out := filepath.Join(t.TempDir(), "req.der")
	cmd := exec.Command(openssl, "ocsp", "-issuer", testpki.Path("ca1-cert.pem"),
		"-cert", testpki.Path("agent1-cert.pem"), "-no_nonce", "-reqout", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl ocsp: %v\n%s", err, b)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	id, err := newCertID(pemCert(t, "agent1-cert.pem"), pemCert(t, "ca1-cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := asn1Marshal(id)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("request\n%x\nwant (openssl)\n%x", got, want)
	}
}

func TestOCSPNextUpdate(t *testing.T) {
	agent1 := pemCert(t, "agent1-cert.pem")
	next, err := ocspNextUpdate(testpki.Read(t, "agent1-ocsp.der"), agent1.SerialNumber)
	if err != nil {
		t.Fatal(err)
	}
	if next.Before(time.Now().AddDate(50, 0, 0)) {
		t.Errorf("nextUpdate %v, want about 100 years ahead", next)
	}
	if _, err := ocspNextUpdate(testpki.Read(t, "agent1-ocsp.der"), pemCert(t, "agent3-cert.pem").SerialNumber); err == nil {
		t.Error("a response about agent1 accepted for agent3")
	}
	if _, err := ocspNextUpdate([]byte{0x30, 0x03, 0x0a, 0x01, 0x01}, agent1.SerialNumber); err == nil {
		t.Error("malformedRequest status accepted")
	}
}

// The fetcher posts to the certificate's responder and caches the answer
// until its nextUpdate.
func TestOCSPFetcher(t *testing.T) {
	resp := testpki.Read(t, "agent1-ocsp.der")
	var hits atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		body, _ := io.ReadAll(r.Body)
		var req ocspRequest
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/ocsp-request" {
			t.Errorf("%s with Content-Type %q", r.Method, r.Header.Get("Content-Type"))
		}
		if _, err := asn1.Unmarshal(body, &req); err != nil || len(req.TBSRequest.RequestList) != 1 {
			t.Errorf("request %x: %v", body, err)
		}
		w.Header().Set("Content-Type", "application/ocsp-response")
		w.Write(resp)
	}))
	defer ts.Close()
	o := newOCSPFetcher()
	// agent1 names http://ocsp.nodejs.org/: send that to the test server.
	o.client.Transport = &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, ts.Listener.Addr().String())
	}}
	agent1, _ := pem.Decode(testpki.Read(t, "agent1-cert.pem"))
	ca1, _ := pem.Decode(testpki.Read(t, "ca1-cert.pem"))
	for i := 0; i < 2; i++ {
		got, err := o.response(agent1.Bytes, ca1.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, resp) {
			t.Fatalf("response %d differs", i)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("%d requests to the responder, want 1 (the second from the cache)", n)
	}
	if _, err := o.response(agent1.Bytes, nil); err != nil {
		t.Errorf("cached response without issuer: %v", err)
	}
}
