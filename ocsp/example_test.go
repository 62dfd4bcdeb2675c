package ocsp_test

import (
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/nodetls/nodetls/ocsp"
)

// A stapled response is read and checked against the issuer of the
// certificate it is about.
func ExampleResponse_Verify() {
	der, _ := os.ReadFile("../testdata/revoked-ocsp.der")
	caPEM, _ := os.ReadFile("../testdata/ca1-cert.pem")
	ca, _ := pem.Decode(caPEM)
	certPEM, _ := os.ReadFile("../testdata/revoked-cert.pem")
	cert, _ := pem.Decode(certPEM)

	r, err := ocsp.ParseResponse(der)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := r.Responses[0]
	fmt.Println(r.Status, s.HashAlgorithm, s.CertStatus, s.RevocationReason)

	_, err = r.Verify(cert.Bytes, ca.Bytes, ocsp.VerifyOptions{})
	var oe *ocsp.Error
	if errors.As(err, &oe) {
		fmt.Println(oe.Code)
	}
	// Output:
	// successful SHA1 revoked keyCompromise
	// CERT_REVOKED
}
