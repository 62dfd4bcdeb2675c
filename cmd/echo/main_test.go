package main

import (
	"bytes"
	"context"
	"crypto/rand"
	gotls "crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nodetls/nodetls/internal/peers"
	"github.com/nodetls/nodetls/internal/testpki"
)

// echoBin is the echo binary that TestMain builds once.
var echoBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nodetls-echo-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "TestMain:", err)
		os.Exit(1)
	}
	echoBin = filepath.Join(dir, "echo")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", echoBin, ".")
	out, err := cmd.CombinedOutput()
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "TestMain: go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Every wait in these tests is bounded by one of these.
const (
	startTimeout = 15 * time.Second // a process printing its first line
	runTimeout   = 30 * time.Second // a whole client run
)

// startServer starts `echo server --listen 127.0.0.1:0 args...` and returns
// it with the address from its "listening on" line.
func startServer(t *testing.T, args ...string) (*peers.Process, string) {
	t.Helper()
	p := peers.StartProcess(t, echoBin, append([]string{"server", "--listen", "127.0.0.1:0"}, args...)...)
	line := p.WaitForLine(t, "listening on ", startTimeout)
	addr, ok := strings.CutPrefix(line, "listening on ")
	if !ok || !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Fatalf("first stdout line %q, want \"listening on 127.0.0.1:PORT\"", line)
	}
	return p, addr
}

type result struct {
	stdout, stderr string
	code           int
}

// runEcho runs the echo binary to completion with stdin as its input.
func runEcho(t *testing.T, stdin []byte, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, echoBin, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.Exited():
		r.code = ee.ExitCode()
	default:
		t.Fatalf("echo %s: %v (ctx: %v)\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, ctx.Err(), r.stdout, r.stderr)
	}
	return r
}

func fixture(name string) string { return testpki.Path(name) }

// serverKeyArgs are the flags of a server with the localhost certificate.
func serverKeyArgs() []string {
	return []string{"--key", fixture("localhost-key.pem"), "--cert", fixture("localhost-cert.pem")}
}

// (1) openssl s_client talks to our server and gets its line back.
func TestServerEchoesToOpenSSLClient(t *testing.T) {
	peers.Require(t, "openssl")
	_, addr := startServer(t, serverKeyArgs()...)
	c := peers.StartProcess(t, "openssl", "s_client", "-connect", addr,
		"-CAfile", fixture("ca1-cert.pem"), "-verify_return_error", "-quiet")
	const msg = "hello from openssl s_client"
	if _, err := fmt.Fprintln(c.Stdin(), msg); err != nil {
		t.Fatal(err)
	}
	if got := c.WaitForLine(t, msg, startTimeout); got != msg {
		t.Errorf("s_client printed %q, want %q", got, msg)
	}
	c.CloseStdin()
}

// (2) Our client against our server, with --json on both sides.
func TestClientServerJSON(t *testing.T) {
	srv, addr := startServer(t, append(serverKeyArgs(), "--json")...)
	r := runEcho(t, []byte("ping\npong\n"), "client", addr, "--json", "--ca", fixture("ca1-cert.pem"))
	if r.code != 0 {
		t.Fatalf("client exit %d, stderr %q", r.code, r.stderr)
	}
	first, rest, _ := strings.Cut(r.stdout, "\n")
	if rest != "ping\npong\n" {
		t.Errorf("echoed data %q, want %q", rest, "ping\npong\n")
	}
	var got struct {
		Authorized         bool    `json:"authorized"`
		AuthorizationError *string `json:"authorizationError"`
		Protocol           string  `json:"protocol"`
		Cipher             struct {
			Name, Version string
		} `json:"cipher"`
		EphemeralKeyInfo map[string]any `json:"ephemeralKeyInfo"`
		ALPNProtocol     any            `json:"alpnProtocol"`
		Servername       any            `json:"servername"`
		SessionReused    bool           `json:"sessionReused"`
		PeerCertificate  struct {
			Subject           map[string]any `json:"subject"`
			Raw               string         `json:"raw"`
			IssuerCertificate *struct {
				Subject           map[string]any `json:"subject"`
				IssuerCertificate any            `json:"issuerCertificate"`
			} `json:"issuerCertificate"`
		} `json:"peerCertificate"`
	}
	if err := json.Unmarshal([]byte(first), &got); err != nil {
		t.Fatalf("first line %q: %v", first, err)
	}
	var keys map[string]any
	json.Unmarshal([]byte(first), &keys)
	for _, k := range []string{"authorized", "authorizationError", "protocol", "cipher", "ephemeralKeyInfo",
		"alpnProtocol", "npnProtocol", "servername", "sessionReused", "session", "tlsTicket", "ocspResponse", "peerCertificate"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("JSON line lacks %q: %s", k, first)
		}
	}
	if !got.Authorized || got.AuthorizationError != nil {
		t.Errorf("authorized %v, authorizationError %v; want true, null", got.Authorized, got.AuthorizationError)
	}
	if got.Protocol != "TLSv1.3" || got.Cipher.Name != "TLS_AES_256_GCM_SHA384" || got.Cipher.Version != "TLSv1.3" {
		t.Errorf("protocol %q cipher %+v, want TLSv1.3 TLS_AES_256_GCM_SHA384", got.Protocol, got.Cipher)
	}
	wantKey := map[string]any{"type": "ECDH", "name": "prime256v1", "size": float64(256)}
	if fmt.Sprint(got.EphemeralKeyInfo) != fmt.Sprint(wantKey) {
		t.Errorf("ephemeralKeyInfo %v, want %v", got.EphemeralKeyInfo, wantKey)
	}
	if got.ALPNProtocol != false || got.Servername != false || got.SessionReused {
		t.Errorf("alpnProtocol %v servername %v sessionReused %v; want false false false", got.ALPNProtocol, got.Servername, got.SessionReused)
	}
	if got.PeerCertificate.Subject["CN"] != "localhost" || got.PeerCertificate.Raw == "" {
		t.Errorf("peerCertificate subject %v raw %d chars; want CN localhost and raw", got.PeerCertificate.Subject, len(got.PeerCertificate.Raw))
	}
	if ic := got.PeerCertificate.IssuerCertificate; ic == nil || ic.Subject["CN"] != "ca1" || ic.IssuerCertificate != nil {
		t.Errorf("issuerCertificate %+v, want ca1 without its own issuerCertificate", ic)
	}

	line := srv.WaitForLine(t, `"secureConnection"`, startTimeout)
	var ev map[string]any
	if err := json.Unmarshal([]byte(line), &ev); err != nil {
		t.Fatalf("server event %q: %v", line, err)
	}
	if ev["event"] != "secureConnection" || ev["protocol"] != "TLSv1.3" || ev["authorized"] != false {
		t.Errorf("server event %s", line)
	}
	if _, ok := ev["ephemeralKeyInfo"]; ok {
		t.Errorf("server event has ephemeralKeyInfo: %s", line)
	}
	if pc, ok := ev["peerCertificate"].(map[string]any); !ok || len(pc) != 0 {
		t.Errorf("server event peerCertificate %v, want {}", ev["peerCertificate"])
	}
}

// A payload larger than many records comes back unchanged, also with
// small records.
func TestLargeEcho(t *testing.T) {
	_, addr := startServer(t, append(serverKeyArgs(), "--max-send-fragment", "512")...)
	data := make([]byte, 1<<20)
	rand.Read(data)
	r := runEcho(t, data, "client", addr, "--ca", fixture("ca1-cert.pem"))
	if r.code != 0 || r.stdout != string(data) {
		t.Fatalf("exit %d, %d bytes back (equal %v), stderr %q", r.code, len(r.stdout), r.stdout == string(data), r.stderr)
	}
}

// (3) Our client against openssl s_server, which prints what it receives.
func TestClientToOpenSSLServer(t *testing.T) {
	peers.Require(t, "openssl")
	srv, port := peers.StartSServer(t,
		"-cert", fixture("localhost-cert.pem"), "-key", fixture("localhost-key.pem"), "-naccept", "1")
	const msg = "hello openssl s_server"
	r := runEcho(t, []byte(msg+"\n"), "client", fmt.Sprintf("127.0.0.1:%d", port), "--ca", fixture("ca1-cert.pem"))
	if r.code != 0 {
		t.Fatalf("client exit %d, stderr %q", r.code, r.stderr)
	}
	srv.WaitForLine(t, msg, startTimeout)
}

// (3) Our client against a Node tls echo server.
func TestClientToNodeServer(t *testing.T) {
	const script = `
const tls = require('tls'), fs = require('fs');
const [key, cert] = process.argv.slice(1);
const srv = tls.createServer({key: fs.readFileSync(key), cert: fs.readFileSync(cert)}, (s) => {
  s.on('error', () => {});
  s.pipe(s);
});
srv.listen(0, '127.0.0.1', () => console.log('listening on 127.0.0.1:' + srv.address().port));
`
	srv := peers.NodeScript(t, script, fixture("localhost-key.pem"), fixture("localhost-cert.pem"))
	addr := strings.TrimPrefix(srv.WaitForLine(t, "listening on ", startTimeout), "listening on ")
	_, port, _ := net.SplitHostPort(addr)
	in := "one\ntwo\nthree\n"
	r := runEcho(t, []byte(in), "client", "localhost:"+port, "--ca", fixture("ca1-cert.pem"), "--json")
	if r.code != 0 {
		t.Fatalf("client exit %d, stderr %q", r.code, r.stderr)
	}
	first, rest, _ := strings.Cut(r.stdout, "\n")
	if rest != in {
		t.Errorf("echoed %q, want %q", rest, in)
	}
	var ci map[string]any
	if err := json.Unmarshal([]byte(first), &ci); err != nil || ci["authorized"] != true {
		t.Errorf("JSON line %q (%v), want authorized true", first, err)
	}
}

// (4) Without a key the server makes a self-signed certificate.
func TestSelfSignedDefault(t *testing.T) {
	srv, addr := startServer(t)
	// stdout and stderr are copied separately: the notice, written before
	// the listening line, may show up a moment after it.
	for deadline := time.Now().Add(startTimeout); !strings.Contains(srv.Stderr(), "self-signed"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("server stderr %q does not mention the self-signed certificate", srv.Stderr())
			break
		}
	}
	r := runEcho(t, []byte("x\n"), "client", addr, "--reject-unauthorized=false")
	if r.code != 0 || r.stdout != "x\n" {
		t.Errorf("--reject-unauthorized=false: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runEcho(t, []byte("x\n"), "client", addr, "--reject-unauthorized", "false", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"authorizationError":"DEPTH_ZERO_SELF_SIGNED_CERT"`) {
		t.Errorf("--reject-unauthorized false --json: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runEcho(t, []byte("x\n"), "client", addr)
	if r.code != 1 || r.stderr != "error: DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate\n" || r.stdout != "" {
		t.Errorf("default client: exit %d stdout %q stderr %q; want 1 and the DEPTH_ZERO_SELF_SIGNED_CERT line", r.code, r.stdout, r.stderr)
	}
}

// (5) Bad flags, unreadable files and invalid TLS settings: exit 2 and one
// stderr line.
func TestBadFlags(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.pem")
	cases := []struct {
		args []string
		want string // the stderr line, or its prefix when it ends in "..."
	}{
		{[]string{"server", "--nope"}, "error: --nope: unknown flag"},
		{[]string{"server", "--listen"}, "error: --listen: missing value (HOST:PORT)"},
		{[]string{"server", "--key", missing, "--cert", fixture("localhost-cert.pem")}, "error: --key: ENOENT: open " + missing + ": no such file or directory"},
		{[]string{"server", "--ciphers", "NOPE"}, "error: --ciphers: ERR_SSL_NO_CIPHER_MATCH: ..."},
		{[]string{"server", "--secure-protocol", "SSLv3_method"}, "error: --secure-protocol: ERR_TLS_INVALID_PROTOCOL_METHOD: SSLv3 methods disabled"},
		{[]string{"server", "--min-version", "TLSv9"}, "error: --min-version: ERR_TLS_INVALID_PROTOCOL_VERSION: ..."},
		{[]string{"server", "--ecdh-curve", "nope"}, "error: --ecdh-curve: ERR_CRYPTO_OPERATION_FAILED: Failed to set ECDH curve"},
		{[]string{"server", "--dhparam", fixture("dh512.pem")}, "error: --dhparam: ERR_INVALID_ARG_VALUE: DH parameter is less than 1024 bits"},
		{[]string{"server", "--key", fixture("agent1-key.pem"), "--cert", fixture("agent2-cert.pem")}, "error: --key: ERR_OSSL_X509_KEY_VALUES_MISMATCH: ..."},
		{[]string{"server", "--key", fixture("pass-key.pem"), "--cert", fixture("pass-cert.pem"), "--passphrase", "wrong"}, "error: --key: ERR_OSSL_BAD_DECRYPT: ..."},
		{[]string{"server", "--ticket-keys", fixture("dh512.pem")}, "error: --ticket-keys: ERR_INVALID_ARG_VALUE: ..."},
		{[]string{"server", "--handshake-timeout", "1x"}, "error: --handshake-timeout: invalid duration ..."},
		{[]string{"server", "--max-send-fragment", "100"}, "error: --max-send-fragment: ERR_OUT_OF_RANGE: ..."},
		{[]string{"server", "--json=maybe"}, "error: --json: invalid boolean ..."},
		{[]string{"server", "extra"}, "error: unexpected argument \"extra\" ..."},
		{[]string{"client", "127.0.0.1:1", "--ciphers", "NOPE"}, "error: --ciphers: ERR_SSL_NO_CIPHER_MATCH: ..."},
		{[]string{"client", "--secure-protocol", "SSLv3_method", "127.0.0.1:1"}, "error: --secure-protocol: ERR_TLS_INVALID_PROTOCOL_METHOD: SSLv3 methods disabled"},
		{[]string{"client", "127.0.0.1:1", "--min-dh-size", "-1"}, "error: --min-dh-size: ERR_OUT_OF_RANGE: options.minDHSize is not a positive number: -1"},
		{[]string{"client", "127.0.0.1:1", "--ca", missing}, "error: --ca: ENOENT: ..."},
		{[]string{"client"}, "error: missing HOST:PORT operand"},
		{[]string{"client", "127.0.0.1"}, "error: invalid address ..."},
		{[]string{"nope"}, "error: unknown command ..."},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			r := runEcho(t, nil, c.args...)
			line, ok := strings.CutSuffix(r.stderr, "\n")
			if r.code != 2 || !ok || strings.Contains(line, "\n") || r.stdout != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2 and one stderr line", r.code, r.stdout, r.stderr)
			}
			if prefix, ok := strings.CutSuffix(c.want, "..."); ok {
				if !strings.HasPrefix(line, prefix) {
					t.Errorf("stderr %q, want prefix %q", line, prefix)
				}
			} else if line != c.want {
				t.Errorf("stderr %q, want %q", line, c.want)
			}
		})
	}
}

// Flags the library does not implement yet are refused as
// ERR_NOT_IMPLEMENTED errors of their flag, never ignored; once
// implemented, the client gets as far as the (refused) connection.
func TestNotImplementedFlags(t *testing.T) {
	port := fmt.Sprint(peers.RefusedPort(t))
	for _, args := range [][]string{
		{"--alpn", "h2,http/1.1"},
		{"--npn", "h2"},
		{"--status"},
		{"--min-dh-size", "2048"},
		{"--session-in", fixture("dh512.pem")},
		{"--session-out", filepath.Join(t.TempDir(), "session.der")},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := runEcho(t, nil, append([]string{"client", "127.0.0.1:" + port}, args...)...)
			switch {
			case r.code == 2 && strings.HasPrefix(r.stderr, "error: "+args[0]+": ERR_NOT_IMPLEMENTED: "):
			case r.code == 1 && strings.HasPrefix(r.stderr, "error: ECONNREFUSED: "):
			default:
				t.Errorf("exit %d stderr %q; want exit 2 with %s's ERR_NOT_IMPLEMENTED, or the connection refused", r.code, r.stderr, args[0])
			}
		})
	}
}

// (6) SIGTERM: the server closes its connections with close_notify and
// exits 0 within 5 s; the client sees the end and exits 0.
func TestServerSIGTERM(t *testing.T) {
	srv, addr := startServer(t, serverKeyArgs()...)
	cl := peers.StartProcess(t, echoBin, "client", addr, "--ca", fixture("ca1-cert.pem"), "--json")
	cl.WaitForLine(t, `"authorized":true`, startTimeout)
	fmt.Fprintln(cl.Stdin(), "still here")
	cl.WaitForLine(t, "still here", startTimeout)

	start := time.Now()
	if err := syscall.Kill(srv.Pid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := srv.Wait(5 * time.Second); err != nil {
		t.Fatalf("server after SIGTERM: %v (want exit 0 within 5 s)", err)
	}
	t.Logf("server exited %v after SIGTERM", time.Since(start))
	if err := cl.Wait(5 * time.Second); err != nil {
		t.Errorf("client after the server's shutdown: %v, stderr %q (want exit 0)", err, cl.Stderr())
	}
}

// (7) A client that never speaks is ended by --handshake-timeout, reported
// as a tlsClientError event.
func TestHandshakeTimeoutEvent(t *testing.T) {
	srv, addr := startServer(t, append(serverKeyArgs(), "--handshake-timeout", "200ms", "--json")...)
	c, err := net.DialTimeout("tcp", addr, startTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	line := srv.WaitForLine(t, `"tlsClientError"`, startTimeout)
	var ev struct {
		Event, Code, Message string
	}
	if err := json.Unmarshal([]byte(line), &ev); err != nil {
		t.Fatalf("event %q: %v", line, err)
	}
	if ev.Code != "ERR_TLS_HANDSHAKE_TIMEOUT" || ev.Message != "TLS handshake timeout" {
		t.Errorf("event %q, want code ERR_TLS_HANDSHAKE_TIMEOUT", line)
	}
	c.SetReadDeadline(time.Now().Add(startTimeout))
	if n, err := c.Read(make([]byte, 1)); err == nil {
		t.Errorf("the timed-out connection is still open (read %d bytes)", n)
	}
}

// Garbage instead of a ClientHello is a tlsClientError with OpenSSL's code.
func TestGarbageClientEvent(t *testing.T) {
	srv, addr := startServer(t, append(serverKeyArgs(), "--json")...)
	c, err := net.DialTimeout("tcp", addr, startTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
	line := srv.WaitForLine(t, `"tlsClientError"`, startTimeout)
	if !strings.Contains(line, `"code":"ERR_SSL_HTTP_REQUEST"`) {
		t.Errorf("event %q, want code ERR_SSL_HTTP_REQUEST", line)
	}
}

// Each feature flag on its own starts a listening server (their behaviour
// is tested with peers elsewhere).
func TestServerFlagsStart(t *testing.T) {
	ticketKeys := filepath.Join(t.TempDir(), "ticket.keys")
	if err := os.WriteFile(ticketKeys, bytes.Repeat([]byte{7}, 48), 0o600); err != nil {
		t.Fatal(err)
	}
	sni := "agent3=" + fixture("agent3-key.pem") + ":" + fixture("agent3-cert.pem")
	for _, args := range [][]string{
		{"--alpn", "h2,http/1.1"},
		{"--npn", "h2"},
		{"--sni", sni},
		{"--ticket-keys", ticketKeys},
		{"--session-timeout", "60"},
		{"--crl", fixture("ca1-crl.pem")},
		{"--session-store"},
		{"--ocsp-response", fixture("agent1-ocsp.der")},
		{"--ocsp-fetch"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			all := append(append([]string{"server", "--listen", "127.0.0.1:0"}, serverKeyArgs()...), args...)
			p := peers.StartProcess(t, echoBin, all...)
			p.WaitForLine(t, "listening on ", startTimeout)
			if p.Exited() {
				t.Fatalf("the server exited: %s", p.Stderr())
			}
		})
	}
}

// --servername is sent (SNI) and shows on both sides.
func TestServername(t *testing.T) {
	srv, addr := startServer(t, append(serverKeyArgs(), "--json")...)
	r := runEcho(t, []byte("sni\n"), "client", addr, "--servername", "localhost", "--ca", fixture("ca1-cert.pem"), "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"servername":"localhost"`) || !strings.HasSuffix(r.stdout, "\nsni\n") {
		t.Errorf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if line := srv.WaitForLine(t, `"secureConnection"`, startTimeout); !strings.Contains(line, `"servername":"localhost"`) {
		t.Errorf("server event %s, want servername localhost", line)
	}
}

// Garbage records after the handshake are an error event on the server.
func TestEstablishedErrorEvent(t *testing.T) {
	srv, addr := startServer(t, append(serverKeyArgs(), "--json")...)
	raw, err := net.DialTimeout("tcp", addr, startTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(startTimeout))
	c := gotls.Client(raw, &gotls.Config{ServerName: "localhost", InsecureSkipVerify: true})
	if err := c.Handshake(); err != nil {
		t.Fatal(err)
	}
	// An application-data record whose authentication cannot succeed.
	raw.Write(append([]byte{23, 3, 3, 0, 32}, bytes.Repeat([]byte{0xAA}, 32)...))
	line := srv.WaitForLine(t, `"event":"error"`, startTimeout)
	if !strings.Contains(line, `"code":"ERR_SSL_`) {
		t.Errorf("event %s, want an ERR_SSL_ code", line)
	}
}

// --renegotiate on TLS 1.3 fails the client with Node's code: exit 1.
func TestClientRenegotiateTLS13(t *testing.T) {
	_, addr := startServer(t, serverKeyArgs()...)
	r := runEcho(t, []byte("x\n"), "client", addr, "--renegotiate", "--ca", fixture("ca1-cert.pem"))
	if r.code != 1 || !strings.HasPrefix(r.stderr, "error: ERR_SSL_WRONG_SSL_VERSION: ") || r.stdout != "" {
		t.Errorf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
}

// --renegotiate under TLS 1.2: our client renegotiates with our server,
// then echoes.
func TestClientRenegotiateTLS12(t *testing.T) {
	_, addr := startServer(t, serverKeyArgs()...)
	r := runEcho(t, []byte("after\n"), "client", addr, "--renegotiate", "--max-version", "TLSv1.2", "--ca", fixture("ca1-cert.pem"))
	if r.code != 0 || r.stdout != "after\n" {
		t.Errorf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
}

// --renegotiate-request-cert: openssl s_client (TLS 1.2) is asked for its
// certificate after the handshake; the renegotiated event reports it.
func TestServerRenegotiateRequestCert(t *testing.T) {
	peers.Require(t, "openssl")
	p, addr := startServer(t, append(serverKeyArgs(), "--json", "--renegotiate-request-cert", "--ca", fixture("ca1-cert.pem"))...)
	c := peers.StartProcess(t, "openssl", "s_client", "-connect", addr, "-tls1_2", "-quiet",
		"-cert", fixture("agent1-cert.pem"), "-key", fixture("agent1-key.pem"))
	line := p.WaitForLine(t, `"renegotiated"`, startTimeout)
	var ev struct {
		Event           string `json:"event"`
		Authorized      bool   `json:"authorized"`
		PeerCertificate struct {
			Subject map[string]any `json:"subject"`
		} `json:"peerCertificate"`
	}
	if err := json.Unmarshal([]byte(line), &ev); err != nil {
		t.Fatalf("%v: %s", err, line)
	}
	if !ev.Authorized || ev.PeerCertificate.Subject["CN"] != "agent1" {
		t.Errorf("renegotiated event %s, want agent1 authorized", line)
	}
	fmt.Fprintln(c.Stdin(), "echoed after")
	c.WaitForLine(t, "echoed after", startTimeout)
	c.CloseStdin()
}
