package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// The fetcher posts the request openssl ocsp -no_nonce makes to the
// certificate's responder, staples only a sound answer about that
// certificate, and caches it until its nextUpdate.
func TestOCSPFetcher(t *testing.T) {
	openssl := peers.Require(t, "openssl")
	reqFile := filepath.Join(t.TempDir(), "req.der")
	if b, err := exec.Command(openssl, "ocsp", "-issuer", testpki.Path("ca1-cert.pem"), "-cert", testpki.Path("agent1-cert.pem"),
		"-no_nonce", "-reqout", reqFile).CombinedOutput(); err != nil {
		t.Fatalf("openssl ocsp: %v\n%s", err, b)
	}
	wantReq, err := os.ReadFile(reqFile)
	if err != nil {
		t.Fatal(err)
	}
	good := testpki.Read(t, "agent1-ocsp.der")
	var answer atomic.Pointer[[]byte]
	answer.Store(&good)
	var hits atomic.Int32
	var checkReq atomic.Bool
	checkReq.Store(true)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/ocsp-request" {
			t.Errorf("%s with Content-Type %q", r.Method, r.Header.Get("Content-Type"))
		}
		if checkReq.Load() && !bytes.Equal(body, wantReq) {
			t.Errorf("request %x, want (openssl) %x", body, wantReq)
		}
		w.Header().Set("Content-Type", "application/ocsp-response")
		w.Write(*answer.Load())
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
		if !bytes.Equal(got, good) {
			t.Fatalf("response %d differs", i)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("%d requests to the responder, want 1 (the second from the cache)", n)
	}
	if _, err := o.response(agent1.Bytes, nil); err != nil {
		t.Errorf("cached response without issuer: %v", err)
	}

	// Past its nextUpdate the cached response is fetched again, and the
	// same (now expired) answer is refused.
	o.now = func() time.Time { return time.Now().AddDate(200, 0, 0) }
	if _, err := o.response(agent1.Bytes, ca1.Bytes); err == nil || hits.Load() != 2 {
		t.Errorf("expired: err %v after %d requests; want an error after 2", err, hits.Load())
	}
	o.now = time.Now
	o.cache = map[[32]byte]cachedOCSP{}

	for name, tc := range map[string]struct {
		answer []byte
		want   string
	}{
		"about another certificate": {testpki.Read(t, "revoked-ocsp.der"), "OCSP_NOT_FOUND"},
		"garbage":                   {[]byte("<html>"), "OCSP_MALFORMED"},
		"tryLater":                  {[]byte{0x30, 0x03, 0x0a, 0x01, 0x03}, "OCSP_UNSUCCESSFUL"},
	} {
		answer.Store(&tc.answer)
		_, err := o.response(agent1.Bytes, ca1.Bytes)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %s", name, err, tc.want)
		}
	}
	// Signed by a CA that did not issue agent1: refused.
	checkReq.Store(false) // the request names ca2
	answer.Store(&good)
	if _, err := o.response(agent1.Bytes, pemDERBytes(t, "ca2-cert.pem")); err == nil {
		t.Error("a response accepted with the wrong issuer")
	}
}

func pemDERBytes(t *testing.T, name string) []byte {
	b, _ := pem.Decode(testpki.Read(t, name))
	if b == nil {
		t.Fatalf("%s: no PEM", name)
	}
	return b.Bytes
}

// echo server --ocsp-fetch end to end: the server asks the responder its
// certificate names (reached here through an HTTP proxy on loopback, which
// answers with openssl ocsp as the responder), staples the answer, and
// openssl s_client -status reads it; a second client gets the cached one.
func TestOCSPFetchEndToEnd(t *testing.T) {
	openssl := peers.Require(t, "openssl")
	dir := t.TempDir()
	index := filepath.Join(dir, "index.txt")
	serial := fmt.Sprintf("%X", pemCert(t, "agent1-cert.pem").SerialNumber)
	if err := os.WriteFile(index, []byte("V\t21000101000000Z\t\t"+serial+"\tunknown\t/CN=agent1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var asked atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		if got := r.URL.String(); got != "http://ocsp.nodejs.org/" {
			t.Errorf("the proxy was asked for %q, want agent1's responder http://ocsp.nodejs.org/", got)
		}
		body, _ := io.ReadAll(r.Body)
		in, out := filepath.Join(dir, "req.der"), filepath.Join(dir, "resp.der")
		if err := os.WriteFile(in, body, 0o600); err != nil {
			t.Error(err)
			return
		}
		cmd := exec.Command(openssl, "ocsp", "-index", index, "-CA", testpki.Path("ca1-cert.pem"),
			"-rsigner", testpki.Path("ca1-cert.pem"), "-rkey", testpki.Path("ca1-key.pem"), "-ndays", "1",
			"-reqin", in, "-respout", out)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("openssl ocsp: %v\n%s", err, b)
			return
		}
		resp, _ := os.ReadFile(out)
		w.Header().Set("Content-Type", "application/ocsp-response")
		w.Write(resp)
	}))
	defer proxy.Close()

	env := []string{"HTTP_PROXY=" + proxy.URL, "http_proxy=" + proxy.URL, "NO_PROXY=", "no_proxy="}
	srv := peers.StartProcessEnv(t, env, echoBin, "server", "--listen", "127.0.0.1:0", "--key", fixture("agent1-key.pem"),
		"--cert", fixture("agent1-cert.pem"), "--ca", fixture("ca1-cert.pem"), "--ocsp-fetch", "--json")
	addr, _ := strings.CutPrefix(srv.WaitForLine(t, "listening on ", startTimeout), "listening on ")
	for i := 0; i < 2; i++ {
		c := peers.StartProcess(t, openssl, "s_client", "-connect", addr, "-status", "-no_ign_eof")
		c.WaitForLine(t, "OCSP Response Status: successful", startTimeout)
		c.WaitForLine(t, "Cert Status: good", startTimeout)
		srv.WaitForLine(t, `"event":"OCSPRequest"`, startTimeout)
		c.CloseStdin()
		c.Wait(startTimeout)
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("the responder was asked %d times, want once (then the cache)", n)
	}
	if strings.Contains(srv.Stderr(), "--ocsp-fetch") {
		t.Errorf("server stderr: %s", srv.Stderr())
	}
}
