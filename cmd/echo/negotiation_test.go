package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// The negotiation flags: --alpn on both sides, --sni contexts chosen by
// the client's --servername, --ecdh-curve and --ciphers, as reported in
// the client's JSON line.
func TestNegotiationFlags(t *testing.T) {
	_, addr := startServer(t, append(serverKeyArgs(), "--alpn", "h2,http/1.1",
		"--sni", "agent3="+fixture("agent3-key.pem")+":"+fixture("agent3-cert.pem"),
		"--sni", "*.example.com="+fixture("agent1-key.pem")+":"+fixture("agent1-cert.pem"))...)
	for _, tc := range []struct {
		args     []string
		cn, alpn string
		cipher   string
		curve    string
	}{
		{[]string{"--servername", "agent3", "--alpn", "http/1.1,h2"}, "agent3", "h2", "TLS_AES_256_GCM_SHA384", "prime256v1"},
		{[]string{"--servername", "a.example.com", "--alpn", "http/1.1"}, "agent1", "http/1.1", "TLS_AES_256_GCM_SHA384", "prime256v1"},
		{[]string{"--max-version", "TLSv1.2", "--ciphers", "ECDHE-RSA-AES128-GCM-SHA256", "--ecdh-curve", "prime256v1"}, "localhost", "", "ECDHE-RSA-AES128-GCM-SHA256", "prime256v1"},
	} {
		r := runEcho(t, nil, append([]string{"client", addr, "--reject-unauthorized=false", "--json"}, tc.args...)...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d stderr %q", tc.args, r.code, r.stderr)
		}
		var got struct {
			ALPN             any `json:"alpnProtocol"`
			Cipher           struct{ Name string }
			EphemeralKeyInfo struct{ Name string }
			PeerCertificate  struct{ Subject map[string]any }
		}
		line, _, _ := strings.Cut(r.stdout, "\n")
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("%v: %v in %q", tc.args, err, line)
		}
		wantALPN := any(false)
		if tc.alpn != "" {
			wantALPN = tc.alpn
		}
		if got.ALPN != wantALPN || got.PeerCertificate.Subject["CN"] != tc.cn || got.Cipher.Name != tc.cipher || got.EphemeralKeyInfo.Name != tc.curve {
			t.Errorf("%v: got alpn %v cn %v cipher %s curve %s; want %v %s %s %s", tc.args, got.ALPN, got.PeerCertificate.Subject["CN"],
				got.Cipher.Name, got.EphemeralKeyInfo.Name, wantALPN, tc.cn, tc.cipher, tc.curve)
		}
	}
}

// --tls-cipher-list replaces the process's default list: a server whose
// default allows only one TLS 1.2 suite negotiates it, and a list that
// matches nothing is the flag's error.
func TestTLSCipherList(t *testing.T) {
	_, addr := startServer(t, append(serverKeyArgs(), "--tls-cipher-list", "ECDHE-RSA-AES256-GCM-SHA384", "--max-version", "TLSv1.2")...)
	r := runEcho(t, nil, "client", addr, "--reject-unauthorized=false", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"name":"ECDHE-RSA-AES256-GCM-SHA384"`) {
		t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runEcho(t, nil, "server", "--listen", "127.0.0.1:0", "--tls-cipher-list", "NOPE")
	if r.code != 2 || !strings.HasPrefix(r.stderr, "error: --tls-cipher-list: ERR_SSL_NO_CIPHER_MATCH: ") {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
}

// --session-out saves the session once it is resumable; --session-in
// resumes it (sessionReused in the JSON line).
func TestSessionFlags(t *testing.T) {
	_, addr := startServer(t, serverKeyArgs()...)
	file := t.TempDir() + "/session.der"
	r := runEcho(t, []byte("x"), "client", addr, "--reject-unauthorized=false", "--session-out", file)
	if r.code != 0 {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	r = runEcho(t, nil, "client", addr, "--reject-unauthorized=false", "--session-in", file, "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"sessionReused":true`) {
		t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
}
