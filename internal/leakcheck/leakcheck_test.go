package leakcheck

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nodetls/nodetls/ossl"
)

func TestMain(m *testing.M) { Main(m) }

// leakyWorker is a goroutine with a name the checks can be seen to report.
// startLeaky starts it and returns once it runs.
func leakyWorker(started, stop chan struct{}) {
	close(started)
	<-stop
}

func startLeaky(stop chan struct{}) {
	started := make(chan struct{})
	go leakyWorker(started, stop)
	<-started
}

func TestNewSince_reportsAndSettles(t *testing.T) {
	before := goroutines()
	stop := make(chan struct{})
	startLeaky(stop)
	gs := newSince(before, 50*time.Millisecond)
	if len(gs) != 1 || !strings.Contains(gs[0], "leakcheck.leakyWorker") {
		t.Fatalf("newSince = %q, want the leakyWorker goroutine", gs)
	}
	close(stop)
	if gs := newSince(before, settle); len(gs) != 0 {
		t.Fatalf("after the worker ended, newSince = %q", gs)
	}
}

func TestIgnoreGoroutine(t *testing.T) {
	before := goroutines()
	stop := make(chan struct{})
	defer close(stop)
	startLeaky(stop)
	IgnoreGoroutine("leakcheck.leakyWorker")
	defer func() {
		extra.Lock()
		extra.ignored = nil
		extra.Unlock()
	}()
	if gs := newSince(before, 0); len(gs) != 0 {
		t.Fatalf("ignored goroutine reported: %q", gs)
	}
}

// fakeTB captures Cleanup and Errorf.
type fakeTB struct {
	testing.TB
	cleanups []func()
	errs     []string
}

func (f *fakeTB) Helper()           {}
func (f *fakeTB) Failed() bool      { return len(f.errs) > 0 }
func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) Errorf(format string, args ...any) {
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func TestCheckGoroutines(t *testing.T) {
	defer func(d time.Duration) { settle = d }(settle)
	settle = 300 * time.Millisecond
	f := &fakeTB{TB: t}
	CheckGoroutines(f)
	stop := make(chan struct{})
	startLeaky(stop)
	start := time.Now()
	f.cleanups[0]()
	if len(f.errs) != 1 || !strings.Contains(f.errs[0], "leakyWorker") {
		t.Fatalf("errors = %q, want one naming leakyWorker", f.errs)
	}
	if waited := time.Since(start); waited < settle {
		t.Errorf("reported after %v, before the %v settling time", waited, settle)
	}
	close(stop)

	settle = 2 * time.Second // room for a loaded machine to run the sleeper out
	f = &fakeTB{TB: t}
	CheckGoroutines(f)
	go time.Sleep(50 * time.Millisecond) // ends on its own, within settle
	f.cleanups[0]()
	if len(f.errs) != 0 {
		t.Fatalf("goroutine that ended was reported: %q", f.errs)
	}
}

// TestCollect_countsForgottenSSL drops an SSL without Free and checks that
// the collection in Main would see it.
func TestCollect_countsForgottenSSL(t *testing.T) {
	ctx, err := ossl.NewCtx(ossl.MethodTLS)
	if err != nil {
		t.Fatal(err)
	}
	defer ctx.Free()
	before := collect()
	func() {
		if _, err := ossl.NewSSL(ctx, false); err != nil {
			t.Fatal(err)
		}
	}()
	deliberate.Add(1) // Main must not count this one
	got := collect()
	for deadline := time.Now().Add(10 * time.Second); got != before+1 && time.Now().Before(deadline); {
		got = collect() // a starved cleanup goroutine may need more cycles
	}
	if got != before+1 {
		t.Fatalf("ossl.Leaked() = %d after dropping one SSL, want %d", got, before+1)
	}
	if report := check(goroutines(), before+1-deliberate.Load()); report != "" {
		t.Errorf("check reported a deliberate leak:\n%s", report)
	}
	if report := check(goroutines(), before-deliberate.Load()); !strings.Contains(report, "1 OpenSSL object(s)") {
		t.Errorf("check did not report one leaked object:\n%s", report)
	}
}
