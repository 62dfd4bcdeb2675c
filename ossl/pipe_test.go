package ossl_test

import (
	"bytes"
	"crypto/rand"
	"testing"

	"github.com/nodetls/nodetls/internal/testpki"
	"github.com/nodetls/nodetls/ossl"
	"github.com/stretchr/testify/require"
)

// pump moves everything a side has for its peer, using out buffers of
// size chunk, so the pipe's spill path carries most of the bytes.
func pump(t *testing.T, s *ossl.SSL, op ossl.Op, in, buf []byte, chunk int) (ossl.StepResult, []byte) {
	t.Helper()
	out := make([]byte, chunk)
	r := s.Step(op, in, buf, out)
	sent := append([]byte(nil), out[:r.Out]...)
	for pending := r.OutPending; pending > 0; {
		d := s.Step(ossl.OpNone, nil, nil, out)
		require.Positive(t, d.Out)
		sent = append(sent, out[:d.Out]...)
		pending = d.OutPending
	}
	return r, sent
}

// TestPipeSmallBuffersAndLeftovers runs a handshake and a 200 KiB transfer
// between two SSLs with 37-byte out buffers and input fed in odd pieces,
// so output spills and input is kept across steps.
func TestPipeSmallBuffersAndLeftovers(t *testing.T) {
	sctx := newCtx(t)
	require.NoError(t, sctx.UseCertificateChain(testpki.Read(t, "localhost-cert.pem")))
	require.NoError(t, sctx.UsePrivateKey(testpki.Read(t, "localhost-key.pem"), "", false))
	cctx := newCtx(t)
	srv, err := ossl.NewSSL(sctx, true)
	require.NoError(t, err)
	defer srv.Free()
	cli, err := ossl.NewSSL(cctx, false)
	require.NoError(t, err)
	defer cli.Free()

	var toSrv, toCli []byte
	for i := 0; i < 20; i++ {
		rc, out := pump(t, cli, ossl.OpHandshake, toCli, nil, 37)
		toCli = nil
		toSrv = append(toSrv, out...)
		// Feed the server in two uneven pieces.
		half := len(toSrv) / 3
		_, out1 := pump(t, srv, ossl.OpHandshake, toSrv[:half], nil, 37)
		rs, out2 := pump(t, srv, ossl.OpHandshake, toSrv[half:], nil, 37)
		toSrv = nil
		toCli = append(append(toCli, out1...), out2...)
		if rc.InitFinished && rs.InitFinished && len(toCli) == 0 {
			break
		}
	}
	require.Equal(t, "TLSv1.3", cli.Version())

	msg := make([]byte, 200<<10)
	rand.Read(msg)
	var wire []byte
	for p := msg; len(p) > 0; {
		n := min(len(p), 5000)
		r, out := pump(t, cli, ossl.OpWrite, toCli, p[:n], 37)
		toCli = nil
		require.Equal(t, n, r.Done)
		wire = append(wire, out...)
		p = p[n:]
	}
	// The server reads with a small plaintext buffer: records stay buffered
	// and ciphertext is kept in the pipe between steps.
	var got []byte
	buf := make([]byte, 777)
	feed := wire
	for steps := 0; len(got) < len(msg); steps++ {
		require.Less(t, steps, 100000, "no progress")
		var in []byte
		if len(feed) > 0 {
			n := min(len(feed), 3001)
			in, feed = feed[:n], feed[n:]
		}
		r, _ := pump(t, srv, ossl.OpRead, in, buf, 37)
		got = append(got, buf[:r.Done]...)
		if r.Done == 0 && len(feed) == 0 {
			require.True(t, r.HasPending || len(got) == len(msg))
		}
	}
	require.True(t, bytes.Equal(msg, got))
}
