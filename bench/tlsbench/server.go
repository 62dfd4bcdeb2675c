package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// serverSpec is one of the servers under comparison.
type serverSpec struct {
	name string // column label: nodetls, openssl, crypto/tls
	cmd  string // shell command prefix; --listen/--key/--cert are appended
}

// server is one running server process (and its process group).
type server struct {
	spec   serverSpec
	cmd    *exec.Cmd
	pgid   int
	addr   string
	stderr *tailBuffer
	done   chan struct{} // closed when the process has been reaped
	werr   error         // Wait result, valid after done
}

// running tracks live servers so a signal or a fatal error can kill them.
var running = struct {
	sync.Mutex
	m map[*server]bool
}{m: map[*server]bool{}}

// startServer starts spec listening on 127.0.0.1:0 with the given key and
// certificate, pinned with taskset when pinCPUs is non-empty, and waits for
// its "listening on HOST:PORT" line.
func startServer(spec serverSpec, key, cert, pinCPUs string, timeout time.Duration) (*server, error) {
	var argv []string
	if pinCPUs != "" {
		argv = append(argv, "taskset", "-c", pinCPUs)
	}
	// exec keeps one PID through taskset -> sh -> server; the command may
	// still be a wrapper such as `go run`, which is why measurements look
	// at the whole process group.
	argv = append(argv, "/bin/sh", "-c", "exec "+spec.cmd+` "$@"`, "sh",
		"--listen", "127.0.0.1:0", "--key", key, "--cert", cert)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, pinnedEnv+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s := &server{spec: spec, cmd: cmd, stderr: &tailBuffer{max: 8 << 10}, done: make(chan struct{})}
	cmd.Stderr = s.stderr
	cmd.WaitDelay = 2 * time.Second
	running.Lock()
	if err := cmd.Start(); err != nil {
		running.Unlock()
		return nil, fmt.Errorf("%s: start %q: %v", spec.name, spec.cmd, err)
	}
	s.pgid = cmd.Process.Pid
	running.m[s] = true
	running.Unlock()

	lines := make(chan string, 1)
	go func() {
		br := bufio.NewReader(stdout)
		line, err := br.ReadString('\n')
		if err == nil {
			lines <- strings.TrimSpace(line)
		}
		close(lines)
		for { // drain anything else the server prints
			if _, err := br.ReadString('\n'); err != nil {
				return
			}
		}
	}()
	go func() {
		s.werr = cmd.Wait()
		close(s.done)
	}()

	select {
	case line, ok := <-lines:
		if !ok {
			<-s.done
			s.stop()
			return nil, fmt.Errorf("%s: exited before listening (%v)%s", spec.name, s.werr, s.stderrNote())
		}
		addr, found := strings.CutPrefix(line, "listening on ")
		if !found {
			s.stop()
			return nil, fmt.Errorf("%s: unexpected first stdout line %q (want \"listening on HOST:PORT\")%s", spec.name, line, s.stderrNote())
		}
		if !strings.HasPrefix(addr, "127.0.0.1:") {
			s.stop()
			return nil, fmt.Errorf("%s: listens on %q, want 127.0.0.1:PORT", spec.name, addr)
		}
		s.addr = addr
		return s, nil
	case <-time.After(timeout):
		s.stop()
		return nil, fmt.Errorf("%s: no \"listening on\" line within %v%s", spec.name, timeout, s.stderrNote())
	}
}

// alive reports whether the server process is still running.
func (s *server) alive() error {
	select {
	case <-s.done:
		return fmt.Errorf("%s: server exited (%v)%s", s.spec.name, s.werr, s.stderrNote())
	default:
		return nil
	}
}

// stop kills the server's process group (SIGTERM, then SIGKILL after 3 s)
// and reaps it.
func (s *server) stop() {
	_ = syscall.Kill(-s.pgid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(3 * time.Second):
		_ = syscall.Kill(-s.pgid, syscall.SIGKILL)
		<-s.done
	}
	// Members that left the group's leader behind (e.g. under `go run`).
	_ = syscall.Kill(-s.pgid, syscall.SIGKILL)
	running.Lock()
	delete(running.m, s)
	running.Unlock()
}

func (s *server) stderrNote() string {
	t := strings.TrimSpace(s.stderr.String())
	if t == "" {
		return ""
	}
	return "\n--- " + s.spec.name + " stderr ---\n" + t
}

// stopAll kills every server still running (used on signals and fatal errors).
func stopAll() {
	running.Lock()
	list := make([]*server, 0, len(running.m))
	for s := range running.m {
		list = append(list, s)
	}
	running.Unlock()
	for _, s := range list {
		s.stop()
	}
}

// procSample is the resource usage of a server's process group.
type procSample struct {
	rssKiB int64   // sum of VmRSS over the group
	cpuSec float64 // sum of utime+stime over the group
	procs  int
}

// clkTck is USER_HZ, 100 on every mainstream Linux configuration.
const clkTck = 100

// sample sums VmRSS (from /proc/PID/status) and CPU time (from
// /proc/PID/stat) over all processes of the server's process group.
func (s *server) sample() (procSample, error) {
	var ps procSample
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return ps, err
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		f := statFields(stat)
		// f[0] is field 3 (state); pgrp is field 5, utime 14, stime 15.
		if len(f) < 13 {
			continue
		}
		if pgrp, _ := strconv.Atoi(f[2]); pgrp != s.pgid {
			continue
		}
		ut, _ := strconv.ParseFloat(f[11], 64)
		st, _ := strconv.ParseFloat(f[12], 64)
		ps.cpuSec += (ut + st) / clkTck
		rss, err := vmRSS(pid)
		if err == nil {
			ps.rssKiB += rss
		}
		ps.procs++
	}
	if ps.procs == 0 {
		return ps, fmt.Errorf("%s: no process in group %d", s.spec.name, s.pgid)
	}
	return ps, nil
}

// statFields splits /proc/PID/stat after the parenthesised command name.
func statFields(b []byte) []string {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(b[i+1:]))
}

func vmRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest) // "12345 kB"
			if len(f) >= 1 {
				return strconv.ParseInt(f[0], 10, 64)
			}
		}
	}
	return 0, errors.New("no VmRSS")
}

// selfCPU is the driver's own CPU time in seconds.
func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// machineBusy is the CPU time in seconds all CPUs spent not idle, from the
// first line of /proc/stat (user nice system idle iowait irq softirq steal).
func machineBusy() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	var busy float64
	for i, v := range f[1:9] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		x, _ := strconv.ParseFloat(v, 64)
		busy += x
	}
	return busy / clkTck
}

// otherLoad is the CPU time the machine spent on anything but the server
// and this driver (other processes, interrupts not charged to either, VM
// steal), as a percentage of one CPU over wall seconds.
func otherLoad(machine, server, client, wall float64) float64 {
	o := (machine - server - client) / wall * 100
	if o < 0 {
		return 0
	}
	return o
}
