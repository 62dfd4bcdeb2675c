package bridge

import (
	"bytes"
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// raceChild runs, in a child test process, an access pattern that the race
// detector must report, and the parent checks that it did. Raw system calls
// are invisible to the detector unless the code says what they touched.
func raceChild(t *testing.T, name string, racy func(t *testing.T)) {
	t.Helper()
	if os.Getenv("NODETLS_RACE_CHILD") == name {
		racy(t)
		return
	}
	if !raceEnabled {
		t.Skip("checks the race detector's view, so it needs a -race build (make race, CI)")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), "NODETLS_RACE_CHILD="+name)
	out, _ := cmd.CombinedOutput() // the child fails: a race was found
	if !bytes.Contains(out, []byte("WARNING: DATA RACE")) {
		t.Fatalf("the race detector did not see the race:\n%s", out)
	}
}

func TestRawRecvIsSeenByTheRaceDetector(t *testing.T) {
	raceChild(t, "rawrecv", func(t *testing.T) {
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
	raceChild(t, "rawsend", func(t *testing.T) {
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
