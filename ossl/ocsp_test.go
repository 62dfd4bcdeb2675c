package ossl_test

import (
	"encoding/pem"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nodetls/nodetls/internal/testpki"
	"github.com/nodetls/nodetls/ossl"
)

func pemDER(t testing.TB, name string) []byte {
	t.Helper()
	b, _ := pem.Decode(testpki.Read(t, name))
	require.NotNil(t, b, name)
	return b.Bytes
}

// ocspRound calls every OCSP binding once with good and bad input.
func ocspRound(t testing.TB, resp, revoked, cert, issuer, other []byte, now time.Time) {
	req, err := ossl.OCSPRequest(cert, issuer)
	require.NoError(t, err)
	require.NotEmpty(t, req)
	_, err = ossl.OCSPRequest(cert, []byte("junk"))
	require.ErrorIs(t, err, ossl.ErrBadCertificate)
	urls, err := ossl.OCSPResponderURLs(cert)
	require.NoError(t, err)
	require.Equal(t, []string{"http://ocsp.nodejs.org/"}, urls)
	info, err := ossl.ParseOCSPResponse(resp)
	require.NoError(t, err)
	require.Len(t, info.Singles, 1)
	_, err = ossl.ParseOCSPResponse(resp[:len(resp)-10])
	var oe *ossl.Error
	require.ErrorAs(t, err, &oe)
	i, err := ossl.OCSPFind(resp, cert, issuer)
	require.NoError(t, err)
	require.Equal(t, 0, i)
	i, err = ossl.OCSPFind(revoked, cert, issuer)
	require.NoError(t, err)
	require.Equal(t, -1, i)
	require.NoError(t, ossl.OCSPVerify(resp, issuer, nil, now))
	require.NoError(t, ossl.OCSPVerify(resp, issuer, [][]byte{issuer, other}, now))
	require.ErrorAs(t, ossl.OCSPVerify(resp, other, nil, now), &oe)
	require.ErrorIs(t, ossl.OCSPVerify(resp, issuer, [][]byte{[]byte("junk")}, now), ossl.ErrBadCertificate)
	require.ErrorIs(t, ossl.OCSPVerify([]byte{0x30, 0x03, 0x0a, 0x01, 0x03}, issuer, nil, now), ossl.ErrOCSPNoBasic)
}

func TestOCSPBindings(t *testing.T) {
	resp, revoked := testpki.Read(t, "agent1-ocsp.der"), testpki.Read(t, "revoked-ocsp.der")
	cert, issuer, other := pemDER(t, "agent1-cert.pem"), pemDER(t, "ca1-cert.pem"), pemDER(t, "ca2-cert.pem")
	ocspRound(t, resp, revoked, cert, issuer, other, time.Now())

	info, err := ossl.ParseOCSPResponse(revoked)
	require.NoError(t, err)
	s := info.Singles[0]
	require.Equal(t, ossl.OCSPCertRevoked, s.CertStatus)
	require.Equal(t, "keyCompromise", ossl.OCSPReasonString(s.Reason))
	require.False(t, s.RevokedAt.IsZero())
	require.Equal(t, "SHA1", s.HashAlgorithm)
	require.Len(t, s.IssuerKeyHash, 20)

	_, err = ossl.ParseOCSPResponse(append(append([]byte{}, resp...), 0))
	require.True(t, errors.Is(err, ossl.ErrTrailingData))
	info, err = ossl.ParseOCSPResponse([]byte{0x30, 0x03, 0x0a, 0x01, 0x03})
	require.NoError(t, err)
	require.Equal(t, "trylater", ossl.OCSPResponseStatusString(info.Status))
	require.False(t, info.Basic)
	urls, err := ossl.OCSPResponderURLs(issuer)
	require.NoError(t, err)
	require.Nil(t, urls)
}

// TestOCSPLeak: the OCSP bindings free everything they parse, on success
// and on every error path.
func TestOCSPLeak(t *testing.T) {
	resp, revoked := testpki.Read(t, "agent1-ocsp.der"), testpki.Read(t, "revoked-ocsp.der")
	cert, issuer, other := pemDER(t, "agent1-cert.pem"), pemDER(t, "ca1-cert.pem"), pemDER(t, "ca2-cert.pem")
	now := time.Now()
	runtime.LockOSThread() // the C heap counters of one thread's arena move less
	defer runtime.UnlockOSThread()
	rounds := 600
	if testing.Short() { // under valgrind, which finds leaks itself
		rounds = 20
	}
	for i := 0; i < 200; i++ {
		ocspRound(t, resp, revoked, cert, issuer, other, now)
	}
	liveBefore, heapBefore := ossl.Live(), ossl.CHeapInUse()
	for i := 0; i < rounds; i++ {
		ocspRound(t, resp, revoked, cert, issuer, other, now)
	}
	require.Equal(t, liveBefore, ossl.Live())
	grown := ossl.CHeapInUse() - heapBefore
	t.Logf("C heap grew by %d bytes over %d rounds", grown, rounds)
	require.Less(t, grown, int64(32<<10), "C heap grew by %d bytes: a leak of about %d bytes per round", grown, grown/int64(rounds))
}
