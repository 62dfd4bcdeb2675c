package ossl_test

import (
	"bytes"
	"os"
	"os/exec"
	"testing"

	"github.com/nodetls/nodetls/ossl"
)

// TestStepIsSeenByTheRaceDetector checks that Step tells the race detector
// what C wrote: a goroutine reading the out buffer while a client's first
// handshake step writes its ClientHello there must be reported. The racy
// part runs in a child test process, which the race report fails.
func TestStepIsSeenByTheRaceDetector(t *testing.T) {
	if os.Getenv("NODETLS_RACE_CHILD") == "step" {
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
	cmd := exec.Command(os.Args[0], "-test.run=^TestStepIsSeenByTheRaceDetector$", "-test.count=1")
	cmd.Env = append(os.Environ(), "NODETLS_RACE_CHILD=step")
	out, _ := cmd.CombinedOutput() // the child fails: a race was found
	if !bytes.Contains(out, []byte("WARNING: DATA RACE")) {
		t.Fatalf("the race detector did not see the race:\n%s", out)
	}
}
