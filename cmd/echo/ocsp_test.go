package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nodetls/nodetls/internal/peers"
	"github.com/nodetls/nodetls/internal/testpki"
	"github.com/nodetls/nodetls/ocsp"
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

// responder is an OCSP responder on loopback that answers with openssl
// ocsp, from an index where agent1 is valid or revoked. It checks that
// each request is the one openssl ocsp -no_nonce makes for agent1.
type responder struct {
	t       *testing.T
	openssl string
	dir     string
	srv     *httptest.Server
	hits    atomic.Int32
	wantReq []byte

	mu      sync.Mutex
	revoked bool
	args    []string // extra openssl ocsp arguments (-ndays, -nmin)
	body    []byte   // when set, answered instead
	status  int      // when set, the HTTP status instead of 200
	delay   time.Duration
}

func newResponder(t *testing.T) *responder {
	r := &responder{t: t, openssl: peers.Require(t, "openssl"), dir: t.TempDir(), args: []string{"-ndays", "7"}}
	reqFile := filepath.Join(r.dir, "want.der")
	if b, err := exec.Command(r.openssl, "ocsp", "-issuer", testpki.Path("ca1-cert.pem"), "-cert", testpki.Path("agent1-cert.pem"),
		"-no_nonce", "-reqout", reqFile).CombinedOutput(); err != nil {
		t.Fatalf("openssl ocsp: %v\n%s", err, b)
	}
	r.wantReq, _ = os.ReadFile(reqFile)
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *responder) set(fn func(r *responder)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fn(r)
}

func (r *responder) serve(w http.ResponseWriter, req *http.Request) {
	r.hits.Add(1)
	r.mu.Lock()
	revoked, args, body, status, delay := r.revoked, r.args, r.body, r.status, r.delay
	r.mu.Unlock()
	time.Sleep(delay)
	got, err := ocspRequestOf(req)
	if err != nil || req.Method != http.MethodGet {
		r.t.Errorf("%s %s: %v (a short request goes by GET)", req.Method, req.URL, err)
	}
	if !bytes.Equal(got, r.wantReq) {
		r.t.Errorf("request %x, want (openssl) %x", got, r.wantReq)
	}
	if status != 0 {
		w.WriteHeader(status)
		return
	}
	if body == nil {
		body = r.answer(got, revoked, args)
	}
	w.Header().Set("Content-Type", "application/ocsp-response")
	w.Write(body)
}

// answer has openssl ocsp answer req.
func (r *responder) answer(req []byte, revoked bool, args []string) []byte {
	line := "V\t21000101000000Z\t\t"
	if revoked {
		line = "R\t21000101000000Z\t200102030405Z,keyCompromise\t"
	}
	serial := fmt.Sprintf("%X", pemCert(r.t, "agent1-cert.pem").SerialNumber)
	dir := r.t.TempDir()
	index, in, out := filepath.Join(dir, "index.txt"), filepath.Join(dir, "req.der"), filepath.Join(dir, "resp.der")
	os.WriteFile(index, []byte(line+serial+"\tunknown\t/CN=agent1\n"), 0o600)
	os.WriteFile(in, req, 0o600)
	cmd := exec.Command(r.openssl, append([]string{"ocsp", "-index", index, "-CA", testpki.Path("ca1-cert.pem"),
		"-rsigner", testpki.Path("ca1-cert.pem"), "-rkey", testpki.Path("ca1-key.pem"), "-reqin", in, "-respout", out}, args...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		r.t.Errorf("openssl ocsp: %v\n%s", err, b)
	}
	d, _ := os.ReadFile(out)
	return d
}

// fetcher returns a new fetcher whose requests go to the responder
// (agent1 names http://ocsp.nodejs.org/), with a clock the test sets.
func (r *responder) fetcher(now *time.Time) *ocspFetcher {
	o := newOCSPFetcher()
	o.client.Transport = &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, r.srv.Listener.Addr().String())
	}}
	o.now = func() time.Time { return *now }
	return o
}

func ocspCode(err error) string {
	var e *ocsp.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// The fetcher staples a checked answer and caches it: fetched again near
// nextUpdate, kept while the responder fails, and not asked again for a
// minute after a failure.
func TestOCSPFetcherCache(t *testing.T) {
	r := newResponder(t)
	agent1, ca1 := pemDERBytes(t, "agent1-cert.pem"), pemDERBytes(t, "ca1-cert.pem")
	t0 := time.Now()
	now := t0
	o := r.fetcher(&now)
	fetch := func(wantHits int32, wantErr bool) []byte {
		t.Helper()
		der, err := o.response(agent1, ca1)
		if wantErr != (err != nil) || wantErr != (der == nil) {
			t.Fatalf("at %v: der %d bytes, err %v; want error %v", now.Sub(t0), len(der), err, wantErr)
		}
		if n := r.hits.Load(); n != wantHits {
			t.Fatalf("at %v: %d requests to the responder, want %d", now.Sub(t0), n, wantHits)
		}
		return der
	}
	first := fetch(1, false)
	resp, err := ocsp.ParseResponse(first)
	if err != nil || resp.Responses[0].CertStatus != "good" {
		t.Fatalf("stapled %v, %v", resp, err)
	}
	fetch(1, false) // cached
	if _, err := o.response(agent1, nil); err != nil {
		t.Errorf("cached response without issuer: %v", err)
	}
	// openssl stamps its responses with the real time: each is valid
	// until about t0+7d, and fetched again from an hour before that.
	now = t0.Add(7*24*time.Hour - 30*time.Minute)
	fetch(2, false) // within the hour: fetched again
	r.set(func(r *responder) { r.status = http.StatusServiceUnavailable })
	now = now.Add(time.Second)
	if got := fetch(3, false); got == nil { // due again, and the responder is down
		t.Fatal("no staple while the cached response is still valid")
	}
	now = now.Add(30 * time.Second)
	fetch(3, false) // the failure is not retried for a minute; the cached response serves
	now = t0.Add(7*24*time.Hour + time.Hour)
	fetch(4, true) // past nextUpdate: nothing to staple
	r.set(func(r *responder) { r.status = 0 })
	now = now.Add(30 * time.Second)
	fetch(4, true) // still within a minute of the failure
}

// What the fetcher refuses to staple, and what it staples though it is
// bad news.
func TestOCSPFetcherChecks(t *testing.T) {
	r := newResponder(t)
	agent1, ca1 := pemDERBytes(t, "agent1-cert.pem"), pemDERBytes(t, "ca1-cert.pem")
	now := time.Now()

	r.set(func(r *responder) { r.revoked = true })
	der, err := r.fetcher(&now).response(agent1, ca1)
	if err != nil {
		t.Fatalf("a revoked status is stapled: %v", err)
	}
	if resp, _ := ocsp.ParseResponse(der); resp == nil || resp.Responses[0].RevocationReason != "keyCompromise" {
		t.Errorf("stapled %x, want agent1 revoked (keyCompromise)", der)
	}
	r.set(func(r *responder) { r.revoked, r.args = false, []string{"-nmin", "1"} })
	later := now.Add(10 * time.Minute)
	if _, err := r.fetcher(&later).response(agent1, ca1); ocspCode(err) != ocsp.CodeExpired {
		t.Errorf("a response past its nextUpdate: %v, want OCSP_EXPIRED", err)
	}
	r.set(func(r *responder) { r.args = []string{"-ndays", "7"} })
	for name, tc := range map[string]struct {
		body []byte
		want string
	}{
		"about another certificate": {testpki.Read(t, "revoked-ocsp.der"), ocsp.CodeNotFound},
		"garbage":                   {[]byte("<html>"), ocsp.CodeMalformed},
		"tryLater":                  {[]byte{0x30, 0x03, 0x0a, 0x01, 0x03}, ocsp.CodeUnsuccessful},
	} {
		r.set(func(r *responder) { r.body = tc.body })
		if _, err := r.fetcher(&now).response(agent1, ca1); ocspCode(err) != tc.want {
			t.Errorf("%s: %v, want %s", name, err, tc.want)
		}
	}
	r.set(func(r *responder) { r.body = bytes.Repeat([]byte{0x30}, ocspMaxResponse+1) })
	if _, err := r.fetcher(&now).response(agent1, ca1); err == nil || !strings.Contains(err.Error(), "over 1048576 bytes") {
		t.Errorf("an oversized response: %v", err)
	}
	r.set(func(r *responder) { r.body = nil })
	if _, err := r.fetcher(&now).response(agent1, nil); err == nil || !strings.Contains(err.Error(), "issuer is unknown") {
		t.Errorf("no issuer: %v", err)
	}
}

// Concurrent handshakes share one fetch.
func TestOCSPFetcherSingleFlight(t *testing.T) {
	r := newResponder(t)
	r.set(func(r *responder) { r.delay = 300 * time.Millisecond })
	agent1, ca1 := pemDERBytes(t, "agent1-cert.pem"), pemDERBytes(t, "ca1-cert.pem")
	now := time.Now()
	o := r.fetcher(&now)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := o.response(agent1, ca1)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := r.hits.Load(); n != 1 {
		t.Errorf("%d requests for 8 concurrent handshakes, want 1", n)
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
		if r.URL.Host != "ocsp.nodejs.org" {
			t.Errorf("the proxy was asked for %q, want agent1's responder http://ocsp.nodejs.org/", r.URL)
		}
		body, err := ocspRequestOf(r)
		if err != nil {
			t.Error(err)
		}
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

// With several responders in the certificate, the first that gives a
// sound answer is used.
func TestOCSPFetcherTriesEachResponder(t *testing.T) {
	r := newResponder(t)
	// A leaf of ca1 naming two responders: the first refuses connections.
	block, _ := pem.Decode(testpki.Read(t, "ca1-key.pem"))
	caKey, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	leafKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := pemCert(t, "ca1-cert.pem")
	leafDER, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: pemCert(t, "agent1-cert.pem").SerialNumber, // the responder's index knows it
		Subject:      pkix.Name{CommonName: "two responders"},
		NotBefore:    ca.NotBefore, NotAfter: ca.NotAfter,
		OCSPServer: []string{"http://down.example/", "http://ocsp.nodejs.org/"},
	}, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	r.wantReq, err = ocsp.NewRequest(leafDER, pemDERBytes(t, "ca1-cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	o := r.fetcher(&now)
	refused := peers.RefusedPort(t)
	o.client.Transport = &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		if strings.HasPrefix(addr, "down.example:") {
			return d.DialContext(ctx, network, fmt.Sprintf("127.0.0.1:%d", refused))
		}
		return d.DialContext(ctx, network, r.srv.Listener.Addr().String())
	}}
	der, err := o.response(leafDER, pemDERBytes(t, "ca1-cert.pem"))
	if err != nil || der == nil {
		t.Fatalf("der %d bytes, err %v", len(der), err)
	}
	if n := r.hits.Load(); n != 1 {
		t.Errorf("the second responder was asked %d times, want 1", n)
	}
}

// ocspRequestOf returns the DER request of an OCSP HTTP request: the body
// of a POST, or the last path segment of a GET (RFC 6960 appendix A).
func ocspRequestOf(r *http.Request) ([]byte, error) {
	if r.Method == http.MethodPost {
		if ct := r.Header.Get("Content-Type"); ct != "application/ocsp-request" {
			return nil, fmt.Errorf("POST with Content-Type %q", ct)
		}
		return io.ReadAll(r.Body)
	}
	p := r.URL.EscapedPath()
	seg, err := url.PathUnescape(p[strings.LastIndex(p, "/")+1:])
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(seg)
}

// Requests up to 255 bytes with the URL (after encoding) go by GET, with
// the base64 made safe for a path; longer ones by POST.
func TestOCSPHTTPRequest(t *testing.T) {
	agent1, err := ocsp.NewRequest(pemDERBytes(t, "agent1-cert.pem"), pemDERBytes(t, "ca1-cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	escapes := bytes.Repeat([]byte{0xfb, 0xff, 0xbf}, 4)[:10] // base64 "+/+/..." with "==" padding
	for _, tc := range []struct {
		url    string
		req    []byte
		method string
		prefix string
	}{
		{"http://ocsp.example/", agent1, http.MethodGet, "http://ocsp.example/"},
		{"http://ocsp.example/path", agent1, http.MethodGet, "http://ocsp.example/path/"},
		{"http://ocsp.example/", escapes, http.MethodGet, "http://ocsp.example/"},
		{"http://ocsp.example/", bytes.Repeat(escapes, 10), http.MethodPost, "http://ocsp.example/"}, // 136 base64 characters: 342 bytes with the URL, escaped
		{"http://ocsp.example/", bytes.Repeat([]byte("abc"), 100), http.MethodPost, "http://ocsp.example/"},
	} {
		hr, err := ocspHTTPRequest(tc.url, tc.req)
		if err != nil {
			t.Fatal(err)
		}
		u := hr.URL.String()
		if hr.Method != tc.method || !strings.HasPrefix(u, tc.prefix) || hr.Header.Get("Accept") != "application/ocsp-response" {
			t.Errorf("%d bytes to %s: %s %s %v", len(tc.req), tc.url, hr.Method, u, hr.Header)
			continue
		}
		if hr.Method == http.MethodGet {
			if len(u) > 255 || strings.ContainsAny(strings.TrimPrefix(u, tc.prefix), "+/=") {
				t.Errorf("GET %s: over 255 bytes or base64 not escaped", u)
			}
		}
		// What a server reads back is the request.
		srvReq := httptest.NewRequest(hr.Method, u, hr.Body)
		srvReq.Header = hr.Header
		got, err := ocspRequestOf(srvReq)
		if err != nil || !bytes.Equal(got, tc.req) {
			t.Errorf("%d bytes by %s read back as %x, %v", len(tc.req), hr.Method, got, err)
		}
	}
}
