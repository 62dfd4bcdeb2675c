package bridge

import (
	"bytes"
	"syscall"
	"testing"

	"github.com/nodetls/nodetls/internal/racechild"
)

// raceChild runs, in a child test process, an access pattern that the race
// detector must report, and the parent checks that it did: the report must
// name the annotation (marker, e.g. runtime.racewriterange) as one of the
// two accesses. Raw system calls are invisible to the detector unless the
// code says what they touched.
func raceChild(t *testing.T, name, marker string, racy func(t *testing.T)) {
	t.Helper()
	if racechild.IsChild(name) {
		racy(t)
		return
	}
	if !raceEnabled {
		t.Skip("checks the race detector's view, so it needs a -race build (make race, CI)")
	}
	out := racechild.Run(t, name)
	if !bytes.Contains(out, []byte("WARNING: DATA RACE")) || !bytes.Contains(out, []byte(marker)) {
		t.Fatalf("the race detector did not report the race through %s:\n%s", marker, out)
	}
}

func TestRawRecvIsSeenByTheRaceDetector(t *testing.T) {
	raceChild(t, "rawrecv", "runtime.racewriterange", func(t *testing.T) {
		fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer syscall.Close(fds[0])
		defer syscall.Close(fds[1])
		if _, err := syscall.Write(fds[1], []byte("12345678")); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 8)
		got := make(chan byte)
		go func() { got <- buf[3] }() // unsynchronised with the receive below
		if n, errno := rawRecv(uintptr(fds[0]), buf); n != 8 || errno != 0 {
			t.Fatalf("rawRecv = %d, %v", n, errno)
		}
		<-got
	})
}

func TestRawSendIsSeenByTheRaceDetector(t *testing.T) {
	raceChild(t, "rawsend", "runtime.racereadrange", func(t *testing.T) {
		fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer syscall.Close(fds[0])
		defer syscall.Close(fds[1])
		buf := []byte("12345678")
		done := make(chan bool)
		go func() { buf[3] = 'x'; done <- true }() // a write racing with the send
		if n, errno := rawSend(uintptr(fds[1]), buf); n != 8 || errno != 0 {
			t.Fatalf("rawSend = %d, %v", n, errno)
		}
		<-done
	})
}
