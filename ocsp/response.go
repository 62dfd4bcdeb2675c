package ocsp

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/nodetls/nodetls/ossl"
)

// MaxClockSkew is how far thisUpdate may lie in the future, and nextUpdate
// in the past, before Verify refuses a response: the five minutes that
// openssl ocsp allows by default.
const MaxClockSkew = 5 * time.Minute

// A Response is a parsed OCSP response.
type Response struct {
	// Status is the response status as OpenSSL names it: "successful",
	// "malformedrequest", "internalerror", "trylater", "sigrequired" or
	// "unauthorized". Only a successful response has the fields below.
	Status     string
	ProducedAt time.Time
	Responses  []SingleResponse
	// Raw is the DER the response was parsed from.
	Raw []byte
}

// A SingleResponse is the status of one certificate.
type SingleResponse struct {
	SerialNumber   *big.Int
	HashAlgorithm  string // of the CertID, as OpenSSL names it ("SHA1")
	IssuerNameHash []byte
	IssuerKeyHash  []byte
	// CertStatus is "good", "revoked" or "unknown".
	CertStatus string
	// RevokedAt and RevocationReason ("keyCompromise", ...) are set for a
	// revoked certificate; the reason is "" when the responder gave none.
	RevokedAt        time.Time
	RevocationReason string
	ThisUpdate       time.Time
	NextUpdate       time.Time // zero when the responder gave none
}

// ParseResponse reads a DER OCSP response. A response with an error
// status (tryLater, ...) parses: Verify reports it.
func ParseResponse(der []byte) (*Response, error) {
	info, err := ossl.ParseOCSPResponse(der)
	if err != nil {
		return nil, malformed("OCSP response", err)
	}
	r := &Response{Status: ossl.OCSPResponseStatusString(info.Status), ProducedAt: info.ProducedAt, Raw: slices.Clone(der)}
	if info.Status == ossl.OCSPSuccessful && !info.Basic {
		return nil, &Error{Code: CodeMalformed, Message: "a successful OCSP response without a basic response"}
	}
	for _, s := range info.Singles {
		sr := SingleResponse{
			SerialNumber:   s.SerialNumber,
			HashAlgorithm:  s.HashAlgorithm,
			IssuerNameHash: s.IssuerNameHash,
			IssuerKeyHash:  s.IssuerKeyHash,
			CertStatus:     ossl.OCSPCertStatusString(s.CertStatus),
			RevokedAt:      s.RevokedAt,
			ThisUpdate:     s.ThisUpdate,
			NextUpdate:     s.NextUpdate,
		}
		if s.CertStatus == ossl.OCSPCertRevoked && s.Reason >= 0 {
			sr.RevocationReason = ossl.OCSPReasonString(s.Reason)
		}
		r.Responses = append(r.Responses, sr)
	}
	return r, nil
}

// Find returns the single response about cert issued by issuer (both
// DER); an Error with CodeNotFound when the response has none.
func (r *Response) Find(cert, issuer []byte) (*SingleResponse, error) {
	if err := r.successful(); err != nil {
		return nil, err
	}
	i, err := ossl.OCSPFind(r.Raw, cert, issuer)
	if err != nil {
		return nil, malformed("certificate", err)
	}
	if i < 0 || i >= len(r.Responses) {
		return nil, &Error{Code: CodeNotFound, Message: "the OCSP response says nothing about the certificate"}
	}
	return &r.Responses[i], nil
}

// Verify checks the response as of now:
//   - its status is successful;
//   - it is signed by issuer (DER), or by a responder issuer delegated
//     (extended key usage OCSP signing), whose chain reaches a trust
//     anchor: the certificates of store (DER), or, when store is empty,
//     issuer itself (which the TLS chain verification already trusted);
//   - every single response is current: thisUpdate is not after now and
//     nextUpdate, when set, is not before now, each give or take
//     MaxClockSkew;
//   - every certificate it covers is good.
//
// The first check that fails is returned as an *Error: CodeUnsuccessful,
// CodeBadSignature, CodeNotYetValid, CodeExpired, CodeRevoked (with the
// reason and the time in the message) or CodeCertUnknown.
func (r *Response) Verify(issuer []byte, store [][]byte, now time.Time) error {
	if err := r.successful(); err != nil {
		return err
	}
	if len(issuer) == 0 {
		return &Error{Code: CodeBadSignature, Message: "verifying an OCSP response needs the certificate's issuer"}
	}
	if err := ossl.OCSPVerify(r.Raw, issuer, store, now); err != nil {
		if errors.Is(err, ossl.ErrBadCertificate) || errors.Is(err, ossl.ErrTrailingData) {
			return malformed("certificate", err)
		}
		return &Error{Code: CodeBadSignature, Message: "the OCSP response's signature does not verify", Err: err}
	}
	for _, s := range r.Responses {
		switch {
		case s.ThisUpdate.After(now.Add(MaxClockSkew)):
			return &Error{Code: CodeNotYetValid, Message: fmt.Sprintf("the OCSP response is not valid before %s", stamp(s.ThisUpdate))}
		case !s.NextUpdate.IsZero() && s.NextUpdate.Before(now.Add(-MaxClockSkew)):
			return &Error{Code: CodeExpired, Message: fmt.Sprintf("the OCSP response expired at %s", stamp(s.NextUpdate))}
		}
	}
	for _, s := range r.Responses {
		switch s.CertStatus {
		case "good":
		case "revoked":
			msg := "certificate revoked at " + stamp(s.RevokedAt)
			if s.RevocationReason != "" {
				msg += " (" + s.RevocationReason + ")"
			}
			return &Error{Code: CodeRevoked, Message: msg}
		default:
			return &Error{Code: CodeCertUnknown, Message: "the OCSP responder does not know the certificate"}
		}
	}
	return nil
}

func (r *Response) successful() error {
	if r.Status != ossl.OCSPResponseStatusString(ossl.OCSPSuccessful) {
		return &Error{Code: CodeUnsuccessful, Message: "the OCSP responder answered " + r.Status}
	}
	return nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
