package main

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sync"
	"time"
)

// ocspFetcher implements --ocsp-fetch: it asks the responder named in the
// certificate (authorityInfoAccess OCSP) for a response and caches it until
// its nextUpdate. Only the standard library is used: the request and the
// few response fields read here are plain ASN.1 (RFC 6960).
type ocspFetcher struct {
	client *http.Client

	mu    sync.Mutex
	cache map[[32]byte]cachedOCSP // by the certificate's SHA-256
}

type cachedOCSP struct {
	der        []byte
	nextUpdate time.Time
}

// ocspFetchTimeout bounds one request to a responder.
const ocspFetchTimeout = 10 * time.Second

// ocspMaxResponse bounds the size of a response.
const ocspMaxResponse = 1 << 20

func newOCSPFetcher() *ocspFetcher {
	return &ocspFetcher{
		client: &http.Client{Timeout: ocspFetchTimeout},
		cache:  map[[32]byte]cachedOCSP{},
	}
}

// response returns a DER OCSP response for cert (DER), issued by issuer
// (DER), from the cache while it is fresh.
func (o *ocspFetcher) response(certDER, issuerDER []byte) ([]byte, error) {
	key := sha256.Sum256(certDER)
	o.mu.Lock()
	c, ok := o.cache[key]
	o.mu.Unlock()
	if ok && time.Now().Before(c.nextUpdate) {
		return c.der, nil
	}
	if issuerDER == nil {
		return nil, errors.New("the certificate's issuer is unknown: cannot build an OCSP request")
	}
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return nil, err
	}
	issuer, err := x509.ParseCertificate(issuerDER)
	if err != nil {
		return nil, err
	}
	if len(cert.OCSPServer) == 0 {
		return nil, errors.New("the certificate names no OCSP responder")
	}
	id, err := newCertID(cert, issuer)
	if err != nil {
		return nil, err
	}
	req, err := asn1Marshal(id)
	if err != nil {
		return nil, err
	}
	url := cert.OCSPServer[0]
	hr, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(req))
	if err != nil {
		return nil, err
	}
	hr.Header.Set("Content-Type", "application/ocsp-request")
	hr.Header.Set("Accept", "application/ocsp-response")
	resp, err := o.client.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("OCSP responder %s: HTTP %s", url, resp.Status)
	}
	der, err := io.ReadAll(io.LimitReader(resp.Body, ocspMaxResponse))
	if err != nil {
		return nil, err
	}
	next, err := ocspNextUpdate(der, cert.SerialNumber)
	if err != nil {
		return nil, fmt.Errorf("OCSP responder %s: %w", url, err)
	}
	if !next.IsZero() {
		o.mu.Lock()
		o.cache[key] = cachedOCSP{der: der, nextUpdate: next}
		o.mu.Unlock()
	}
	return der, nil
}

// The ASN.1 of RFC 6960 that the fetcher writes and reads.
type certID struct {
	HashAlgorithm pkix.AlgorithmIdentifier
	NameHash      []byte
	IssuerKeyHash []byte
	SerialNumber  *big.Int
}

type request struct {
	Cert certID
}

type tbsRequest struct {
	RequestList []request
}

type ocspRequest struct {
	TBSRequest tbsRequest
}

type responseASN1 struct {
	Status   asn1.Enumerated
	Response responseBytes `asn1:"explicit,tag:0,optional"`
}

type responseBytes struct {
	ResponseType asn1.ObjectIdentifier
	Response     []byte
}

type basicResponse struct {
	TBSResponseData    responseData
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          asn1.BitString
	Certificates       []asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

type responseData struct {
	Raw                asn1.RawContent
	Version            int `asn1:"optional,default:0,explicit,tag:0"`
	RawResponderID     asn1.RawValue
	ProducedAt         time.Time `asn1:"generalized"`
	Responses          []singleResponse
	ResponseExtensions []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

type singleResponse struct {
	CertID           certID
	Good             asn1.Flag        `asn1:"tag:0,optional"`
	Revoked          asn1.RawValue    `asn1:"tag:1,optional"`
	Unknown          asn1.Flag        `asn1:"tag:2,optional"`
	ThisUpdate       time.Time        `asn1:"generalized"`
	NextUpdate       time.Time        `asn1:"generalized,explicit,tag:0,optional"`
	SingleExtensions []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

var (
	oidSHA1          = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidOCSPBasic     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	ocspStatusByName = map[asn1.Enumerated]string{
		1: "malformedRequest", 2: "internalError", 3: "tryLater", 5: "sigRequired", 6: "unauthorized",
	}
)

// newCertID identifies cert by SHA-1 hashes of its issuer's name and key.
func newCertID(cert, issuer *x509.Certificate) (certID, error) {
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(issuer.RawSubjectPublicKeyInfo, &spki); err != nil {
		return certID{}, fmt.Errorf("issuer public key: %w", err)
	}
	nameHash := sha1.Sum(issuer.RawSubject)
	keyHash := sha1.Sum(spki.PublicKey.RightAlign())
	return certID{
		HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: oidSHA1, Parameters: asn1.NullRawValue},
		NameHash:      nameHash[:],
		IssuerKeyHash: keyHash[:],
		SerialNumber:  cert.SerialNumber,
	}, nil
}

// ocspNextUpdate checks that der is a successful basic OCSP response about
// serial and returns its nextUpdate (zero when it has none).
func ocspNextUpdate(der []byte, serial *big.Int) (time.Time, error) {
	var r responseASN1
	if rest, err := asn1.Unmarshal(der, &r); err != nil {
		return time.Time{}, fmt.Errorf("malformed OCSP response: %w", err)
	} else if len(rest) > 0 {
		return time.Time{}, errors.New("malformed OCSP response: trailing data")
	}
	if r.Status != 0 {
		name := ocspStatusByName[r.Status]
		if name == "" {
			name = fmt.Sprintf("status %d", r.Status)
		}
		return time.Time{}, fmt.Errorf("unsuccessful OCSP response (%s)", name)
	}
	if !r.Response.ResponseType.Equal(oidOCSPBasic) {
		return time.Time{}, fmt.Errorf("OCSP response of unsupported type %v", r.Response.ResponseType)
	}
	var b basicResponse
	if _, err := asn1.Unmarshal(r.Response.Response, &b); err != nil {
		return time.Time{}, fmt.Errorf("malformed basic OCSP response: %w", err)
	}
	for _, s := range b.TBSResponseData.Responses {
		if s.CertID.SerialNumber != nil && s.CertID.SerialNumber.Cmp(serial) == 0 {
			return s.NextUpdate, nil
		}
	}
	return time.Time{}, errors.New("the OCSP response does not cover the certificate")
}

// asn1Marshal encodes the OCSP request for one certificate.
func asn1Marshal(id certID) ([]byte, error) {
	return asn1.Marshal(ocspRequest{TBSRequest: tbsRequest{RequestList: []request{{Cert: id}}}})
}
