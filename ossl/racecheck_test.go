package ossl_test

import (
	"bytes"
	"testing"

	"github.com/nodetls/nodetls/internal/racechild"
	"github.com/nodetls/nodetls/ossl"
)

// TestStepIsSeenByTheRaceDetector checks that Step tells the race detector
// what C wrote: a goroutine reading the out buffer while a client's first
// handshake step writes its ClientHello there must be reported. The racy
// part runs in a child test process, which the race report fails.
func TestStepIsSeenByTheRaceDetector(t *testing.T) {
	if racechild.IsChild("step") {
		ctx, err := ossl.NewCtx(ossl.MethodTLS)
		if err != nil {
			t.Fatal(err)
		}
		defer ctx.Free()
		s, err := ossl.NewSSL(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Free()
		out := make([]byte, 16384)
		got := make(chan byte)
		go func() { got <- out[5] }() // unsynchronised with the step below
		if r := s.Step(ossl.OpHandshake, nil, nil, out); r.Out == 0 {
			t.Fatalf("the client wrote no ClientHello: %+v", r)
		}
		<-got
		return
	}
	if !raceEnabled {
		t.Skip("checks the race detector's view, so it needs a -race build (make race, CI)")
	}
	out := racechild.Run(t, "step")
	if !bytes.Contains(out, []byte("WARNING: DATA RACE")) || !bytes.Contains(out, []byte("runtime.racewriterange")) {
		t.Fatalf("the race detector did not report the race through Step's annotation:\n%s", out)
	}
}
