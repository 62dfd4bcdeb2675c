package ocsp_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nodetls/nodetls/internal/peers"
	"github.com/nodetls/nodetls/internal/testpki"
	"github.com/nodetls/nodetls/ocsp"
	"github.com/nodetls/nodetls/ossl"
)

// der reads the first certificate of a PEM fixture as DER.
func der(t *testing.T, name string) []byte {
	t.Helper()
	b, _ := pem.Decode(testpki.Read(t, name))
	require.NotNil(t, b, name)
	return b.Bytes
}

func code(err error) string {
	var e *ocsp.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return fmt.Sprintf("not an *ocsp.Error: %v", err)
}

// openssl runs the openssl command and returns its standard output.
func openssl(t *testing.T, args ...string) string {
	t.Helper()
	bin := peers.Require(t, "openssl")
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, ee.Stderr)
		}
		t.Fatal(err)
	}
	return string(out)
}

// The request is byte for byte the one openssl ocsp -no_nonce makes.
func TestNewRequestMatchesOpenSSL(t *testing.T) {
	out := filepath.Join(t.TempDir(), "req.der")
	openssl(t, "ocsp", "-issuer", testpki.Path("ca1-cert.pem"), "-cert", testpki.Path("agent1-cert.pem"), "-no_nonce", "-reqout", out)
	want, err := os.ReadFile(out)
	require.NoError(t, err)
	got, err := ocsp.NewRequest(der(t, "agent1-cert.pem"), der(t, "ca1-cert.pem"))
	require.NoError(t, err)
	require.Equal(t, want, got)
}

func TestNewRequestBadInput(t *testing.T) {
	agent1, ca1 := der(t, "agent1-cert.pem"), der(t, "ca1-cert.pem")
	for name, args := range map[string][2][]byte{
		"no issuer":        {agent1, nil},
		"garbage cert":     {[]byte("not DER"), ca1},
		"garbage issuer":   {agent1, []byte{0x30, 0x03, 0x02, 0x01, 0x01}},
		"trailing bytes":   {append(append([]byte{}, agent1...), 0), ca1},
		"empty cert":       {nil, ca1},
		"truncated issuer": {agent1, ca1[:len(ca1)/2]},
	} {
		_, err := ocsp.NewRequest(args[0], args[1])
		require.Equal(t, ocsp.CodeMalformed, code(err), name)
	}
}

func TestResponderURL(t *testing.T) {
	url, err := ocsp.ResponderURL(der(t, "agent1-cert.pem"))
	require.NoError(t, err)
	require.Equal(t, "http://ocsp.nodejs.org/", url) // as openssl x509 -ocsp_uri prints it
	require.Equal(t, url+"\n", openssl(t, "x509", "-in", testpki.Path("agent1-cert.pem"), "-noout", "-ocsp_uri"))

	_, err = ocsp.ResponderURL(der(t, "ca1-cert.pem"))
	require.Equal(t, ocsp.CodeNoResponder, code(err))
	urls, err := ocsp.ResponderURLs(der(t, "ca1-cert.pem"))
	require.NoError(t, err)
	require.Empty(t, urls)
	_, err = ocsp.ResponderURL([]byte("junk"))
	require.Equal(t, ocsp.CodeMalformed, code(err))
}

// respText is what openssl ocsp -resp_text says about the first single
// response.
type respText struct {
	status, hashAlg, nameHash, keyHash, serial, certStatus, reason, revoked, thisUpdate, nextUpdate string
}

func parseRespText(t *testing.T, file string) respText {
	text := openssl(t, "ocsp", "-respin", file, "-resp_text", "-noverify")
	field := func(label string) string {
		m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(label) + `: (.*)$`).FindStringSubmatch(text)
		if m == nil {
			return ""
		}
		return strings.TrimSpace(m[1])
	}
	return respText{
		status: field("OCSP Response Status"), hashAlg: field("Hash Algorithm"), nameHash: field("Issuer Name Hash"),
		keyHash: field("Issuer Key Hash"), serial: field("Serial Number"), certStatus: field("Cert Status"),
		reason: field("Revocation Reason"), revoked: field("Revocation Time"), thisUpdate: field("This Update"),
		nextUpdate: field("Next Update"),
	}
}

// opensslTime formats t the way openssl's text output does.
func opensslTime(t time.Time) string {
	return t.UTC().Format("Jan _2 15:04:05 2006 GMT")
}

// The fixtures parse to what openssl ocsp -resp_text prints.
func TestParseResponseMatchesOpenSSL(t *testing.T) {
	for _, name := range []string{"agent1-ocsp.der", "revoked-ocsp.der"} {
		t.Run(name, func(t *testing.T) {
			want := parseRespText(t, testpki.Path(name))
			r, err := ocsp.ParseResponse(testpki.Read(t, name))
			require.NoError(t, err)
			require.Equal(t, "successful (0x0)", want.status)
			require.Equal(t, "successful", r.Status)
			require.Len(t, r.Responses, 1)
			s := r.Responses[0]
			require.Equal(t, want.hashAlg, strings.ToLower(s.HashAlgorithm))
			require.Equal(t, want.nameHash, fmt.Sprintf("%X", s.IssuerNameHash))
			require.Equal(t, want.keyHash, fmt.Sprintf("%X", s.IssuerKeyHash))
			require.Equal(t, want.serial, fmt.Sprintf("%X", s.SerialNumber))
			require.Equal(t, want.certStatus, s.CertStatus)
			require.Equal(t, want.thisUpdate, opensslTime(s.ThisUpdate))
			require.Equal(t, want.nextUpdate, opensslTime(s.NextUpdate))
			if s.CertStatus == "revoked" {
				require.Equal(t, "keyCompromise (0x1)", want.reason)
				require.Equal(t, "keyCompromise", s.RevocationReason)
				require.Equal(t, want.revoked, opensslTime(s.RevokedAt))
			} else {
				require.Empty(t, s.RevocationReason)
				require.True(t, s.RevokedAt.IsZero())
			}
			require.Equal(t, testpki.Read(t, name), r.Raw)
		})
	}
}

func TestParseResponseBadInput(t *testing.T) {
	good := testpki.Read(t, "agent1-ocsp.der")
	for name, in := range map[string][]byte{
		"empty":     nil,
		"garbage":   []byte("garbage"),
		"truncated": good[:len(good)-1],
		"trailing":  append(append([]byte{}, good...), 0),
		"a cert":    der(t, "agent1-cert.pem"),
	} {
		_, err := ocsp.ParseResponse(in)
		require.Equal(t, ocsp.CodeMalformed, code(err), name)
	}
	// An error status parses; Verify and Find report it.
	for status, name := range map[byte]string{1: "malformedrequest", 2: "internalerror", 3: "trylater", 5: "sigrequired", 6: "unauthorized"} {
		r, err := ocsp.ParseResponse([]byte{0x30, 0x03, 0x0a, 0x01, status})
		require.NoError(t, err)
		require.Equal(t, name, r.Status)
		require.Empty(t, r.Responses)
		err = r.Verify(der(t, "ca1-cert.pem"), nil, time.Now())
		require.Equal(t, ocsp.CodeUnsuccessful, code(err))
		require.Equal(t, "OCSP_UNSUCCESSFUL: the OCSP responder answered "+name, err.Error())
		_, err = r.Find(der(t, "agent1-cert.pem"), der(t, "ca1-cert.pem"))
		require.Equal(t, ocsp.CodeUnsuccessful, code(err))
	}
	// successful, but no response bytes
	_, err := ocsp.ParseResponse([]byte{0x30, 0x03, 0x0a, 0x01, 0x00})
	require.Equal(t, ocsp.CodeMalformed, code(err))
}

func TestVerifyFixtures(t *testing.T) {
	ca1, ca2 := der(t, "ca1-cert.pem"), der(t, "ca2-cert.pem")
	now := time.Now()
	good, err := ocsp.ParseResponse(testpki.Read(t, "agent1-ocsp.der"))
	require.NoError(t, err)
	require.NoError(t, good.Verify(ca1, nil, now))
	require.NoError(t, good.Verify(ca1, [][]byte{ca1}, now))
	require.Equal(t, ocsp.CodeBadSignature, code(good.Verify(ca2, nil, now)), "signed by ca1, not ca2")
	require.Equal(t, ocsp.CodeBadSignature, code(good.Verify(ca1, [][]byte{ca2}, now)), "ca1 is not trusted")
	require.Equal(t, ocsp.CodeBadSignature, code(good.Verify(nil, nil, now)))
	require.Equal(t, ocsp.CodeMalformed, code(good.Verify([]byte("junk"), nil, now)))

	s, err := good.Find(der(t, "agent1-cert.pem"), ca1)
	require.NoError(t, err)
	require.Equal(t, "good", s.CertStatus)
	_, err = good.Find(der(t, "revoked-cert.pem"), ca1)
	require.Equal(t, ocsp.CodeNotFound, code(err))
	_, err = good.Find(der(t, "agent1-cert.pem"), ca2)
	require.Equal(t, ocsp.CodeNotFound, code(err), "the CertID names ca1 as the issuer")

	revoked, err := ocsp.ParseResponse(testpki.Read(t, "revoked-ocsp.der"))
	require.NoError(t, err)
	err = revoked.Verify(ca1, nil, now)
	require.Equal(t, ocsp.CodeRevoked, code(err))
	require.Contains(t, err.Error(), "(keyCompromise)")

	// A flipped bit in the signature, which ends 8 bytes before the
	// certificate the response carries ([0] and SEQUENCE OF headers).
	bad := append([]byte{}, good.Raw...)
	at := bytes.Index(bad, ca1)
	require.Greater(t, at, 100)
	bad[at-20] ^= 1
	r, err := ocsp.ParseResponse(bad)
	require.NoError(t, err)
	err = r.Verify(ca1, nil, now)
	require.Equal(t, ocsp.CodeBadSignature, code(err))
	var oe *ossl.Error
	require.ErrorAs(t, err, &oe, "OpenSSL's reason is kept")
	require.Equal(t, "invalid padding", oe.Reason())
}

// testPKI is a CA made here, so that its validity, its responders and
// its response times are the test's to choose, with openssl ocsp as the
// responder.
type testPKI struct {
	dir     string
	ca      []byte
	leaves  map[string]*x509.Certificate // good, revoked, unknown
	index   string
	signers map[string][2]string // name -> cert, key files
}

func newTestPKI(t *testing.T) *testPKI {
	peers.Require(t, "openssl")
	p := &testPKI{dir: t.TempDir(), leaves: map[string]*x509.Certificate{}, signers: map[string][2]string{}}
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ocsp test CA"},
		NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	ca, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	caCert, _ := x509.ParseCertificate(ca)
	p.ca = ca
	p.write(t, "ca", ca, caKey)
	p.signers["ca"] = [2]string{p.path("ca-cert.pem"), p.path("ca-key.pem")}
	issue := func(name string, serial int64, eku []x509.ExtKeyUsage) *x509.Certificate {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: caTmpl.NotBefore, NotAfter: caTmpl.NotAfter, ExtKeyUsage: eku,
			KeyUsage: x509.KeyUsageDigitalSignature,
		}
		d, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		require.NoError(t, err)
		p.write(t, name, d, key)
		c, _ := x509.ParseCertificate(d)
		return c
	}
	p.leaves["good"] = issue("good", 0x1001, nil)
	p.leaves["revoked"] = issue("revoked", 0x1002, nil)
	p.leaves["unknown"] = issue("unknown", 0x1003, nil)
	issue("delegated", 0x2001, []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning})
	p.signers["delegated"] = [2]string{p.path("delegated-cert.pem"), p.path("delegated-key.pem")}
	issue("undelegated", 0x2002, nil)
	p.signers["undelegated"] = [2]string{p.path("undelegated-cert.pem"), p.path("undelegated-key.pem")}
	// openssl ca's index.txt: status, expiry, revocation, serial, file, subject.
	p.index = p.path("index.txt")
	idx := "V\t21000101000000Z\t\t1001\tunknown\t/CN=good\n" +
		"R\t21000101000000Z\t200102030405Z,keyCompromise\t1002\tunknown\t/CN=revoked\n"
	require.NoError(t, os.WriteFile(p.index, []byte(idx), 0o600))
	require.NoError(t, os.WriteFile(p.index+".attr", []byte("unique_subject = no\n"), 0o600))
	return p
}

func (p *testPKI) path(name string) string { return filepath.Join(p.dir, name) }

func (p *testPKI) write(t *testing.T, name string, certDER []byte, key *ecdsa.PrivateKey) {
	kd, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p.path(name+"-cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certDER}), 0o600))
	require.NoError(t, os.WriteFile(p.path(name+"-key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd}), 0o600))
}

func (p *testPKI) leaf(name string) []byte { return p.leaves[name].Raw }

// respond has openssl ocsp answer req, signed by the named signer.
func (p *testPKI) respond(t *testing.T, signer string, req []byte, extra ...string) []byte {
	t.Helper()
	in, out := p.path("req.der"), p.path("resp.der")
	require.NoError(t, os.WriteFile(in, req, 0o600))
	s := p.signers[signer]
	args := append([]string{"ocsp", "-index", p.index, "-CA", p.path("ca-cert.pem"), "-rsigner", s[0], "-rkey", s[1],
		"-reqin", in, "-respout", out}, extra...)
	openssl(t, args...)
	d, err := os.ReadFile(out)
	require.NoError(t, err)
	return d
}

// Our requests against openssl's responder, and its responses through
// ParseResponse, Find and Verify.
func TestAgainstOpenSSLResponder(t *testing.T) {
	p := newTestPKI(t)
	now := time.Now()
	ask := func(leaf, signer string, extra ...string) *ocsp.Response {
		req, err := ocsp.NewRequest(p.leaf(leaf), p.ca)
		require.NoError(t, err)
		r, err := ocsp.ParseResponse(p.respond(t, signer, req, extra...))
		require.NoError(t, err)
		s, err := r.Find(p.leaf(leaf), p.ca)
		require.NoError(t, err, "openssl answered about the certificate we asked for")
		require.Equal(t, p.leaves[leaf].SerialNumber, s.SerialNumber)
		require.Equal(t, "SHA1", s.HashAlgorithm)
		return r
	}

	r := ask("good", "ca", "-ndays", "1")
	require.NoError(t, r.Verify(p.ca, nil, now))
	require.Equal(t, "good", r.Responses[0].CertStatus)
	require.WithinDuration(t, now, r.Responses[0].ThisUpdate, time.Minute)
	require.WithinDuration(t, now.Add(24*time.Hour), r.Responses[0].NextUpdate, time.Minute)
	require.WithinDuration(t, now, r.ProducedAt, time.Minute)

	r = ask("revoked", "ca")
	s := r.Responses[0]
	require.Equal(t, "revoked", s.CertStatus)
	require.Equal(t, "keyCompromise", s.RevocationReason)
	require.Equal(t, time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC), s.RevokedAt)
	require.True(t, s.NextUpdate.IsZero(), "no -ndays: no nextUpdate")
	err := r.Verify(p.ca, nil, now)
	require.Equal(t, ocsp.CodeRevoked, code(err))
	require.Equal(t, "CERT_REVOKED: certificate revoked at 2020-01-02T03:04:05Z (keyCompromise)", err.Error())

	r = ask("unknown", "ca")
	require.Equal(t, "unknown", r.Responses[0].CertStatus)
	require.Equal(t, ocsp.CodeCertUnknown, code(r.Verify(p.ca, nil, now)))

	// A responder the CA delegated (OCSP signing) verifies; one it did
	// not delegate does not, though the CA issued it.
	require.NoError(t, ask("good", "delegated").Verify(p.ca, nil, now))
	require.Equal(t, ocsp.CodeBadSignature, code(ask("good", "undelegated").Verify(p.ca, nil, now)))
	// Without the signer's certificate in the response, the issuer given
	// to Verify is the signer.
	require.NoError(t, ask("good", "ca", "-resp_no_certs").Verify(p.ca, nil, now))
	require.Equal(t, ocsp.CodeBadSignature, code(ask("good", "delegated", "-resp_no_certs").Verify(p.ca, nil, now)))
	// The trust anchors may be given; the issuer then needs to reach one.
	require.NoError(t, ask("good", "ca").Verify(p.ca, [][]byte{p.ca}, now))
	require.Equal(t, ocsp.CodeBadSignature, code(ask("good", "ca").Verify(p.ca, [][]byte{der(t, "ca1-cert.pem")}, now)))

	// Update times, with MaxClockSkew either side.
	r = ask("good", "ca", "-nmin", "1")
	require.NoError(t, r.Verify(p.ca, nil, now.Add(5*time.Minute)))
	err = r.Verify(p.ca, nil, now.Add(10*time.Minute))
	require.Equal(t, ocsp.CodeExpired, code(err))
	require.Contains(t, err.Error(), "the OCSP response expired at ")
	require.NoError(t, r.Verify(p.ca, nil, now.Add(-4*time.Minute)))
	require.Equal(t, ocsp.CodeNotYetValid, code(r.Verify(p.ca, nil, now.Add(-10*time.Minute))))
}

// A request for two certificates with SHA-256 CertIDs (made by openssl):
// every single response is read, and Find matches each with its hash.
func TestTwoCertificatesSHA256(t *testing.T) {
	p := newTestPKI(t)
	req := p.path("two.der")
	openssl(t, "ocsp", "-issuer", p.path("ca-cert.pem"), "-sha256", "-cert", p.path("good-cert.pem"),
		"-cert", p.path("revoked-cert.pem"), "-no_nonce", "-reqout", req)
	body, err := os.ReadFile(req)
	require.NoError(t, err)
	r, err := ocsp.ParseResponse(p.respond(t, "ca", body))
	require.NoError(t, err)
	require.Len(t, r.Responses, 2)
	for i, leaf := range []string{"good", "revoked"} {
		s, err := r.Find(p.leaf(leaf), p.ca)
		require.NoError(t, err)
		require.Same(t, &r.Responses[i], s)
		require.Equal(t, "SHA256", s.HashAlgorithm)
		require.Equal(t, leaf, s.CertStatus)
		require.Len(t, s.IssuerNameHash, 32)
	}
	_, err = r.Find(p.leaf("unknown"), p.ca)
	require.Equal(t, ocsp.CodeNotFound, code(err))
	require.Equal(t, ocsp.CodeRevoked, code(r.Verify(p.ca, nil, time.Now())), "one of the two is revoked")
}

func FuzzParseResponse(f *testing.F) {
	dir := testpki.Dir()
	for _, name := range []string{"agent1-ocsp.der", "revoked-ocsp.der"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{0x30, 0x03, 0x0a, 0x01, 0x03})
	ca1, err := os.ReadFile(filepath.Join(dir, "ca1-cert.pem"))
	if err != nil {
		f.Fatal(err)
	}
	block, _ := pem.Decode(ca1)
	agent1, err := os.ReadFile(filepath.Join(dir, "agent1-cert.pem"))
	if err != nil {
		f.Fatal(err)
	}
	leaf, _ := pem.Decode(agent1)
	now := time.Now()
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := ocsp.ParseResponse(in)
		if err != nil {
			if code(err) != ocsp.CodeMalformed {
				t.Fatalf("error %v is not OCSP_MALFORMED", err)
			}
			return
		}
		for _, s := range r.Responses {
			if s.SerialNumber == nil || s.CertStatus == "" {
				t.Fatalf("incomplete single response %+v", s)
			}
		}
		if err := r.Verify(block.Bytes, nil, now); err != nil && !strings.HasPrefix(code(err), "OCSP_") && code(err) != ocsp.CodeRevoked {
			t.Fatalf("Verify: %v", err)
		}
		if _, err := r.Find(leaf.Bytes, block.Bytes); err != nil && !strings.HasPrefix(code(err), "OCSP_") {
			t.Fatalf("Find: %v", err)
		}
	})
}
