package ossl_test

import (
	"runtime"
	"testing"

	"github.com/nodetls/nodetls/internal/testpki"
	"github.com/nodetls/nodetls/ossl"
	"github.com/stretchr/testify/require"
)

// handshakeInMemory runs one handshake between two SSLs joined in memory
// and returns the client's verify result.
func handshakeInMemory(t testing.TB, sctx, cctx *ossl.Ctx, out1, out2 []byte) ossl.VerifyResult {
	s, err := ossl.NewSSL(sctx, true)
	require.NoError(t, err)
	defer s.Free()
	c, err := ossl.NewSSL(cctx, false)
	require.NoError(t, err)
	defer c.Free()
	var toS, toC []byte
	for i := 0; i < 10; i++ {
		rc := c.Step(ossl.OpHandshake, toC, nil, out1)
		toS = out1[:rc.Out]
		rs := s.Step(ossl.OpHandshake, toS, nil, out2)
		toC = out2[:rs.Out]
		if rc.InitFinished && rs.InitFinished {
			break
		}
	}
	c.PeerCertificateChain()
	return c.VerifyResult()
}

// TestLeakVerifications: 10,000 verifying handshakes (a chain through an
// intermediate, CRL checking on) leave neither live objects nor C heap
// behind. Under -race and -asan it would take too long and is skipped;
// make test runs it in its cgocheck2 pass.
func TestLeakVerifications(t *testing.T) {
	if testing.Short() || raceEnabled || asanEnabled {
		// CI runs it in the cgocheck2 pass (make test), without -race.
		t.Skip("long leak loop: run without -race or -asan")
	}
	sctx := newCtx(t)
	require.NoError(t, sctx.UseCertificateChain(testpki.Read(t, "agent6-chain.pem")))
	require.NoError(t, sctx.UsePrivateKey(testpki.Read(t, "agent6-key.pem"), "", false))
	require.NoError(t, sctx.SetGroupsList("prime256v1"))
	cctx := newCtx(t)
	cctx.AddCA(testpki.Read(t, "ca1-cert.pem"))
	require.NoError(t, cctx.AddCRL(testpki.Read(t, "ca1-crl.pem")))
	out1, out2 := make([]byte, 70000), make([]byte, 70000)
	// One OS thread, so every C allocation comes from one malloc arena and
	// the heap figure compares like with like.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// Warm up caches (provider fetches, the store's lookups) before measuring.
	for i := 0; i < 1000; i++ {
		handshakeInMemory(t, sctx, cctx, out1, out2)
	}
	liveBefore, heapBefore := ossl.Live(), ossl.CHeapInUse()
	for i := 0; i < 10000; i++ {
		r := handshakeInMemory(t, sctx, cctx, out1, out2)
		if r != ossl.VerifyResult(3) { // UNABLE_TO_GET_CRL: ca3 has no CRL, as CRL_CHECK_ALL requires
			require.Equal(t, "UNABLE_TO_GET_CRL", r.Code())
		}
	}
	require.Equal(t, liveBefore, ossl.Live())
	grown := ossl.CHeapInUse() - heapBefore
	t.Logf("C heap grew by %d bytes over 10,000 verifications", grown)
	require.Less(t, grown, int64(64<<10), "C heap grew by %d bytes: a leak of about %d bytes per verification", grown, grown/10000)
}
