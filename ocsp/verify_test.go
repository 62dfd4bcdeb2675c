package ocsp_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nodetls/nodetls/internal/peers"
	"github.com/nodetls/nodetls/internal/testpki"
	"github.com/nodetls/nodetls/ocsp"
	"github.com/nodetls/nodetls/ossl"
)

func at(now time.Time) ocsp.VerifyOptions { return ocsp.VerifyOptions{CurrentTime: now} }

func TestVerifyFixtures(t *testing.T) {
	agent1, ca1, ca2 := der(t, "agent1-cert.pem"), der(t, "ca1-cert.pem"), der(t, "ca2-cert.pem")
	now := time.Now()
	good, err := ocsp.ParseResponse(testpki.Read(t, "agent1-ocsp.der"))
	require.NoError(t, err)
	s, err := good.Verify(agent1, ca1, at(now))
	require.NoError(t, err)
	require.Equal(t, "good", s.CertStatus)
	_, err = good.Verify(agent1, ca1, ocsp.VerifyOptions{Roots: [][]byte{ca1}})
	require.NoError(t, err)
	_, err = good.Verify(agent1, ca2, at(now))
	require.Equal(t, ocsp.CodeNotFound, code(err), "the CertID names ca1")
	_, err = good.Verify(agent1, ca2, ocsp.VerifyOptions{Roots: [][]byte{ca1}})
	require.Equal(t, ocsp.CodeNotFound, code(err), "the issuer is bound through the CertID, trusted roots or not")
	_, err = good.Verify(agent1, ca1, ocsp.VerifyOptions{Roots: [][]byte{ca2}})
	require.Equal(t, ocsp.CodeBadSignature, code(err), "ca1 is not trusted")
	_, err = good.Verify(der(t, "revoked-cert.pem"), ca1, at(now))
	require.Equal(t, ocsp.CodeNotFound, code(err), "a good response about agent1 says nothing of revoked")
	_, err = good.Verify(agent1, nil, at(now))
	require.Equal(t, ocsp.CodeBadSignature, code(err))
	_, err = good.Verify(agent1, []byte("junk"), at(now))
	require.Equal(t, ocsp.CodeMalformed, code(err))
	_, err = good.Verify([]byte("junk"), ca1, at(now))
	require.Equal(t, ocsp.CodeMalformed, code(err))
	_, err = good.Verify(agent1, ca1, ocsp.VerifyOptions{Roots: [][]byte{[]byte("junk")}})
	require.Equal(t, ocsp.CodeMalformed, code(err))

	revoked, err := ocsp.ParseResponse(testpki.Read(t, "revoked-ocsp.der"))
	require.NoError(t, err)
	s, err = revoked.Verify(der(t, "revoked-cert.pem"), ca1, at(now))
	require.Equal(t, ocsp.CodeRevoked, code(err))
	require.Contains(t, err.Error(), "(keyCompromise)")
	require.Equal(t, "revoked", s.CertStatus, "the single response comes with the error")

	// A flipped bit in the signature, which ends 8 bytes before the
	// certificate the response carries ([0] and SEQUENCE OF headers).
	bad := append([]byte{}, good.Raw...)
	i := bytes.Index(bad, ca1)
	require.Greater(t, i, 100)
	bad[i-20] ^= 1
	r, err := ocsp.ParseResponse(bad)
	require.NoError(t, err)
	_, err = r.Verify(agent1, ca1, at(now))
	require.Equal(t, ocsp.CodeBadSignature, code(err))
	var oe *ossl.Error
	require.ErrorAs(t, err, &oe, "OpenSSL's reason is kept")
	require.Equal(t, "invalid padding", oe.Reason())
}

// testPKI is a hierarchy made here, so that validity periods, responders
// and response contents are the test's to choose, with openssl ocsp as the
// responder:
//
//	ca ─┬─ good, revoked, unknown (leaves; unknown is not in the index)
//	    ├─ delegated (OCSP signing), undelegated, expired (OCSP signing, expired in 2001)
//	    └─ inter (CA) ── deep (leaf)
//	other (CA) ── foreign (OCSP signing)
//	attacker (self-signed, OCSP signing)
type testPKI struct {
	dir   string
	certs map[string]*x509.Certificate
	keys  map[string]*ecdsa.PrivateKey
}

func newTestPKI(t *testing.T) *testPKI {
	peers.Require(t, "openssl")
	p := &testPKI{dir: t.TempDir(), certs: map[string]*x509.Certificate{}, keys: map[string]*ecdsa.PrivateKey{}}
	from, to := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	serial := int64(0x1000)
	issue := func(name, parent string, isCA bool, eku []x509.ExtKeyUsage, notAfter time.Time) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		serial++
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: from, NotAfter: notAfter, ExtKeyUsage: eku, KeyUsage: x509.KeyUsageDigitalSignature,
		}
		if isCA {
			tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
			tmpl.KeyUsage |= x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		}
		signer, signerKey := tmpl, key
		if parent != "" {
			signer, signerKey = p.certs[parent], p.keys[parent]
		}
		d, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
		require.NoError(t, err)
		c, _ := x509.ParseCertificate(d)
		p.certs[name], p.keys[name] = c, key
		kd, err := x509.MarshalECPrivateKey(key)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(p.path(name+"-cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d}), 0o600))
		require.NoError(t, os.WriteFile(p.path(name+"-key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd}), 0o600))
	}
	signing := []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
	issue("ca", "", true, nil, to)
	issue("good", "ca", false, nil, to)
	issue("revoked", "ca", false, nil, to)
	issue("unknown", "ca", false, nil, to)
	issue("delegated", "ca", false, signing, to)
	issue("undelegated", "ca", false, nil, to)
	issue("expired", "ca", false, signing, time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC))
	issue("inter", "ca", true, nil, to)
	issue("deep", "inter", false, nil, to)
	issue("other", "", true, nil, to)
	issue("foreign", "other", false, signing, to)
	issue("attacker", "", false, signing, to)
	// openssl ca's index.txt: status, expiry, revocation, serial, file, subject.
	var idx strings.Builder
	for _, name := range []string{"good", "revoked", "deep"} {
		status, rev := "V", ""
		if name == "revoked" {
			status, rev = "R", "200102030405Z,keyCompromise"
		}
		idx.WriteString(status + "\t21000101000000Z\t" + rev + "\t" + p.certs[name].SerialNumber.Text(16) + "\tunknown\t/CN=" + name + "\n")
	}
	require.NoError(t, os.WriteFile(p.path("index.txt"), []byte(idx.String()), 0o600))
	return p
}

func (p *testPKI) path(name string) string { return filepath.Join(p.dir, name) }

func (p *testPKI) der(name string) []byte { return p.certs[name].Raw }

// respond has openssl ocsp answer req about certificates issued by ca,
// signed by signer.
func (p *testPKI) respond(t *testing.T, ca, signer string, req []byte, extra ...string) []byte {
	t.Helper()
	in, out := p.path("req.der"), p.path("resp.der")
	require.NoError(t, os.WriteFile(in, req, 0o600))
	args := append([]string{"ocsp", "-index", p.path("index.txt"), "-CA", p.path(ca + "-cert.pem"),
		"-rsigner", p.path(signer + "-cert.pem"), "-rkey", p.path(signer + "-key.pem"), "-reqin", in, "-respout", out}, extra...)
	openssl(t, args...)
	d, err := os.ReadFile(out)
	require.NoError(t, err)
	return d
}

// ask sends our request about leaf (issued by issuer) to openssl ocsp and
// parses the answer, checking that it is about leaf.
func (p *testPKI) ask(t *testing.T, leaf, issuer, signer string, extra ...string) *ocsp.Response {
	t.Helper()
	req, err := ocsp.NewRequest(p.der(leaf), p.der(issuer))
	require.NoError(t, err)
	r, err := ocsp.ParseResponse(p.respond(t, issuer, signer, req, extra...))
	require.NoError(t, err)
	s, err := r.Find(p.der(leaf), p.der(issuer))
	require.NoError(t, err, "openssl answered about the certificate we asked for")
	require.Equal(t, p.certs[leaf].SerialNumber, s.SerialNumber)
	require.Equal(t, "SHA1", s.HashAlgorithm)
	return r
}

// Our requests against openssl's responder, and its responses through
// ParseResponse, Find and Verify.
func TestAgainstOpenSSLResponder(t *testing.T) {
	p := newTestPKI(t)
	ca := p.der("ca")
	verify := func(r *ocsp.Response, leaf string, opts ocsp.VerifyOptions) (*ocsp.SingleResponse, error) {
		return r.Verify(p.der(leaf), ca, opts)
	}

	before := time.Now()
	r := p.ask(t, "good", "ca", "ca", "-ndays", "1")
	after := time.Now()
	s, err := verify(r, "good", ocsp.VerifyOptions{})
	require.NoError(t, err)
	require.Equal(t, "good", s.CertStatus)
	// openssl stamps with whole seconds.
	require.False(t, s.ThisUpdate.Before(before.Truncate(time.Second)) || s.ThisUpdate.After(after), "thisUpdate %v", s.ThisUpdate)
	require.Equal(t, s.ThisUpdate.Add(24*time.Hour), s.NextUpdate)
	require.Equal(t, s.ThisUpdate, r.ProducedAt)

	r = p.ask(t, "revoked", "ca", "ca")
	s = &r.Responses[0]
	require.Equal(t, "revoked", s.CertStatus)
	require.Equal(t, "keyCompromise", s.RevocationReason)
	require.Equal(t, time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC), s.RevokedAt)
	require.True(t, s.NextUpdate.IsZero(), "no -ndays: no nextUpdate")
	_, err = verify(r, "revoked", ocsp.VerifyOptions{})
	require.Equal(t, ocsp.CodeRevoked, code(err))
	require.Equal(t, "CERT_REVOKED: certificate revoked at 2020-01-02T03:04:05Z (keyCompromise)", err.Error())

	r = p.ask(t, "unknown", "ca", "ca")
	require.Equal(t, "unknown", r.Responses[0].CertStatus)
	_, err = verify(r, "unknown", ocsp.VerifyOptions{})
	require.Equal(t, ocsp.CodeCertUnknown, code(err))

	// Signers: the CA itself, with or without its certificate in the
	// response; a responder it delegated; nobody else.
	for _, tc := range []struct {
		signer string
		extra  []string
		want   string // "" for success
		reason string // in the message
	}{
		{signer: "ca"},
		{signer: "ca", extra: []string{"-resp_no_certs"}},
		{signer: "delegated"},
		{signer: "delegated", extra: []string{"-resp_no_certs"}, want: ocsp.CodeBadSignature},     // its certificate is nowhere
		{signer: "undelegated", want: ocsp.CodeBadSignature, reason: "missing ocspsigning usage"}, // issued by the CA, but not for OCSP
		{signer: "expired", want: ocsp.CodeBadSignature, reason: "certificate has expired"},       // delegated, but expired
		{signer: "foreign", want: ocsp.CodeBadSignature},                                          // delegated by another CA
		{signer: "attacker", want: ocsp.CodeBadSignature},                                         // self-signed, carried in the response
		{signer: "attacker", extra: []string{"-resp_key_id"}, want: ocsp.CodeBadSignature},        // the same, named by key
	} {
		name := tc.signer + " " + strings.Join(tc.extra, " ")
		_, err := verify(p.ask(t, "good", "ca", tc.signer, tc.extra...), "good", ocsp.VerifyOptions{})
		if tc.want == "" {
			require.NoError(t, err, name)
			continue
		}
		require.Equal(t, tc.want, code(err), name)
		require.Contains(t, err.Error(), tc.reason, name)
	}
	// Trust anchors, when given, must be reached.
	r = p.ask(t, "good", "ca", "ca")
	_, err = verify(r, "good", ocsp.VerifyOptions{Roots: [][]byte{ca}})
	require.NoError(t, err)
	_, err = verify(r, "good", ocsp.VerifyOptions{Roots: [][]byte{p.der("other")}})
	require.Equal(t, ocsp.CodeBadSignature, code(err))

	// An intermediate issuer: an anchor by itself, or reaching the root.
	deep := p.ask(t, "deep", "inter", "inter")
	for _, roots := range [][][]byte{nil, {ca}, {p.der("inter")}} {
		_, err = deep.Verify(p.der("deep"), p.der("inter"), ocsp.VerifyOptions{Roots: roots})
		require.NoError(t, err)
	}
	_, err = deep.Verify(p.der("deep"), p.der("inter"), ocsp.VerifyOptions{Roots: [][]byte{p.der("other")}})
	require.Equal(t, ocsp.CodeBadSignature, code(err))
	_, err = deep.Verify(p.der("deep"), ca, ocsp.VerifyOptions{})
	require.Equal(t, ocsp.CodeNotFound, code(err), "ca did not issue deep")

	// Update times, with MaxClockSkew either side of thisUpdate and
	// nextUpdate (one minute apart).
	r = p.ask(t, "good", "ca", "ca", "-nmin", "1")
	this := r.Responses[0].ThisUpdate
	for _, tc := range []struct {
		at   time.Duration
		want string
	}{
		{-4 * time.Minute, ""}, {-6 * time.Minute, ocsp.CodeNotYetValid},
		{6 * time.Minute, ""}, {7 * time.Minute, ocsp.CodeExpired},
	} {
		_, err := verify(r, "good", at(this.Add(tc.at)))
		require.Equal(t, tc.want, code(err), "at thisUpdate%+v", tc.at)
	}
	// Without nextUpdate, MaxAge bounds the age.
	r = p.ask(t, "good", "ca", "ca")
	this = r.Responses[0].ThisUpdate
	_, err = verify(r, "good", at(this.AddDate(10, 0, 0)))
	require.NoError(t, err, "no bound by default")
	_, err = verify(r, "good", ocsp.VerifyOptions{CurrentTime: this.Add(time.Hour + 4*time.Minute), MaxAge: time.Hour})
	require.NoError(t, err)
	_, err = verify(r, "good", ocsp.VerifyOptions{CurrentTime: this.Add(time.Hour + 6*time.Minute), MaxAge: time.Hour})
	require.Equal(t, ocsp.CodeExpired, code(err))
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
	r, err := ocsp.ParseResponse(p.respond(t, "ca", "ca", body))
	require.NoError(t, err)
	require.Len(t, r.Responses, 2)
	for i, leaf := range []string{"good", "revoked"} {
		s, err := r.Find(p.der(leaf), p.der("ca"))
		require.NoError(t, err)
		require.Same(t, &r.Responses[i], s)
		require.Equal(t, "SHA256", s.HashAlgorithm)
		require.Equal(t, leaf, s.CertStatus)
		require.Len(t, s.IssuerNameHash, 32)
	}
	_, err = r.Find(p.der("unknown"), p.der("ca"))
	require.Equal(t, ocsp.CodeNotFound, code(err))
	_, err = r.Verify(p.der("good"), p.der("ca"), ocsp.VerifyOptions{})
	require.NoError(t, err, "the other certificate's status is not this one's")
	_, err = r.Verify(p.der("revoked"), p.der("ca"), ocsp.VerifyOptions{})
	require.Equal(t, ocsp.CodeRevoked, code(err))
}

// single is one SingleResponse for build, with times as raw
// GeneralizedTime text so that invalid ones can be written.
type single struct {
	serial     []byte // INTEGER contents
	revoked    bool
	thisUpdate string
	nextUpdate string // "" for none
}

// build signs a basic OCSP response about certificates issued by p's ca,
// by ca, carrying no certificates: responses openssl ocsp cannot be made
// to write.
func (p *testPKI) build(t *testing.T, produced string, singles ...single) []byte {
	t.Helper()
	ca := p.certs["ca"]
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	_, err := asn1.Unmarshal(ca.RawSubjectPublicKeyInfo, &spki)
	require.NoError(t, err)
	nameHash, keyHash := sha1.Sum(ca.RawSubject), sha1.Sum(spki.PublicKey.RightAlign())
	gt := func(s string) asn1.RawValue { return asn1.RawValue{Tag: asn1.TagGeneralizedTime, Bytes: []byte(s)} }
	mustMarshal := func(v any) []byte {
		d, err := asn1.Marshal(v)
		require.NoError(t, err)
		return d
	}
	type certID struct {
		HashAlgorithm pkix.AlgorithmIdentifier
		NameHash      []byte
		KeyHash       []byte
		Serial        asn1.RawValue
	}
	type singleResponse struct {
		CertID     certID
		Status     asn1.RawValue
		ThisUpdate asn1.RawValue
		NextUpdate asn1.RawValue `asn1:"optional"`
	}
	var srs []singleResponse
	for _, s := range singles {
		sr := singleResponse{
			CertID: certID{
				HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}, Parameters: asn1.NullRawValue},
				NameHash:      nameHash[:], KeyHash: keyHash[:],
				Serial: asn1.RawValue{Tag: asn1.TagInteger, Bytes: s.serial},
			},
			Status:     asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0}, // good [0] IMPLICIT NULL
			ThisUpdate: gt(s.thisUpdate),
		}
		if s.revoked { // revoked [1] IMPLICIT RevokedInfo { revocationTime }
			sr.Status = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, IsCompound: true, Bytes: mustMarshal(gt(s.thisUpdate))}
		}
		if s.nextUpdate != "" { // [0] EXPLICIT
			sr.NextUpdate = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: mustMarshal(gt(s.nextUpdate))}
		}
		srs = append(srs, sr)
	}
	tbs := mustMarshal(struct {
		ResponderID asn1.RawValue
		ProducedAt  asn1.RawValue
		Responses   []singleResponse
	}{
		ResponderID: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, IsCompound: true, Bytes: ca.RawSubject}, // byName
		ProducedAt:  gt(produced),
		Responses:   srs,
	})
	digest := sha256.Sum256(tbs)
	sig, err := ecdsa.SignASN1(rand.Reader, p.keys["ca"], digest[:])
	require.NoError(t, err)
	basic := mustMarshal(struct {
		TBS    asn1.RawValue
		SigAlg pkix.AlgorithmIdentifier
		Sig    asn1.BitString
	}{asn1.RawValue{FullBytes: tbs}, pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}}, asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}})
	type responseBytes struct {
		Type     asn1.ObjectIdentifier
		Response []byte
	}
	return mustMarshal(struct {
		Status asn1.Enumerated
		Bytes  responseBytes `asn1:"explicit,tag:0"`
	}{0, responseBytes{asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}, basic}})
}

// Responses no responder should send: impossible times, a serial too
// long to be one, contradicting answers about one certificate.
func TestBuiltResponses(t *testing.T) {
	p := newTestPKI(t)
	good, ca := p.der("good"), p.der("ca")
	serial := p.certs["good"].SerialNumber.Bytes()
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	const this, next = "20300601000000Z", "20300602000000Z"

	// The builder itself makes responses that verify.
	r, err := ocsp.ParseResponse(p.build(t, this, single{serial: serial, thisUpdate: this, nextUpdate: next}))
	require.NoError(t, err)
	s, err := r.Verify(good, ca, at(now))
	require.NoError(t, err)
	require.Equal(t, time.Date(2030, 6, 2, 0, 0, 0, 0, time.UTC), s.NextUpdate)

	for name, resp := range map[string][]byte{
		"month 13 in thisUpdate":  p.build(t, this, single{serial: serial, thisUpdate: "20301301000000Z"}),
		"hour 25 in nextUpdate":   p.build(t, this, single{serial: serial, thisUpdate: this, nextUpdate: "20300601250000Z"}),
		"day 32 in producedAt":    p.build(t, "20300632000000Z", single{serial: serial, thisUpdate: this}),
		"a 65-byte serial":        p.build(t, this, single{serial: append([]byte{1}, make([]byte, 64)...), thisUpdate: this}),
		"revocationTime is wrong": p.build(t, this, single{serial: serial, revoked: true, thisUpdate: "2030060100000Z"}),
	} {
		_, err := ocsp.ParseResponse(resp)
		require.Equal(t, ocsp.CodeMalformed, code(err), name)
	}
	// A 64-byte serial is the longest read.
	r, err = ocsp.ParseResponse(p.build(t, this, single{serial: append([]byte{1}, make([]byte, 63)...), thisUpdate: this}))
	require.NoError(t, err)
	require.Equal(t, 64, len(r.Responses[0].SerialNumber.Bytes()))

	r, err = ocsp.ParseResponse(p.build(t, this, single{serial: serial, thisUpdate: next, nextUpdate: this}))
	require.NoError(t, err)
	_, err = r.Verify(good, ca, at(now))
	require.Equal(t, ocsp.CodeMalformed, code(err))
	require.Contains(t, err.Error(), "is before its thisUpdate")

	// Two answers about one certificate: the revoked one wins, wherever it is.
	for _, order := range [][2]bool{{false, true}, {true, false}} {
		r, err = ocsp.ParseResponse(p.build(t, this,
			single{serial: serial, revoked: order[0], thisUpdate: this, nextUpdate: next},
			single{serial: serial, revoked: order[1], thisUpdate: this, nextUpdate: next}))
		require.NoError(t, err)
		_, err = r.Verify(good, ca, at(now))
		require.Equal(t, ocsp.CodeRevoked, code(err), "order %v", order)
	}

	// A byte changed in the signed data.
	resp := p.build(t, this, single{serial: serial, thisUpdate: this, nextUpdate: next})
	i := bytes.Index(resp, []byte(next))
	resp[i+3] = '1' // 2031
	r, err = ocsp.ParseResponse(resp)
	require.NoError(t, err)
	_, err = r.Verify(good, ca, at(now))
	require.Equal(t, ocsp.CodeBadSignature, code(err))
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
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			f.Fatal(err)
		}
		block, _ := pem.Decode(b)
		return block.Bytes
	}
	ca1, agent1 := read("ca1-cert.pem"), read("agent1-cert.pem")
	codes := map[string]bool{ocsp.CodeMalformed: true, ocsp.CodeUnsuccessful: true, ocsp.CodeBadSignature: true, ocsp.CodeNotYetValid: true,
		ocsp.CodeExpired: true, ocsp.CodeNotFound: true, ocsp.CodeRevoked: true, ocsp.CodeCertUnknown: true}
	now := time.Now()
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := ocsp.ParseResponse(in)
		if err != nil {
			if code(err) != ocsp.CodeMalformed {
				t.Fatalf("error %v is not OCSP_MALFORMED", err)
			}
			return
		}
		if r.Status != "successful" && (len(r.Responses) > 0 || !r.ProducedAt.IsZero()) {
			t.Fatalf("status %s with content", r.Status)
		}
		for _, s := range r.Responses {
			if s.SerialNumber == nil || s.CertStatus == "" || s.ThisUpdate.IsZero() {
				t.Fatalf("incomplete single response %+v", s)
			}
		}
		s, err := r.Verify(agent1, ca1, at(now))
		if err != nil && !codes[code(err)] {
			t.Fatalf("Verify: %v", err)
		}
		if err == nil && (s == nil || s.CertStatus != "good") {
			t.Fatalf("Verify passed with %+v", s)
		}
		if _, err := r.Find(agent1, ca1); err != nil && !codes[code(err)] {
			t.Fatalf("Find: %v", err)
		}
	})
}
