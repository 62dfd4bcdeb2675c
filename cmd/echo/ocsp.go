package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/nodetls/nodetls/ocsp"
)

// ocspFetcher implements --ocsp-fetch: it asks the responder named in the
// certificate (authorityInfoAccess OCSP) for a response, checks it, and
// caches it. Package ocsp builds the request and reads and checks the
// response.
//
// The fetch runs inside the handshake that needs it (Node's OCSPRequest
// hook waits the same way), so the cache keeps handshakes from waiting on
// the responder: concurrent handshakes share one fetch, a response is
// fetched again only when it nears its nextUpdate (and stays in use until
// then if the responder fails meanwhile), and a failed fetch is not
// retried for ocspRetryAfter.
type ocspFetcher struct {
	client *http.Client
	now    func() time.Time

	mu    sync.Mutex
	cache map[[32]byte]*ocspEntry // by the certificate's SHA-256
}

type ocspEntry struct {
	der       []byte    // the response last fetched and checked; nil if none
	validTo   time.Time // der may be stapled until then
	refreshAt time.Time // fetch again from then on
	failedAt  time.Time // the last failed fetch; zero after a success
	err       error     // its error

	fetching chan struct{} // closed when the fetch under way ends; nil when none
}

const (
	// ocspFetchTimeout bounds one request to a responder.
	ocspFetchTimeout = 10 * time.Second
	// ocspMaxResponse bounds the size of a response.
	ocspMaxResponse = 1 << 20
	// ocspRetryAfter is how long a failed fetch is not repeated.
	ocspRetryAfter = time.Minute
	// ocspNoNextUpdate is how long a response without nextUpdate (the
	// responder always has newer information) is reused.
	ocspNoNextUpdate = time.Minute
	// ocspRefreshMax is the furthest ahead of nextUpdate a response is
	// fetched again; a tenth of its validity when that is less.
	ocspRefreshMax = time.Hour
)

func newOCSPFetcher() *ocspFetcher {
	return &ocspFetcher{
		client: &http.Client{Timeout: ocspFetchTimeout},
		now:    time.Now,
		cache:  map[[32]byte]*ocspEntry{},
	}
}

// response returns a DER OCSP response for cert (DER), issued by issuer
// (DER; nil when unknown), to staple.
func (o *ocspFetcher) response(certDER, issuerDER []byte) ([]byte, error) {
	key := sha256.Sum256(certDER)
	for {
		now := o.now()
		o.mu.Lock()
		e := o.cache[key]
		if e == nil {
			e = &ocspEntry{}
			o.cache[key] = e
		}
		switch {
		case e.der != nil && now.Before(e.refreshAt):
			o.mu.Unlock()
			return e.der, nil
		case e.fetching != nil:
			// Another handshake is fetching: the response it had still
			// serves; otherwise wait for the fetch.
			if e.der != nil && now.Before(e.validTo) {
				o.mu.Unlock()
				return e.der, nil
			}
			wait := e.fetching
			o.mu.Unlock()
			<-wait
			continue
		case !e.failedAt.IsZero() && now.Sub(e.failedAt) < ocspRetryAfter:
			der, validTo, err := e.der, e.validTo, e.err
			o.mu.Unlock()
			if der != nil && now.Before(validTo) {
				return der, nil
			}
			return nil, err
		}
		e.fetching = make(chan struct{})
		o.mu.Unlock()

		der, single, err := o.fetch(certDER, issuerDER, now)

		o.mu.Lock()
		close(e.fetching)
		e.fetching = nil
		if err != nil {
			e.failedAt, e.err = now, err
			if e.der != nil && now.Before(e.validTo) {
				der = e.der // still good: keep stapling it
				err = nil
			}
		} else {
			e.der, e.failedAt, e.err = der, time.Time{}, nil
			e.validTo, e.refreshAt = ocspWindow(single, now)
		}
		o.mu.Unlock()
		return der, err
	}
}

// ocspWindow says until when a response may be stapled and from when it
// is fetched again.
func ocspWindow(s *ocsp.SingleResponse, now time.Time) (validTo, refreshAt time.Time) {
	if s.NextUpdate.IsZero() {
		return now.Add(ocspNoNextUpdate), now.Add(ocspNoNextUpdate)
	}
	margin := min(s.NextUpdate.Sub(s.ThisUpdate)/10, ocspRefreshMax)
	return s.NextUpdate, s.NextUpdate.Add(-margin)
}

// fetch asks the certificate's responder and checks the answer. A sound
// response is stapled whatever it says of the certificate: a revoked
// status is for the client to act on.
func (o *ocspFetcher) fetch(certDER, issuerDER []byte, now time.Time) ([]byte, *ocsp.SingleResponse, error) {
	if issuerDER == nil {
		return nil, nil, errors.New("the certificate's issuer is unknown: cannot build an OCSP request")
	}
	urls, err := ocsp.ResponderURLs(certDER)
	if err != nil {
		return nil, nil, err
	}
	if len(urls) == 0 {
		_, err := ocsp.ResponderURL(certDER) // its error names the case
		return nil, nil, err
	}
	req, err := ocsp.NewRequest(certDER, issuerDER)
	if err != nil {
		return nil, nil, err
	}
	// The responders in the certificate's order; the first sound answer.
	var errs []error
	for _, url := range urls {
		der, single, err := o.ask(url, req, certDER, issuerDER, now)
		if err == nil {
			return der, single, nil
		}
		errs = append(errs, err)
	}
	return nil, nil, errors.Join(errs...)
}

// ask posts req to one responder and checks its answer.
func (o *ocspFetcher) ask(url string, req, certDER, issuerDER []byte, now time.Time) ([]byte, *ocsp.SingleResponse, error) {
	hr, err := ocspHTTPRequest(url, req)
	if err != nil {
		return nil, nil, err
	}
	resp, err := o.client.Do(hr)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("OCSP responder %s: HTTP %s", url, resp.Status)
	}
	der, err := io.ReadAll(io.LimitReader(resp.Body, ocspMaxResponse+1))
	if err != nil {
		return nil, nil, err
	}
	if len(der) > ocspMaxResponse {
		return nil, nil, fmt.Errorf("OCSP responder %s: a response over %d bytes", url, ocspMaxResponse)
	}
	r, err := ocsp.ParseResponse(der)
	if err != nil {
		return nil, nil, fmt.Errorf("OCSP responder %s: %w", url, err)
	}
	// The issuer is the anchor: the server's own chain vouches for it.
	single, err := r.Verify(certDER, issuerDER, ocsp.VerifyOptions{CurrentTime: now})
	var oe *ocsp.Error
	if err != nil && (!errors.As(err, &oe) || oe.Code != ocsp.CodeRevoked && oe.Code != ocsp.CodeCertUnknown) {
		return nil, nil, fmt.Errorf("OCSP responder %s: %w", url, err)
	}
	return der, single, nil
}

// ocspGetMax is the longest URL sent with GET (RFC 5019 section 5: requests
// of up to 255 bytes with the URL MUST be sent with GET, so that caches
// can answer them); longer requests are POSTed.
const ocspGetMax = 255

// ocspBase64Escapes escapes the base64 characters that are not safe in a
// URL path segment.
var ocspBase64Escapes = strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D")

// ocspHTTPRequest makes the HTTP request for req to the responder at url:
// GET {url}/{url-encoded base64 of req} when that is short enough (RFC
// 6960 appendix A), else POST.
func ocspHTTPRequest(url string, req []byte) (*http.Request, error) {
	get := strings.TrimSuffix(url, "/") + "/" + ocspBase64Escapes.Replace(base64.StdEncoding.EncodeToString(req))
	var hr *http.Request
	var err error
	if len(get) <= ocspGetMax {
		hr, err = http.NewRequest(http.MethodGet, get, nil)
	} else {
		hr, err = http.NewRequest(http.MethodPost, url, bytes.NewReader(req))
		if err == nil {
			hr.Header.Set("Content-Type", "application/ocsp-request")
		}
	}
	if err != nil {
		return nil, err
	}
	hr.Header.Set("Accept", "application/ocsp-response")
	return hr, nil
}
