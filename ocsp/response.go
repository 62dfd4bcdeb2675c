package ocsp

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
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
// status (tryLater, ...) parses: Verify reports it. Verify and Find work
// on Raw; the other fields are a copy for reading.
func ParseResponse(der []byte) (*Response, error) {
	info, err := ossl.ParseOCSPResponse(der)
	if err != nil {
		return nil, malformed("OCSP response", err)
	}
	r := &Response{Status: ossl.OCSPResponseStatusString(info.Status), ProducedAt: info.ProducedAt, Raw: slices.Clone(der)}
	switch {
	case strings.HasPrefix(r.Status, "("): // OpenSSL's "(UNKNOWN)"
		return nil, &Error{Code: CodeMalformed, Message: fmt.Sprintf("an OCSP response status of %d, which RFC 6960 does not define", info.Status)}
	case info.Status == ossl.OCSPSuccessful && !info.Basic:
		return nil, &Error{Code: CodeMalformed, Message: "a successful OCSP response without a basic response"}
	case info.Status != ossl.OCSPSuccessful && info.Basic:
		return nil, &Error{Code: CodeMalformed, Message: "an unsuccessful OCSP response (" + r.Status + ") with a response body"}
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
// DER): its CertID names cert's serial and issuer's name and key, hashed
// with the algorithm that CertID uses. When several are about cert, the
// first that says revoked wins, else the first. An Error with CodeNotFound
// when none is. Find does not check the signature: Verify does.
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

// VerifyOptions are the parameters of Response.Verify.
type VerifyOptions struct {
	// Roots are the trust anchors (DER) that the signer's chain must
	// reach; an anchor need not be self-signed. When empty, the issuer
	// given to Verify is the only anchor: right when the TLS handshake has
	// already verified that issuer, wrong when it has not (a client with
	// RejectUnauthorized false must give Roots, or the peer chooses the
	// issuer).
	Roots [][]byte
	// CurrentTime is the time to check against; zero means time.Now().
	CurrentTime time.Time
	// MaxAge, when above zero, refuses a response without nextUpdate whose
	// thisUpdate is older than that (openssl ocsp -status_age). Zero sets
	// no bound, as openssl ocsp does by default.
	MaxAge time.Duration
}

// Verify checks that the response vouches for cert, issued by issuer (both
// DER), as of opts.CurrentTime, in this order:
//   - its status is successful (else CodeUnsuccessful);
//   - it holds a single response about cert with issuer's name and key
//     (else CodeNotFound; see Find);
//   - it is signed by issuer, or by a responder issuer delegated (extended
//     key usage OCSP signing), and the signer's chain reaches an anchor of
//     opts.Roots as of CurrentTime (else CodeBadSignature, with OpenSSL's
//     reason);
//   - that single response is current: thisUpdate is not after now and
//     nextUpdate, when set, is not before now, each give or take
//     MaxClockSkew, and nextUpdate is not before thisUpdate (else
//     CodeNotYetValid, CodeExpired or CodeMalformed); without nextUpdate,
//     thisUpdate is within opts.MaxAge (else CodeExpired);
//   - it says the certificate is good (else CodeRevoked, with the reason
//     and the time in the message, or CodeCertUnknown).
//
// The single response is returned whenever it was found, also with
// CodeRevoked and CodeCertUnknown, which therefore mean that every other
// check held.
func (r *Response) Verify(cert, issuer []byte, opts VerifyOptions) (*SingleResponse, error) {
	now := opts.CurrentTime
	if now.IsZero() {
		now = time.Now()
	}
	if err := r.successful(); err != nil {
		return nil, err
	}
	if len(issuer) == 0 {
		return nil, &Error{Code: CodeBadSignature, Message: "verifying an OCSP response needs the certificate's issuer"}
	}
	s, err := r.Find(cert, issuer)
	if err != nil {
		return nil, err
	}
	if err := ossl.OCSPVerify(r.Raw, issuer, opts.Roots, now); err != nil {
		if errors.Is(err, ossl.ErrBadCertificate) || errors.Is(err, ossl.ErrTrailingData) {
			return s, malformed("certificate", err)
		}
		msg := "the OCSP response's signature or signer does not verify"
		var oe *ossl.Error
		if errors.As(err, &oe) {
			for _, e := range oe.Entries {
				if e.Data != "" {
					msg += " (" + e.Data + ")"
					break
				}
			}
		}
		return s, &Error{Code: CodeBadSignature, Message: msg, Err: err}
	}
	switch {
	case !s.NextUpdate.IsZero() && s.NextUpdate.Before(s.ThisUpdate):
		return s, &Error{Code: CodeMalformed, Message: fmt.Sprintf("the OCSP response's nextUpdate %s is before its thisUpdate %s", stamp(s.NextUpdate), stamp(s.ThisUpdate))}
	case s.ThisUpdate.After(now.Add(MaxClockSkew)):
		return s, &Error{Code: CodeNotYetValid, Message: fmt.Sprintf("the OCSP response is not valid before %s", stamp(s.ThisUpdate))}
	case !s.NextUpdate.IsZero() && s.NextUpdate.Before(now.Add(-MaxClockSkew)):
		return s, &Error{Code: CodeExpired, Message: fmt.Sprintf("the OCSP response expired at %s", stamp(s.NextUpdate))}
	case s.NextUpdate.IsZero() && opts.MaxAge > 0 && s.ThisUpdate.Before(now.Add(-opts.MaxAge-MaxClockSkew)):
		return s, &Error{Code: CodeExpired, Message: fmt.Sprintf("the OCSP response of %s is older than %v and has no nextUpdate", stamp(s.ThisUpdate), opts.MaxAge)}
	}
	switch s.CertStatus {
	case "good":
		return s, nil
	case "revoked":
		msg := "certificate revoked at " + stamp(s.RevokedAt)
		if s.RevocationReason != "" {
			msg += " (" + s.RevocationReason + ")"
		}
		return s, &Error{Code: CodeRevoked, Message: msg}
	default:
		return s, &Error{Code: CodeCertUnknown, Message: "the OCSP responder does not know the certificate"}
	}
}

func (r *Response) successful() error {
	if r.Status != ossl.OCSPResponseStatusString(ossl.OCSPSuccessful) {
		return &Error{Code: CodeUnsuccessful, Message: "the OCSP responder answered " + r.Status}
	}
	return nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
