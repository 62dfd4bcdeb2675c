// Package leakcheck finds what tests leave behind: goroutines that outlive
// the tests, and OpenSSL objects (package ossl) that were freed by the
// garbage collector's cleanup instead of an explicit Free. It is a test
// helper; non-test code never imports it.
//
// Use it from each package's TestMain:
//
//	func TestMain(m *testing.M) { leakcheck.Main(m) }
//
// and, for one test, leakcheck.CheckGoroutines(t) at its start.
//
// The goroutine check follows net/http's main_test.go: take the goroutine
// stacks, drop the runtime's and the test framework's own, and compare
// against those that existed before (by goroutine id), waiting a few
// seconds for goroutines that are on their way out.
package leakcheck

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nodetls/nodetls/ossl"
)

// settle is how long the checks wait for goroutines to end and cleanups
// to run before calling something a leak.
var settle = 5 * time.Second

// ignored holds stack substrings of goroutines that are never leaks: the
// runtime's, the testing package's, os/signal's and os/exec's background
// goroutines (net/http's list, brought up to date).
var ignored = []string{
	"testing.(*M).before.func",
	"testing.(*M).startAlarm",
	"testing.tRunner(", // the goroutines of tests themselves (parallel or parent tests)
	"testing.runFuzzing",
	"testing.(*F).Fuzz",
	"testing.Main(",
	"created by testing.RunTests",
	"created by testing.runTests",
	"os/signal.signal_recv",
	"os/signal.loop",
	"os/signal.Notify.func",
	"runtime.ensureSigM",
	"os/exec.(*Cmd).Start.func", // pipe copiers and the WaitDelay watcher of a process being reaped
	"os/exec.(*Cmd).watchCtx",
	"created by os/exec.",
	"created by runtime.gc",
	"runtime.MHeap_Scavenger",
	"runtime.runfinq",
	"runtime.runCleanups",
	"runtime.(*cleanupQueue)",
	"unique.runtime_registerUniqueMapCleanup",
	"internal/leakcheck.goroutines", // the check itself
}

// deliberate counts the leaks this package's own tests make on purpose.
var deliberate atomic.Int64

var extra struct {
	sync.Mutex
	ignored []string
}

// IgnoreGoroutine adds stack substrings of goroutines that a package starts
// on purpose and keeps for the life of the process (a package-level worker,
// say). Call it from TestMain before Main; every use needs a comment saying
// why that goroutine is not a leak.
func IgnoreGoroutine(substrs ...string) {
	extra.Lock()
	defer extra.Unlock()
	extra.ignored = append(extra.ignored, substrs...)
}

func isIgnored(stack string) bool {
	for _, s := range ignored {
		if strings.Contains(stack, s) {
			return true
		}
	}
	extra.Lock()
	defer extra.Unlock()
	for _, s := range extra.ignored {
		if strings.Contains(stack, s) {
			return true
		}
	}
	return false
}

// goroutines returns the interesting goroutines' stacks by goroutine id.
func goroutines() map[int]string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	gs := make(map[int]string)
	for _, g := range strings.Split(string(buf), "\n\n") {
		header, stack, _ := strings.Cut(g, "\n")
		// header: "goroutine 17 [chan receive, 2 minutes]:"
		f := strings.Fields(header)
		if len(f) < 2 || f[0] != "goroutine" {
			continue
		}
		id, err := strconv.Atoi(f[1])
		stack = strings.TrimSpace(stack)
		if err != nil || stack == "" || isIgnored(stack) {
			continue
		}
		gs[id] = g
	}
	return gs
}

// newSince returns the stacks of interesting goroutines that are not in
// before, waiting up to wait for them to end. The result is sorted.
func newSince(before map[int]string, wait time.Duration) []string {
	deadline := time.Now().Add(wait)
	for delay := time.Millisecond; ; delay = min(2*delay, 100*time.Millisecond) {
		var leaked []string
		for id, g := range goroutines() {
			if _, ok := before[id]; !ok {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) == 0 || time.Now().After(deadline) {
			slices.Sort(leaked)
			return leaked
		}
		time.Sleep(delay)
	}
}

// collect runs the garbage collector until the ossl cleanups have had a
// chance to run, and returns ossl.Leaked() afterwards. Cleanups run on a
// runtime goroutine after a GC cycle, so it waits between cycles, and stops
// early once the live count no longer changes.
func collect() int64 {
	prev := int64(-1)
	for i := 0; i < 10; i++ {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
		live := ossl.Live()
		if i >= 2 && live == prev {
			break
		}
		prev = live
	}
	return ossl.Leaked()
}

// Main runs the tests and then, if they passed, the leak checks; it exits
// with the tests' status, or 1 when something leaked. Call it as the whole
// body of TestMain.
func Main(m *testing.M) {
	before := goroutines()
	leakedBefore := ossl.Leaked()
	code := m.Run()
	if code == 0 {
		if report := check(before, leakedBefore); report != "" {
			fmt.Fprint(os.Stderr, report)
			code = 1
		}
	}
	os.Exit(code)
}

// check returns a report of the leaks since the given state, or "".
func check(before map[int]string, leakedBefore int64) string {
	var b strings.Builder
	if gs := newSince(before, settle); len(gs) > 0 {
		fmt.Fprintf(&b, "leakcheck: %d goroutine(s) still running %v after the tests ended:\n\n", len(gs), settle)
		for _, g := range gs {
			b.WriteString(g)
			b.WriteString("\n\n")
		}
	}
	if n := collect() - leakedBefore - deliberate.Load(); n > 0 {
		fmt.Fprintf(&b, "leakcheck: %d OpenSSL object(s) were freed by the garbage collector instead of an explicit Free/Close "+
			"(ossl.Leaked()=%d, ossl.Live()=%d after GC); find the owner that forgot to free\n", n, ossl.Leaked(), ossl.Live())
	}
	if b.Len() > 0 {
		b.WriteString("leakcheck: FAIL\n")
	}
	return b.String()
}

// CheckGoroutines records the goroutines running now and, when the test
// ends (in its Cleanup), fails it if new ones are still running after a
// few seconds. Do not use it in a test that calls t.Parallel or runs
// parallel subtests whose goroutines may outlive it.
func CheckGoroutines(tb testing.TB) {
	tb.Helper()
	before := goroutines()
	tb.Cleanup(func() {
		if tb.Failed() {
			return // the failure is the news; stray goroutines are likely its echo
		}
		if gs := newSince(before, settle); len(gs) > 0 {
			tb.Errorf("leakcheck: %d goroutine(s) started by this test still running after %v:\n\n%s",
				len(gs), settle, strings.Join(gs, "\n\n"))
		}
	})
}
