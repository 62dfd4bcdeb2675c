package main

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/nodetls/nodetls/ocsp"
)

// ocspFetcher implements --ocsp-fetch: it asks the responder named in the
// certificate (authorityInfoAccess OCSP) for a response, checks it, and
// caches it until its nextUpdate. Package ocsp builds the request and reads
// and checks the response.
type ocspFetcher struct {
	client *http.Client
	now    func() time.Time

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
		now:    time.Now,
		cache:  map[[32]byte]cachedOCSP{},
	}
}

// response returns a DER OCSP response for cert (DER), issued by issuer
// (DER), from the cache while it is fresh.
func (o *ocspFetcher) response(certDER, issuerDER []byte) ([]byte, error) {
	key := sha256.Sum256(certDER)
	now := o.now()
	o.mu.Lock()
	c, ok := o.cache[key]
	o.mu.Unlock()
	if ok && now.Before(c.nextUpdate) {
		return c.der, nil
	}
	if issuerDER == nil {
		return nil, errors.New("the certificate's issuer is unknown: cannot build an OCSP request")
	}
	url, err := ocsp.ResponderURL(certDER)
	if err != nil {
		return nil, err
	}
	req, err := ocsp.NewRequest(certDER, issuerDER)
	if err != nil {
		return nil, err
	}
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
	r, err := ocsp.ParseResponse(der)
	if err != nil {
		return nil, fmt.Errorf("OCSP responder %s: %w", url, err)
	}
	single, err := r.Find(certDER, issuerDER)
	if err != nil {
		return nil, fmt.Errorf("OCSP responder %s: %w", url, err)
	}
	// A sound response is stapled whatever it says of the certificate:
	// a revoked status is for the client to act on. Verify checks the
	// statuses last, so those two codes mean everything else held.
	if err := r.Verify(issuerDER, nil, now); err != nil {
		var oe *ocsp.Error
		if !errors.As(err, &oe) || oe.Code != ocsp.CodeRevoked && oe.Code != ocsp.CodeCertUnknown {
			return nil, fmt.Errorf("OCSP responder %s: %w", url, err)
		}
	}
	if !single.NextUpdate.IsZero() {
		o.mu.Lock()
		o.cache[key] = cachedOCSP{der: der, nextUpdate: single.NextUpdate}
		o.mu.Unlock()
	}
	return der, nil
}
