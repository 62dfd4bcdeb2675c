package testpki

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// readmeFiles returns the file names listed in the table of testdata/README.md.
func readmeFiles(t *testing.T) []string {
	t.Helper()
	re := regexp.MustCompile("^\\| `([^`]+)` \\|")
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(Read(t, "README.md")))
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			names = append(names, m[1])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(names) < 40 {
		t.Fatalf("README.md lists only %d files; table format changed?", len(names))
	}
	return names
}

func TestDir(t *testing.T) {
	d := Dir()
	if !filepath.IsAbs(d) || filepath.Base(d) != "testdata" {
		t.Fatalf("Dir() = %q", d)
	}
	if _, err := os.Stat(filepath.Join(d, "gen.sh")); err != nil {
		t.Fatal(err)
	}
	if got, want := Path("ca1-cert.pem"), filepath.Join(d, "ca1-cert.pem"); got != want {
		t.Fatalf("Path = %q, want %q", got, want)
	}
	if !bytes.Equal(MustRead("ca1-cert.pem"), Read(t, "ca1-cert.pem")) {
		t.Fatal("MustRead and Read differ")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("MustRead of a missing file did not panic")
			}
		}()
		MustRead("no-such-file.pem")
	}()
}

// TestReadmeComplete checks that the README lists every file in testdata/
// and that every listed file exists and is not empty.
func TestReadmeComplete(t *testing.T) {
	listed := map[string]bool{"README.md": true}
	for _, n := range readmeFiles(t) {
		if listed[n] {
			t.Errorf("README lists %s twice", n)
		}
		listed[n] = true
		fi, err := os.Stat(Path(n))
		if err != nil {
			t.Errorf("listed in README: %v", err)
			continue
		}
		if fi.Size() == 0 {
			t.Errorf("%s is empty", n)
		}
	}
	ents, err := os.ReadDir(Dir())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if !listed[e.Name()] {
			t.Errorf("%s is in testdata/ but not in README.md", e.Name())
		}
	}
}

// TestPEMFilesParse decodes every *.pem file listed in the README and parses
// each block with the standard library where it can.
func TestPEMFilesParse(t *testing.T) {
	for _, n := range readmeFiles(t) {
		if !strings.HasSuffix(n, ".pem") {
			continue
		}
		t.Run(n, func(t *testing.T) {
			blocks := pemBlocks(Read(t, n))
			if n == "dherror.pem" || n == "garbage.pem" {
				if len(blocks) != 0 {
					t.Fatalf("%s must not contain PEM blocks, has %d", n, len(blocks))
				}
				return
			}
			if len(blocks) == 0 {
				t.Fatal("no PEM blocks")
			}
			for _, b := range blocks {
				checkBlock(t, n, b)
			}
		})
	}
}

func pemBlocks(data []byte) []*pem.Block {
	var out []*pem.Block
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return out
		}
		out = append(out, b)
	}
}

func checkBlock(t *testing.T, name string, b *pem.Block) {
	t.Helper()
	switch b.Type {
	case "CERTIFICATE":
		if _, err := x509.ParseCertificate(b.Bytes); err != nil {
			t.Errorf("certificate: %v", err)
		}
	case "PRIVATE KEY":
		if _, err := x509.ParsePKCS8PrivateKey(b.Bytes); err != nil {
			t.Errorf("PKCS#8 key: %v", err)
		}
	case "ENCRYPTED PRIVATE KEY":
		if name != "pass-key.pem" {
			t.Errorf("unexpected encrypted key")
		}
		// PKCS#8 EncryptedPrivateKeyInfo: check the outer structure only.
		var epki struct {
			Alg  asn1.RawValue
			Data []byte
		}
		if rest, err := asn1.Unmarshal(b.Bytes, &epki); err != nil || len(rest) != 0 || len(epki.Data) == 0 {
			t.Errorf("EncryptedPrivateKeyInfo: %v", err)
		}
	case "RSA PRIVATE KEY":
		if name != "pass-key-legacy.pem" {
			t.Errorf("unexpected traditional RSA key")
		}
		if b.Headers["Proc-Type"] != "4,ENCRYPTED" || !strings.HasPrefix(b.Headers["DEK-Info"], "AES-256-CBC,") {
			t.Errorf("not a traditionally encrypted key: headers %v", b.Headers)
		}
	case "X509 CRL":
		if _, err := x509.ParseRevocationList(b.Bytes); err != nil {
			t.Errorf("CRL: %v", err)
		}
	case "DH PARAMETERS":
		var dh struct{ P, G *big.Int }
		if _, err := asn1.Unmarshal(b.Bytes, &dh); err != nil {
			t.Errorf("DH parameters: %v", err)
		} else if dh.G.Int64() != 2 {
			t.Errorf("DH generator = %v, want 2", dh.G)
		}
	default:
		t.Errorf("unexpected PEM type %q", b.Type)
	}
}

func cert(t *testing.T, name string) *x509.Certificate {
	t.Helper()
	certs := certs(t, name)
	return certs[0]
}

func certs(t *testing.T, name string) []*x509.Certificate {
	t.Helper()
	var out []*x509.Certificate
	for _, b := range pemBlocks(Read(t, name)) {
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no certificates", name)
	}
	return out
}

func key(t *testing.T, name string) crypto.Signer {
	t.Helper()
	b, _ := pem.Decode(Read(t, name))
	if b == nil {
		t.Fatalf("%s: no PEM", name)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return k.(crypto.Signer)
}

func TestKeysMatchCerts(t *testing.T) {
	type pair struct{ key, cert string }
	pairs := []pair{{"raw-key.pem", "pass-cert.pem"}, {"localhost-key.pem", "badsig-cert.pem"}}
	for _, r := range []string{"ca1", "ca2", "ca3", "agent1", "agent2", "agent3", "agent4", "agent6",
		"localhost", "ipcn", "multi", "client1", "expired", "notyet", "revoked",
		"ec", "ec-leaf", "ed25519", "rsa1024",
		"notca", "notca-leaf", "cafalse", "cafalse-leaf", "pathlen0", "pathlen0-sub", "pathlen0-leaf",
		"serverauth", "sha1", "critext"} {
		pairs = append(pairs, pair{r + "-key.pem", r + "-cert.pem"})
	}
	for _, p := range pairs {
		pub := key(t, p.key).Public().(interface{ Equal(crypto.PublicKey) bool })
		if !pub.Equal(cert(t, p.cert).PublicKey) {
			t.Errorf("%s does not match %s", p.key, p.cert)
		}
	}
}

func TestKeyTypes(t *testing.T) {
	rsaBits := func(name string) int { return key(t, name).(*rsa.PrivateKey).N.BitLen() }
	if n := rsaBits("agent1-key.pem"); n != 2048 {
		t.Errorf("agent1 key is %d bits", n)
	}
	if n := rsaBits("rsa1024-key.pem"); n != 1024 {
		t.Errorf("rsa1024 key is %d bits", n)
	}
	for _, n := range []string{"ec-key.pem", "ec-leaf-key.pem"} {
		if k, ok := key(t, n).(*ecdsa.PrivateKey); !ok || k.Curve != elliptic.P256() {
			t.Errorf("%s is not a P-256 key", n)
		}
	}
	if _, ok := key(t, "ed25519-key.pem").(ed25519.PrivateKey); !ok {
		t.Error("ed25519-key.pem is not Ed25519")
	}
}

func TestCertDetails(t *testing.T) {
	exp := cert(t, "expired-cert.pem")
	if exp.NotAfter.Year() != 2020 || !exp.NotBefore.Equal(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("expired: valid %v..%v", exp.NotBefore, exp.NotAfter)
	}
	ny := cert(t, "notyet-cert.pem")
	if ny.NotBefore.Year() != 2090 || ny.NotAfter.Year() != 2100 {
		t.Errorf("notyet: valid %v..%v", ny.NotBefore, ny.NotAfter)
	}
	if c := cert(t, "ca1-cert.pem"); c.NotAfter.Before(time.Now().AddDate(50, 0, 0)) {
		t.Errorf("ca1 expires too soon: %v", c.NotAfter)
	}

	a1 := cert(t, "agent1-cert.pem")
	if len(a1.DNSNames)+len(a1.IPAddresses)+len(a1.EmailAddresses) != 0 {
		t.Error("agent1 must have no SAN")
	}
	if a1.Subject.CommonName != "agent1" || len(a1.OCSPServer) != 1 || a1.OCSPServer[0] != "http://ocsp.nodejs.org/" ||
		len(a1.IssuingCertificateURL) != 1 || a1.IssuingCertificateURL[0] != "http://ca.nodejs.org/ca.cert" {
		t.Errorf("agent1: CN %q OCSP %v caIssuers %v", a1.Subject.CommonName, a1.OCSPServer, a1.IssuingCertificateURL)
	}

	lh := cert(t, "localhost-cert.pem")
	if strings.Join(lh.DNSNames, ",") != "localhost,*.example.com" || len(lh.IPAddresses) != 2 {
		t.Errorf("localhost SAN: %v %v", lh.DNSNames, lh.IPAddresses)
	}
	ip := cert(t, "ipcn-cert.pem")
	if len(ip.DNSNames) != 0 || len(ip.IPAddresses) != 1 || ip.Subject.CommonName != "localhost" {
		t.Errorf("ipcn: CN %q SAN %v %v", ip.Subject.CommonName, ip.DNSNames, ip.IPAddresses)
	}

	m := cert(t, "multi-cert.pem").Subject
	if strings.Join(m.OrganizationalUnit, ",") != "a,b" {
		t.Errorf("multi OU = %v", m.OrganizationalUnit)
	}
	var cns []string
	for _, a := range m.Names {
		if a.Type.Equal(asn1.ObjectIdentifier{2, 5, 4, 3}) {
			cns = append(cns, a.Value.(string))
		}
	}
	if strings.Join(cns, ",") != "multi1,multi2" {
		t.Errorf("multi CNs = %v", cns)
	}

	if c := certs(t, "ca1-ca2.pem"); len(c) != 2 || c[0].Subject.CommonName != "ca1" || c[1].Subject.CommonName != "ca2" {
		t.Error("ca1-ca2.pem must hold ca1 then ca2")
	}
	if c := certs(t, "agent6-chain.pem"); len(c) != 2 || c[0].Subject.CommonName != "agent6" || c[1].Subject.CommonName != "ca3" {
		t.Error("agent6-chain.pem must hold agent6 then ca3")
	}
}

func TestVerify(t *testing.T) {
	pool := func(names ...string) *x509.CertPool {
		p := x509.NewCertPool()
		for _, n := range names {
			for _, c := range certs(t, n) {
				p.AddCert(c)
			}
		}
		return p
	}
	cases := []struct {
		leaf, roots, inter string
		ok                 bool
	}{
		{"agent1-cert.pem", "ca1-cert.pem", "", true},
		{"agent1-cert.pem", "ca2-cert.pem", "", false},
		{"agent1-cert.pem", "ca1-ca2.pem", "", true},
		{"agent3-cert.pem", "ca1-ca2.pem", "", true},
		{"agent3-cert.pem", "ca2-cert.pem", "", true},
		{"agent4-cert.pem", "ca2-cert.pem", "", true},
		{"localhost-cert.pem", "ca1-cert.pem", "", true},
		{"ipcn-cert.pem", "ca1-cert.pem", "", true},
		{"multi-cert.pem", "ca1-cert.pem", "", true},
		{"client1-cert.pem", "ca1-cert.pem", "", true},
		{"ec-leaf-cert.pem", "ca1-cert.pem", "", true},
		{"rsa1024-cert.pem", "ca1-cert.pem", "", true},
		{"revoked-cert.pem", "ca1-cert.pem", "", true}, // Go does not check CRLs
		{"agent6-cert.pem", "ca1-cert.pem", "", false},
		{"agent6-cert.pem", "ca1-cert.pem", "ca3-cert.pem", true},
		{"expired-cert.pem", "ca1-cert.pem", "", false},
		{"notyet-cert.pem", "ca1-cert.pem", "", false},
		{"agent2-cert.pem", "agent2-cert.pem", "", true},
		{"ec-cert.pem", "ec-cert.pem", "", true},
		{"ed25519-cert.pem", "ed25519-cert.pem", "", true},
		{"pass-cert.pem", "pass-cert.pem", "", true},
		// Verification fixtures (see tls/testdata/node/verify.json).
		{"notca-leaf-cert.pem", "ca1-cert.pem", "notca-cert.pem", false},
		{"cafalse-leaf-cert.pem", "ca1-cert.pem", "cafalse-cert.pem", false},
		{"pathlen0-sub-cert.pem", "ca1-cert.pem", "pathlen0-cert.pem", true},
		{"pathlen0-leaf-cert.pem", "ca1-cert.pem", "pathlen0-leaf-chain.pem", false},
		{"serverauth-cert.pem", "ca1-cert.pem", "", true},
		{"sha1-cert.pem", "ca1-cert.pem", "", false},    // Go rejects SHA-1 signatures
		{"critext-cert.pem", "ca1-cert.pem", "", false}, // unhandled critical extension
		{"badsig-cert.pem", "ca1-cert.pem", "", false},
		{"agent6-cert.pem", "ca1-cert.pem", "agent6-fullchain.pem", true},
	}
	for _, c := range cases {
		opts := x509.VerifyOptions{
			Roots:     pool(c.roots),
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
		}
		if c.inter != "" {
			opts.Intermediates = pool(c.inter)
		}
		_, err := cert(t, c.leaf).Verify(opts)
		if (err == nil) != c.ok {
			t.Errorf("verify %s roots=%s inter=%s: err=%v, want ok=%v", c.leaf, c.roots, c.inter, err, c.ok)
		}
	}
}

func TestCRLs(t *testing.T) {
	crl := func(name string) *x509.RevocationList {
		b, _ := pem.Decode(Read(t, name))
		if b == nil {
			t.Fatalf("%s: no PEM", name)
		}
		l, err := x509.ParseRevocationList(b.Bytes)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return l
	}
	c1 := crl("ca1-crl.pem")
	if err := c1.CheckSignatureFrom(cert(t, "ca1-cert.pem")); err != nil {
		t.Errorf("ca1-crl signature: %v", err)
	}
	rev := cert(t, "revoked-cert.pem").SerialNumber
	if len(c1.RevokedCertificateEntries) != 1 || c1.RevokedCertificateEntries[0].SerialNumber.Cmp(rev) != 0 {
		t.Errorf("ca1-crl must revoke exactly %x", rev)
	}
	if c1.NextUpdate.Before(time.Now().AddDate(50, 0, 0)) {
		t.Errorf("ca1-crl nextUpdate too soon: %v", c1.NextUpdate)
	}
	c2 := crl("ca2-crl.pem")
	if err := c2.CheckSignatureFrom(cert(t, "ca2-cert.pem")); err != nil {
		t.Errorf("ca2-crl signature: %v", err)
	}
	if len(c2.RevokedCertificateEntries) != 0 {
		t.Error("ca2-crl must be empty")
	}
	ce := crl("ca1-crl-expired.pem")
	if err := ce.CheckSignatureFrom(cert(t, "ca1-cert.pem")); err != nil {
		t.Errorf("ca1-crl-expired signature: %v", err)
	}
	if !ce.ThisUpdate.Equal(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)) ||
		!ce.NextUpdate.Equal(time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)) || len(ce.RevokedCertificateEntries) != 0 {
		t.Errorf("ca1-crl-expired: %v..%v, %d entries", ce.ThisUpdate, ce.NextUpdate, len(ce.RevokedCertificateEntries))
	}
}

// TestVerifyFixtures checks the certificate-verification fixtures made by
// `ONLY=trust bash testdata/gen.sh`.
func TestVerifyFixtures(t *testing.T) {
	cns := func(name string) string {
		var out []string
		for _, c := range certs(t, name) {
			out = append(out, c.Subject.CommonName)
		}
		return strings.Join(out, ",")
	}
	for name, want := range map[string]string{
		"agent6-fullchain.pem":    "agent6,ca3,ca1",
		"notca-leaf-chain.pem":    "notca-leaf,notca",
		"cafalse-leaf-chain.pem":  "cafalse-leaf,cafalse",
		"pathlen0-leaf-chain.pem": "pathlen0-leaf,pathlen0-sub,pathlen0",
	} {
		if got := cns(name); got != want {
			t.Errorf("%s holds %s, want %s", name, got, want)
		}
	}
	// (sha1 is left out: Go refuses to check SHA-1 signatures.)
	for _, n := range []string{"notca", "cafalse", "pathlen0", "serverauth", "critext"} {
		if err := cert(t, n+"-cert.pem").CheckSignatureFrom(cert(t, "ca1-cert.pem")); err != nil {
			t.Errorf("%s not signed by ca1: %v", n, err)
		}
	}

	if c := cert(t, "notca-cert.pem"); c.BasicConstraintsValid || c.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("notca: basicConstraints present=%v keyUsage=%v", c.BasicConstraintsValid, c.KeyUsage)
	}
	if c := cert(t, "cafalse-cert.pem"); !c.BasicConstraintsValid || c.IsCA {
		t.Errorf("cafalse: basicConstraints present=%v CA=%v", c.BasicConstraintsValid, c.IsCA)
	}
	if c := cert(t, "pathlen0-cert.pem"); !c.IsCA || c.MaxPathLen != 0 || !c.MaxPathLenZero {
		t.Errorf("pathlen0: CA=%v pathlen=%d zero=%v", c.IsCA, c.MaxPathLen, c.MaxPathLenZero)
	}
	if c := cert(t, "pathlen0-sub-cert.pem"); !c.IsCA || c.MaxPathLen != -1 {
		t.Errorf("pathlen0-sub: CA=%v pathlen=%d", c.IsCA, c.MaxPathLen)
	}
	if c := cert(t, "serverauth-cert.pem"); len(c.ExtKeyUsage) != 1 || c.ExtKeyUsage[0] != x509.ExtKeyUsageServerAuth {
		t.Errorf("serverauth EKU = %v", c.ExtKeyUsage)
	}
	if c := cert(t, "sha1-cert.pem"); c.SignatureAlgorithm != x509.SHA1WithRSA {
		t.Errorf("sha1 signature algorithm = %v", c.SignatureAlgorithm)
	}
	if c := cert(t, "critext-cert.pem"); len(c.UnhandledCriticalExtensions) != 1 ||
		!c.UnhandledCriticalExtensions[0].Equal(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 32473, 1}) {
		t.Errorf("critext unhandled critical extensions = %v", c.UnhandledCriticalExtensions)
	}

	good, bad := cert(t, "localhost-cert.pem"), cert(t, "badsig-cert.pem")
	diff := 0
	for i := range good.Raw {
		if i < len(bad.Raw) && good.Raw[i] != bad.Raw[i] {
			diff++
		}
	}
	if len(good.Raw) != len(bad.Raw) || diff != 1 || !bytes.Equal(good.RawTBSCertificate, bad.RawTBSCertificate) {
		t.Errorf("badsig differs from localhost in %d bytes (lengths %d, %d), want only one signature byte",
			diff, len(good.Raw), len(bad.Raw))
	}
	if err := bad.CheckSignatureFrom(cert(t, "ca1-cert.pem")); err == nil {
		t.Error("badsig signature verifies")
	}
}

func TestDHSizes(t *testing.T) {
	for name, bits := range map[string]int{"dh512.pem": 512, "dh1024.pem": 1024, "dh2048.pem": 2048} {
		b, _ := pem.Decode(Read(t, name))
		var dh struct{ P, G *big.Int }
		if b == nil || b.Type != "DH PARAMETERS" {
			t.Errorf("%s: not DH PARAMETERS", name)
			continue
		}
		if _, err := asn1.Unmarshal(b.Bytes, &dh); err != nil || dh.P.BitLen() != bits {
			t.Errorf("%s: err=%v, want %d-bit prime", name, err, bits)
		}
	}
}

// TestDERFiles checks the outer ASN.1 of the PKCS#12 and OCSP files (the
// standard library has no parser for either).
func TestDERFiles(t *testing.T) {
	for _, n := range []string{"agent1.pfx", "agent1-legacy.pfx"} {
		var pfx struct {
			Version  int
			AuthSafe asn1.RawValue
			MacData  asn1.RawValue `asn1:"optional"`
		}
		if rest, err := asn1.Unmarshal(Read(t, n), &pfx); err != nil || len(rest) != 0 || pfx.Version != 3 {
			t.Errorf("%s: err=%v version=%d", n, err, pfx.Version)
		}
	}
	for _, n := range []string{"agent1-ocsp.der", "revoked-ocsp.der"} {
		var resp struct {
			Status        asn1.Enumerated
			ResponseBytes asn1.RawValue `asn1:"explicit,tag:0,optional"`
		}
		if rest, err := asn1.Unmarshal(Read(t, n), &resp); err != nil || len(rest) != 0 || resp.Status != 0 {
			t.Errorf("%s: err=%v status=%d", n, err, resp.Status)
		}
	}
}
