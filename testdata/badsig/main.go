// Command badsig writes testdata/badsig-cert.pem: a copy of
// testdata/localhost-cert.pem whose signature is corrupted (the last byte of
// the signatureValue BIT STRING is inverted), so that chain verification
// against ca1 fails with X509_V_ERR_CERT_SIGNATURE_FAILURE. The openssl CLI
// cannot produce such a certificate; gen.sh runs this after localhost-cert.pem
// exists. Everything else (TBSCertificate, key, lengths) is unchanged, so
// localhost-key.pem still matches. The output depends only on the input.
//
// Run from the module root:
//
//	go run ./testdata/badsig [-dir testdata]
package main

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

// certificate is the outer X.509 Certificate SEQUENCE (RFC 5280 4.1).
type certificate struct {
	TBS       asn1.RawValue
	Algorithm asn1.RawValue
	Signature asn1.BitString
}

func main() {
	dir := flag.String("dir", "testdata", "fixture directory")
	in := flag.String("in", "localhost-cert.pem", "source certificate (in -dir)")
	issuer := flag.String("issuer", "ca1-cert.pem", "issuer of -in, for the self-check (in -dir)")
	out := flag.String("out", "badsig-cert.pem", "output certificate (in -dir)")
	flag.Parse()
	if err := run(filepath.Join(*dir, *in), filepath.Join(*dir, *issuer), filepath.Join(*dir, *out)); err != nil {
		fmt.Fprintln(os.Stderr, "badsig:", err)
		os.Exit(1)
	}
}

func readCert(path string) (*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(data)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s: no CERTIFICATE PEM block", path)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return c, nil
}

func run(inPath, issuerPath, outPath string) error {
	orig, err := readCert(inPath)
	if err != nil {
		return err
	}
	ca, err := readCert(issuerPath)
	if err != nil {
		return err
	}
	if err := orig.CheckSignatureFrom(ca); err != nil {
		return fmt.Errorf("%s is not signed by %s: %v", inPath, issuerPath, err)
	}

	var c certificate
	rest, err := asn1.Unmarshal(orig.Raw, &c)
	if err != nil {
		return fmt.Errorf("%s: %v", inPath, err)
	}
	if len(rest) != 0 {
		return fmt.Errorf("%s: trailing data after certificate", inPath)
	}
	if len(c.Signature.Bytes) == 0 || c.Signature.BitLength != 8*len(c.Signature.Bytes) {
		return errors.New("unexpected signature BIT STRING")
	}
	sig := bytes.Clone(c.Signature.Bytes)
	sig[len(sig)-1] ^= 0xff
	c.Signature = asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}
	der, err := asn1.Marshal(c)
	if err != nil {
		return err
	}

	// Sanity checks: same length, exactly one byte differs, still parses,
	// same TBSCertificate, and the signature no longer verifies under the issuer.
	if len(der) != len(orig.Raw) {
		return fmt.Errorf("re-encoding changed the length (%d -> %d)", len(orig.Raw), len(der))
	}
	diff := 0
	for i := range der {
		if der[i] != orig.Raw[i] {
			diff++
		}
	}
	if diff != 1 {
		return fmt.Errorf("%d bytes differ, want 1", diff)
	}
	bad, err := x509.ParseCertificate(der)
	if err != nil {
		return fmt.Errorf("corrupted certificate does not parse: %v", err)
	}
	if !bytes.Equal(bad.RawTBSCertificate, orig.RawTBSCertificate) {
		return errors.New("TBSCertificate changed")
	}
	if err := bad.CheckSignatureFrom(ca); err == nil {
		return errors.New("self-check: corrupted signature still verifies")
	}

	var buf bytes.Buffer
	if err := pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: der}); err != nil {
		return err
	}
	return os.WriteFile(outPath, buf.Bytes(), 0o644)
}
