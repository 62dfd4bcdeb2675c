package peers_test

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nodetls/nodetls/internal/leakcheck"
	"github.com/nodetls/nodetls/internal/peers"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// fakeTB records Skip and Fatal instead of acting on the real test.
type fakeTB struct {
	testing.TB
	skipped, fatal bool
	msg            string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Skipf(format string, args ...any) {
	f.skipped, f.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.fatal, f.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls fn with a fakeTB on its own goroutine (Skipf and Fatalf end it).
func run(t *testing.T, fn func(tb testing.TB)) *fakeTB {
	f := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f
}

func TestRequire_missingSkipsLocallyFailsInCI(t *testing.T) {
	const name = "nodetls-no-such-peer-binary"
	t.Setenv("CI", "")
	if f := run(t, func(tb testing.TB) { peers.Require(tb, name) }); !f.skipped || f.fatal {
		t.Errorf("CI unset: skipped=%v fatal=%v, want a skip (%s)", f.skipped, f.fatal, f.msg)
	}
	t.Setenv("CI", "true")
	f := run(t, func(tb testing.TB) { peers.Require(tb, name) })
	if !f.fatal || f.skipped {
		t.Errorf("CI=true: skipped=%v fatal=%v, want a failure", f.skipped, f.fatal)
	}
	if !strings.Contains(f.msg, name) || !strings.Contains(f.msg, "CI=true") {
		t.Errorf("CI=true message %q should name the binary and CI", f.msg)
	}
}

func TestRequire_found(t *testing.T) {
	if p := peers.Require(t, "sh"); !strings.HasSuffix(p, "/sh") {
		t.Fatalf("Require(sh) = %q", p)
	}
}

func TestStartProcess_linesStdinWait(t *testing.T) {
	p := peers.StartProcess(t, "sh", "-c", `echo "ready 1"; echo oops >&2; read x; echo "got $x"; printf tail`)
	if got := p.WaitForLine(t, "ready", 10*time.Second); got != "ready 1" {
		t.Fatalf("WaitForLine(ready) = %q", got)
	}
	if _, err := fmt.Fprintln(p.Stdin(), "hello"); err != nil {
		t.Fatal(err)
	}
	if got := p.WaitForLine(t, "got", 10*time.Second); got != "got hello" {
		t.Fatalf("WaitForLine(got) = %q", got)
	}
	// A final line without a newline counts once the process has ended.
	if got := p.WaitForLine(t, "tail", 10*time.Second); got != "tail" {
		t.Fatalf("WaitForLine(tail) = %q", got)
	}
	if err := p.Wait(10 * time.Second); err != nil {
		t.Fatalf("Wait = %v", err)
	}
	if got, want := p.Output(), "ready 1\ngot hello\ntail"; got != want {
		t.Errorf("Output = %q, want %q", got, want)
	}
	if got := p.Stderr(); got != "oops\n" {
		t.Errorf("Stderr = %q", got)
	}
}

func TestStartProcess_killedInCleanup(t *testing.T) {
	var p *peers.Process
	t.Run("inner", func(t *testing.T) {
		p = peers.StartProcess(t, "sleep", "600")
		if err := p.Wait(50 * time.Millisecond); err == nil {
			t.Fatal("sleep 600 ended at once")
		}
	})
	if !p.Exited() {
		t.Fatal("process still running after its test's Cleanup")
	}
}

func TestNodeScript(t *testing.T) {
	p := peers.NodeScript(t, `console.log("args=" + process.argv.slice(1).join(","))`, "a", "--b")
	if got := p.WaitForLine(t, "args=", 30*time.Second); got != "args=a,--b" {
		t.Fatalf("node printed %q", got)
	}
	if err := p.Wait(30 * time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestStartSServer(t *testing.T) {
	peers.Require(t, "openssl")
	p, port := peers.StartSServer(t, "-cert", "../../testdata/localhost-cert.pem", "-key", "../../testdata/localhost-key.pem", "-naccept", "1")
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("s_server said it accepts on %d: %v", port, err)
	}
	c.Close()
	if err := p.Wait(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestRefusedPort(t *testing.T) {
	port := peers.RefusedPort(t)
	for i := 0; i < 2; i++ {
		_, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("dial %d: %v, want ECONNREFUSED", port, err)
		}
	}
	if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
		l.Close()
		t.Fatalf("port %d could be taken while held", port)
	}
}
