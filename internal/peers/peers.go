// Package peers runs the independent TLS peers that interop tests talk to:
// the openssl CLI (s_server, s_client, ocsp), node scripts, curl. It is a
// test helper; non-test code never imports it.
//
// A missing peer binary skips the test on a developer's machine and fails it
// in CI: when the environment variable CI is "true" (or "1") no interop test
// may skip, so a machine that lost a peer cannot pass silently.
//
// Every process started here is killed (by its process group id) in the
// test's Cleanup, with a bounded wait, so a hung peer never outlives its test.
package peers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// killWait bounds how long Cleanup waits for a killed process to be reaped.
const killWait = 5 * time.Second

// InCI reports whether the tests run in CI (CI=true or CI=1), where interop
// tests must not skip.
func InCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v == "true" || v == "1"
}

// Require returns the path of the peer binary name ("openssl", "node",
// "curl", ...). When it is not on PATH the test is skipped, or fails under
// CI=true.
func Require(tb testing.TB, name string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		missing(tb, "%s not found on PATH: %v", name, err)
	}
	return path
}

// RequireNode returns the path of node and checks that its major version is
// major (the golden values and several interop checks are Node 20's). A
// missing or different node skips the test, or fails it under CI=true.
func RequireNode(tb testing.TB, major int) string {
	tb.Helper()
	path := Require(tb, "node")
	out, err := exec.Command(path, "-p", "process.versions.node").Output()
	if err != nil {
		missing(tb, "%s -p process.versions.node: %v", path, err)
	}
	v := strings.TrimSpace(string(out))
	got, _ := strconv.Atoi(strings.SplitN(v, ".", 2)[0])
	if got != major {
		missing(tb, "node %s at %s; this test needs Node %d", v, path, major)
	}
	return path
}

// missing skips the test, or fails it under CI=true.
func missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := "peers: " + fmt.Sprintf(format, args...)
	if InCI() {
		tb.Fatalf("%s (CI=true: interop tests may not skip)", msg)
	}
	tb.Skipf("%s (skipped; under CI=true this fails)", msg)
}

// StartSServer starts openssl s_server on 127.0.0.1 with a port of its own
// choosing (-accept 127.0.0.1:0, so no other process can take the port
// between picking and binding it), waits until it accepts, and returns the
// process and the port. args follow "s_server -accept ADDR".
func StartSServer(tb testing.TB, args ...string) (*Process, int) {
	tb.Helper()
	p := StartProcess(tb, "openssl", append([]string{"s_server", "-accept", "127.0.0.1:0"}, args...)...)
	line := p.WaitForLine(tb, "ACCEPT", 10*time.Second)
	_, port, ok := strings.Cut(strings.TrimSpace(line), "ACCEPT 127.0.0.1:")
	n, err := strconv.Atoi(port)
	if !ok || err != nil || n <= 0 {
		tb.Fatalf("peers: s_server printed %q, not ACCEPT 127.0.0.1:PORT", line)
	}
	return p, n
}

// RefusedPort returns a TCP port on 127.0.0.1 where connections are
// refused for the rest of the test: a socket holds the port, bound but not
// listening, so nothing else can take it meanwhile.
func RefusedPort(tb testing.TB) int {
	tb.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		tb.Fatalf("peers: RefusedPort: %v", err)
	}
	tb.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		tb.Fatalf("peers: RefusedPort: bind: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		tb.Fatalf("peers: RefusedPort: getsockname: %v", err)
	}
	return sa.(*syscall.SockaddrInet4).Port
}

// Process is a running peer. Its stdout and stderr are captured; its stdin
// is a pipe that stays open until CloseStdin (openssl s_client ends the
// connection at the end of its input).
type Process struct {
	Name string // the command line, for messages

	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout output
	stderr output
	done   chan struct{} // closed once the process has been reaped
	err    error         // cmd.Wait's result; read only after done is closed
	cursor int           // WaitForLine: stdout bytes already scanned past
}

// StartProcess starts name (looked up with Require, or a path) with args and
// registers a Cleanup that kills it. The process runs in its own process
// group so that the kill reaches whatever it started.
func StartProcess(tb testing.TB, name string, args ...string) *Process {
	tb.Helper()
	return StartProcessEnv(tb, nil, name, args...)
}

// StartProcessEnv is StartProcess with env ("KEY=value") added to this
// process's environment.
func StartProcessEnv(tb testing.TB, env []string, name string, args ...string) *Process {
	tb.Helper()
	path := name
	if !strings.Contains(name, "/") {
		path = Require(tb, name)
	}
	p := &Process{
		Name:   strings.Join(append([]string{name}, args...), " "),
		cmd:    exec.Command(path, args...),
		done:   make(chan struct{}),
		stdout: output{changed: make(chan struct{})},
		stderr: output{changed: make(chan struct{})},
	}
	if env != nil {
		p.cmd.Env = append(os.Environ(), env...)
	}
	p.cmd.Stdout = &p.stdout
	p.cmd.Stderr = &p.stderr
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p.cmd.WaitDelay = killWait // a grandchild holding our pipes cannot block Wait forever
	stdin, err := p.cmd.StdinPipe()
	if err != nil {
		tb.Fatalf("peers: %s: %v", p.Name, err)
	}
	p.stdin = stdin
	if err := p.cmd.Start(); err != nil {
		tb.Fatalf("peers: start %s: %v", p.Name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	tb.Cleanup(func() {
		p.kill()
		select {
		case <-p.done:
		case <-time.After(killWait):
			tb.Errorf("peers: %s (pid %d) not reaped %v after SIGKILL", p.Name, p.cmd.Process.Pid, killWait)
		}
		if tb.Failed() {
			tb.Logf("peers: %s\n--- stdout ---\n%s\n--- stderr ---\n%s", p.Name, p.Output(), p.Stderr())
		}
	})
	return p
}

// NodeScript runs `node -e script -- args...` (process.argv[1:] is args).
// Scripts that need Node 20's behaviour should call RequireNode first.
func NodeScript(tb testing.TB, script string, args ...string) *Process {
	tb.Helper()
	node := Require(tb, "node")
	return StartProcess(tb, node, append([]string{"-e", script, "--"}, args...)...)
}

// Pid returns the process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Stdin returns the write end of the process's standard input.
func (p *Process) Stdin() io.Writer { return p.stdin }

// CloseStdin closes the process's standard input (end of input).
func (p *Process) CloseStdin() error { return p.stdin.Close() }

// Output returns everything the process has written to stdout so far.
func (p *Process) Output() string { return p.stdout.String() }

// Stderr returns everything the process has written to stderr so far.
func (p *Process) Stderr() string { return p.stderr.String() }

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Wait waits up to timeout for the process to end and returns its exit
// error (nil for status 0). It does not kill the process on timeout.
func (p *Process) Wait(timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.done:
		return p.err
	case <-t.C:
		return fmt.Errorf("peers: %s still running after %v", p.Name, timeout)
	}
}

// Kill ends the process (and its process group) now. Cleanup does the same.
func (p *Process) Kill() { p.kill() }

func (p *Process) kill() {
	if p.Exited() {
		return
	}
	// Negative pid: the whole process group that Setpgid made, by its id.
	if err := syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		_ = p.cmd.Process.Kill()
	}
}

// WaitForLine waits up to timeout for a stdout line containing substr and
// returns it (without the newline). Lines are consumed: the next call looks
// only after the line this one returned. It fails the test on timeout or
// when the process ends first. Call it from the test's goroutine.
func (p *Process) WaitForLine(tb testing.TB, substr string, timeout time.Duration) string {
	tb.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		// Read the exit state before the output so that output written just
		// before exiting is seen by this pass.
		exited := p.Exited()
		data, changed := p.stdout.snapshot()
		rest := data[p.cursor:]
		for len(rest) > 0 {
			line, tail, complete := strings.Cut(rest, "\n")
			if !complete && !exited {
				break // a partial line; wait for the rest of it
			}
			p.cursor = len(data) - len(tail)
			rest = tail
			if strings.Contains(line, substr) {
				return strings.TrimSuffix(line, "\r")
			}
		}
		if exited {
			tb.Fatalf("peers: %s exited (%v) before printing a line containing %q\n--- stdout ---\n%s\n--- stderr ---\n%s",
				p.Name, p.err, substr, data, p.Stderr())
		}
		select {
		case <-changed:
		case <-p.done:
		case <-deadline.C:
			tb.Fatalf("peers: no line containing %q from %s within %v\n--- stdout ---\n%s\n--- stderr ---\n%s",
				substr, p.Name, timeout, p.Output(), p.Stderr())
		}
	}
}

// output is a goroutine-safe buffer whose changed channel is closed (and
// replaced) on every write, so readers can wait for new data.
type output struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func (o *output) Write(b []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Write(b)
	close(o.changed)
	o.changed = make(chan struct{})
	return len(b), nil
}

func (o *output) String() string {
	s, _ := o.snapshot()
	return s
}

// snapshot returns the data so far and a channel closed at the next write.
func (o *output) snapshot() (string, <-chan struct{}) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String(), o.changed
}
