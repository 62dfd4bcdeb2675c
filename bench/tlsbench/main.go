// Command tlsbench is the loopback benchmark harness behind `make bench`.
//
// It compares three TLS echo servers that take the same flags
// (--listen 127.0.0.1:0 --key F --cert F) and print the same
// "listening on HOST:PORT" line:
//
//	nodetls     our server (./cmd/echo server)
//	openssl     bench/osslecho, a single-threaded epoll server on libssl
//	crypto/tls  bench/gotlsecho, a goroutine-per-connection Go server
//
// All three are driven by the same Go crypto/tls client (this program):
// bulk echo throughput over one connection, full handshakes per second with
// 1 and 4 concurrent clients, 64-byte round-trip latency and idle memory per
// connection. Runs are interleaved: in every round each server runs each
// test once, in rotated order, on a freshly started server process. Servers
// are pinned to one CPU and this driver to another with taskset when
// possible. The report gives each server's median across rounds and the
// ratios nodetls/openssl and nodetls/crypto-tls, as Markdown.
//
// See bench/README.md.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type options struct {
	servers     []serverSpec
	rsaKey      string
	rsaCert     string
	ecKey       string
	ecCert      string
	rounds      int
	duration    time.Duration
	rttCount    int
	idleConns   int
	matrix      string
	tests       map[string]bool
	pin         string
	serverCPUs  string
	clientCPUs  string
	out         string
	quick       bool
	startTO     time.Duration
	maxTime     time.Duration
	failTargets bool
	notes       []string
}

const pinnedEnv = "TLSBENCH_PINNED"

func main() {
	var o options
	nodetls := flag.String("nodetls", "bench/bin/echo server --honor-cipher-order false", "nodetls echo server command (shell words; --listen/--key/--cert are appended); \"\" to skip")
	openssl := flag.String("openssl", "bench/bin/osslecho --tickets 2 --node-tickets", "OpenSSL-native echo server command; \"\" to skip")
	cryptotls := flag.String("cryptotls", "bench/bin/gotlsecho", "Go crypto/tls echo server command; \"\" to skip")
	flag.StringVar(&o.rsaKey, "key", "testdata/localhost-key.pem", "RSA-2048 key (a temporary one is generated if the file does not exist)")
	flag.StringVar(&o.rsaCert, "cert", "testdata/localhost-cert.pem", "RSA-2048 certificate")
	flag.StringVar(&o.ecKey, "ec-key", "testdata/ec-leaf-key.pem", "ECDSA P-256 key (--matrix full; generated if missing)")
	flag.StringVar(&o.ecCert, "ec-cert", "testdata/ec-leaf-cert.pem", "ECDSA P-256 certificate (--matrix full)")
	flag.IntVar(&o.rounds, "rounds", 3, "interleaved rounds (medians are taken across rounds)")
	flag.DurationVar(&o.duration, "duration", 2*time.Second, "length of each timed test (bulk, handshakes)")
	flag.IntVar(&o.rttCount, "rtt", 2000, "64-byte round trips per latency run")
	flag.IntVar(&o.idleConns, "idle", 500, "idle connections per memory run")
	flag.StringVar(&o.matrix, "matrix", "acceptance", "handshake matrix: acceptance (RSA-2048/TLS 1.3) or full (RSA-2048 and ECDSA P-256 x TLS 1.3 and 1.2)")
	testsFlag := flag.String("tests", "bulk,handshake,resumed,rtt,memory", "comma-separated tests to run")
	flag.StringVar(&o.pin, "pin", "auto", "CPU pinning with taskset: auto, on or off")
	flag.StringVar(&o.serverCPUs, "server-cpus", "0", "taskset CPU list for the servers")
	flag.StringVar(&o.clientCPUs, "client-cpus", "1", "taskset CPU list for this driver (the client)")
	flag.StringVar(&o.out, "out", "", "also write the Markdown report to this file (atomically)")
	flag.BoolVar(&o.quick, "quick", false, "smoke run: defaults become 1 round, 0.3s tests, 200 round trips, 50 idle connections")
	flag.DurationVar(&o.startTO, "start-timeout", 60*time.Second, "how long a server may take to print its listening line")
	flag.DurationVar(&o.maxTime, "max-time", 20*time.Minute, "abort (killing all servers) after this long")
	flag.BoolVar(&o.failTargets, "fail-on-targets", false, "exit with status 3 when an acceptance target is missed")
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if o.quick { // quick defaults; flags given explicitly still win
		set := map[string]bool{}
		flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["rounds"] {
			o.rounds = 1
		}
		if !set["duration"] {
			o.duration = 300 * time.Millisecond
		}
		if !set["rtt"] {
			o.rttCount = 200
		}
		if !set["idle"] {
			o.idleConns = 50
		}
	}
	if o.rounds < 1 || o.duration <= 0 || o.rttCount < 1 || o.idleConns < 1 {
		fatalf("--rounds, --duration, --rtt and --idle must be positive")
	}
	if o.matrix != "acceptance" && o.matrix != "full" {
		fatalf("--matrix must be acceptance or full")
	}
	o.tests = map[string]bool{}
	for _, t := range strings.Split(*testsFlag, ",") {
		t = strings.TrimSpace(t)
		switch t {
		case "bulk", "handshake", "resumed", "rtt", "memory":
			o.tests[t] = true
		case "":
		default:
			fatalf("unknown test %q in --tests", t)
		}
	}
	for _, s := range []serverSpec{{"nodetls", *nodetls}, {"openssl", *openssl}, {"crypto/tls", *cryptotls}} {
		s.cmd = strings.TrimSpace(s.cmd)
		if s.cmd != "" && s.cmd != "-" && s.cmd != "none" {
			o.servers = append(o.servers, s)
		}
	}
	if len(o.servers) == 0 {
		fatalf("no server to benchmark")
	}

	pinServers := setupPinning(&o)

	tmp, err := os.MkdirTemp("", "tlsbench-")
	if err != nil {
		fatalf("%v", err)
	}
	tmpDir = tmp
	cleanup := func() {
		stopAll()
		os.RemoveAll(tmp)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		s := <-sigs
		fmt.Fprintf(os.Stderr, "tlsbench: %v: stopping servers\n", s)
		cleanup()
		os.Exit(130)
	}()
	watchdog := time.AfterFunc(o.maxTime, func() {
		fmt.Fprintf(os.Stderr, "tlsbench: --max-time %v exceeded: stopping servers\n", o.maxTime)
		cleanup()
		os.Exit(124)
	})

	o.rsaKey, o.rsaCert = ensureCert(&o, tmp, "rsa", o.rsaKey, o.rsaCert)
	if o.matrix == "full" && o.tests["handshake"] {
		o.ecKey, o.ecCert = ensureCert(&o, tmp, "ecdsa", o.ecKey, o.ecCert)
	}

	res := run(&o, pinServers)
	watchdog.Stop()
	cleanup()

	md := report(&o, res, pinServers)
	fmt.Print(md)
	if o.out != "" {
		if err := writeAtomic(o.out, md); err != nil {
			fatalf("writing %s: %v", o.out, err)
		}
		fmt.Fprintf(os.Stderr, "tlsbench: wrote %s\n", o.out)
	}
	if len(res.errors) > 0 {
		fmt.Fprintf(os.Stderr, "tlsbench: %d run(s) failed (see the Errors section)\n", len(res.errors))
		os.Exit(1)
	}
	if o.failTargets && res.targetsMissed {
		fmt.Fprintln(os.Stderr, "tlsbench: acceptance targets missed")
		os.Exit(3)
	}
}

// setupPinning decides on CPU pinning. When pinning, it re-executes this
// program under `taskset -c <client-cpus>` (once) and returns the server
// CPU list; otherwise it returns "".
func setupPinning(o *options) string {
	if o.pin == "off" {
		return ""
	}
	if o.pin != "on" && o.pin != "auto" {
		fatalf("--pin must be auto, on or off")
	}
	if os.Getenv(pinnedEnv) == o.clientCPUs {
		// Already re-executed under taskset (see below); the affinity
		// check was done before, and now sees only the client CPUs.
		return o.serverCPUs
	}
	why := ""
	taskset, err := exec.LookPath("taskset")
	allowed := allowedCPUs()
	sc, cc := parseCPUList(o.serverCPUs), parseCPUList(o.clientCPUs)
	switch {
	case err != nil:
		why = "taskset not found"
	case len(allowed) < 2:
		why = fmt.Sprintf("only %d CPU available", len(allowed))
	case len(sc) == 0 || len(cc) == 0:
		why = "empty --server-cpus or --client-cpus"
	case !subset(sc, allowed) || !subset(cc, allowed):
		why = "--server-cpus/--client-cpus not within the allowed CPUs " + formatCPUs(allowed)
	case overlaps(sc, cc):
		why = "--server-cpus and --client-cpus overlap"
	}
	if why != "" {
		if o.pin == "on" {
			fatalf("cannot pin: %s", why)
		}
		o.notes = append(o.notes, "No CPU pinning: "+why+".")
		return ""
	}
	exe, err := os.Executable()
	if err != nil {
		fatalf("%v", err)
	}
	argv := append([]string{"taskset", "-c", o.clientCPUs, exe}, os.Args[1:]...)
	env := append(os.Environ(), pinnedEnv+"="+o.clientCPUs)
	err = syscall.Exec(taskset, argv, env)
	fatalf("re-exec under taskset: %v", err)
	return ""
}

// allowedCPUs reads this process's CPU affinity from /proc/self/status.
func allowedCPUs() []int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return nil
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Cpus_allowed_list:"); ok {
			return parseCPUList(strings.TrimSpace(rest))
		}
	}
	return nil
}

// parseCPUList parses "0-2,5" into [0 1 2 5]; nil if malformed.
func parseCPUList(s string) []int {
	var out []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil
			}
		}
		for i := a; i <= b; i++ {
			out = append(out, i)
		}
	}
	return out
}

func formatCPUs(c []int) string {
	s := make([]string, len(c))
	for i, v := range c {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ",")
}

func subset(a, b []int) bool {
	for _, x := range a {
		if !overlaps([]int{x}, b) {
			return false
		}
	}
	return true
}

func overlaps(a, b []int) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// ensureCert returns absolute paths of an existing key/certificate pair, or
// of a freshly generated self-signed one when either file is missing.
func ensureCert(o *options, tmp, kind, key, cert string) (string, string) {
	_, kerr := os.Stat(key)
	_, cerr := os.Stat(cert)
	if kerr == nil && cerr == nil {
		k, _ := filepath.Abs(key)
		c, _ := filepath.Abs(cert)
		return k, c
	}
	k, c, desc, err := generateCert(tmp, kind)
	if err != nil {
		fatalf("generating a %s certificate: %v", kind, err)
	}
	note := fmt.Sprintf("%s and/or %s not found: used a generated temporary self-signed %s certificate.", key, cert, desc)
	fmt.Fprintln(os.Stderr, "tlsbench:", note)
	o.notes = append(o.notes, note)
	return k, c
}

// hsConfig is one cell of the handshake matrix.
type hsConfig struct {
	label   string // e.g. "RSA-2048, TLS 1.3"
	cert    string // "rsa" or "ecdsa"
	version uint16
}

func (o *options) hsConfigs() []hsConfig {
	cfgs := []hsConfig{{"RSA-2048, TLS 1.3", "rsa", tls.VersionTLS13}}
	if o.matrix == "full" {
		cfgs = append(cfgs,
			hsConfig{"RSA-2048, TLS 1.2", "rsa", tls.VersionTLS12},
			hsConfig{"ECDSA P-256, TLS 1.3", "ecdsa", tls.VersionTLS13},
			hsConfig{"ECDSA P-256, TLS 1.2", "ecdsa", tls.VersionTLS12})
	}
	return cfgs
}

func (o *options) certFor(kind string) (string, string) {
	if kind == "ecdsa" {
		return o.ecKey, o.ecCert
	}
	return o.rsaKey, o.rsaCert
}

// results collects every measurement.
type results struct {
	// values[metricKey][server][round] holds one value per successful run.
	values        map[string]map[string]map[int]float64
	round         int                               // the round being run
	other         map[string][]float64              // [server] other CPU load (% of one CPU) per timed run
	probes        map[string]map[string]probeResult // [config label][server]
	verified      map[string]bool                   // servers that passed verifyEcho
	errors        []string
	started       time.Time
	elapsed       time.Duration
	targetsMissed bool
	loadStart     string
}

func (r *results) add(key, server string, v float64) {
	if r.values[key] == nil {
		r.values[key] = map[string]map[int]float64{}
	}
	if r.values[key][server] == nil {
		r.values[key][server] = map[int]float64{}
	}
	r.values[key][server][r.round] = v
}

// task is one measurement on one fresh server process.
type task struct {
	name    string
	cert    string
	version uint16
	run     func(s *server, cfg *tls.Config, res *results) error
}

func (o *options) tasks() []task {
	var ts []task
	if o.tests["bulk"] {
		ts = append(ts, task{"bulk echo", "rsa", tls.VersionTLS13, func(s *server, cfg *tls.Config, res *results) error {
			r, err := bulk(s, cfg, o.duration)
			if err != nil {
				return err
			}
			res.add("bulk.mbps", s.spec.name, r.mbps)
			res.add("bulk.srvcpu", s.spec.name, r.srvMsPerMB)
			res.add("bulk.srvbusy", s.spec.name, r.srvBusyPct)
			res.add("bulk.clibusy", s.spec.name, r.cliBusyPct)
			res.other[s.spec.name] = append(res.other[s.spec.name], r.otherPct)
			fmt.Fprintf(os.Stderr, "  %-10s %8.1f MB/s  (server %.2f ms CPU/MB, busy %.0f%%; client busy %.0f%%; other load %.0f%%)\n",
				s.spec.name, r.mbps, r.srvMsPerMB, r.srvBusyPct, r.cliBusyPct, r.otherPct)
			return nil
		}})
	}
	if o.tests["handshake"] {
		for _, hc := range o.hsConfigs() {
			for _, n := range []int{1, 4} {
				key := hsKey(hc, n)
				ts = append(ts, task{fmt.Sprintf("handshakes %s, %d client(s)", hc.label, n), hc.cert, hc.version,
					func(s *server, cfg *tls.Config, res *results) error {
						return o.handshakeTask(s, cfg, res, key, n, "handshakes/s", false)
					}})
			}
		}
	}
	if o.tests["resumed"] {
		for _, n := range []int{1, 4} {
			key := resumedKey(n)
			ts = append(ts, task{fmt.Sprintf("resumed handshakes, %d client(s)", n), "rsa", tls.VersionTLS13,
				func(s *server, _ *tls.Config, res *results) error {
					// A fresh session cache per server process.
					return o.handshakeTask(s, resumeConfig(tls.VersionTLS13), res, key, n, "resumed handshakes/s", true)
				}})
		}
	}
	if o.tests["rtt"] {
		ts = append(ts, task{"64-byte round trips", "rsa", tls.VersionTLS13, func(s *server, cfg *tls.Config, res *results) error {
			r, err := rtt(s, cfg, o.rttCount)
			if err != nil {
				return err
			}
			res.add("rtt.p50", s.spec.name, r.p50)
			res.add("rtt.p99", s.spec.name, r.p99)
			fmt.Fprintf(os.Stderr, "  %-10s p50 %6.1f us  p99 %6.1f us  mean %6.1f us\n", s.spec.name, r.p50, r.p99, r.mean)
			return nil
		}})
	}
	if o.tests["memory"] {
		ts = append(ts, task{fmt.Sprintf("idle memory, %d connections", o.idleConns), "rsa", tls.VersionTLS13, func(s *server, cfg *tls.Config, res *results) error {
			r, err := idleMemory(s, cfg, o.idleConns)
			if err != nil {
				return err
			}
			res.add("mem.perconn", s.spec.name, r.perConnKiB)
			res.add("mem.base", s.spec.name, r.baseMiB)
			fmt.Fprintf(os.Stderr, "  %-10s %6.1f KiB per idle connection  (RSS before: %.1f MiB)\n", s.spec.name, r.perConnKiB, r.baseMiB)
			return nil
		}})
	}
	return ts
}

func hsKey(hc hsConfig, clients int) string {
	return fmt.Sprintf("hs.%s.%s.c%d", hc.cert, strings.ReplaceAll(tls.VersionName(hc.version), " ", ""), clients)
}

// handshakeTask runs one handshake-rate measurement and records it under key.
func (o *options) handshakeTask(s *server, cfg *tls.Config, res *results, key string, clients int, unit string, resume bool) error {
	r, err := handshakes(s, cfg, clients, o.duration, resume)
	if err != nil {
		return err
	}
	res.add(key, s.spec.name, r.perSec)
	res.add(key+".cpu", s.spec.name, r.srvMsPer)
	if resume {
		res.add(key+".tickets", s.spec.name, r.ticketsPer)
	}
	res.other[s.spec.name] = append(res.other[s.spec.name], r.otherPct)
	note := ""
	if r.errors > 0 {
		note = fmt.Sprintf(", %d errors (first: %v)", r.errors, r.firstErr)
		res.errors = append(res.errors, fmt.Sprintf("%s, %s: %d failed handshakes (first: %v)", key, s.spec.name, r.errors, r.firstErr))
	}
	fmt.Fprintf(os.Stderr, "  %-10s %8.0f %s  (server %.3f ms CPU each; other load %.0f%%%s)\n", s.spec.name, r.perSec, unit, r.srvMsPer, r.otherPct, note)
	return nil
}

func resumedKey(clients int) string { return fmt.Sprintf("hs.resumed.c%d", clients) }

func versionLabel(kind string, v uint16) string {
	k := "RSA-2048"
	if kind == "ecdsa" {
		k = "ECDSA P-256"
	}
	return k + ", " + tls.VersionName(v)
}

// run executes the interleaved rounds: for each round, for each test, every
// server once (in an order rotated by round), each time on a fresh process.
func run(o *options, pinCPUs string) *results {
	res := &results{
		values:    map[string]map[string]map[int]float64{},
		other:     map[string][]float64{},
		probes:    map[string]map[string]probeResult{},
		verified:  map[string]bool{},
		loadStart: readLoad(),
		started:   time.Now(),
	}
	tasks := o.tasks()
	for round := 0; round < o.rounds; round++ {
		res.round = round
		order := make([]serverSpec, len(o.servers))
		for i := range o.servers {
			order[i] = o.servers[(i+round)%len(o.servers)]
		}
		for _, t := range tasks {
			fmt.Fprintf(os.Stderr, "tlsbench: round %d/%d: %s\n", round+1, o.rounds, t.name)
			for _, spec := range order {
				if err := runOne(o, pinCPUs, spec, t, res); err != nil {
					msg := fmt.Sprintf("round %d, %s, %s: %v", round+1, t.name, spec.name, err)
					fmt.Fprintln(os.Stderr, "tlsbench: FAILED:", msg)
					res.errors = append(res.errors, msg)
				}
			}
		}
	}
	res.elapsed = time.Since(res.started)
	return res
}

func runOne(o *options, pinCPUs string, spec serverSpec, t task, res *results) error {
	key, cert := o.certFor(t.cert)
	s, err := startServer(spec, key, cert, pinCPUs, o.startTO)
	if err != nil {
		return err
	}
	defer s.stop()
	label := versionLabel(t.cert, t.version)
	if res.probes[label] == nil {
		res.probes[label] = map[string]probeResult{}
	}
	if _, done := res.probes[label][spec.name]; !done {
		pr, err := probe(s.addr, t.version)
		if err != nil {
			return fmt.Errorf("probe handshake: %v%s", err, s.stderrNote())
		}
		res.probes[label][spec.name] = pr
	}
	if !res.verified[spec.name] {
		if err := verifyEcho(s.addr, clientConfig(t.version)); err != nil {
			return fmt.Errorf("%v%s", err, s.stderrNote())
		}
		res.verified[spec.name] = true
	}
	if err := t.run(s, clientConfig(t.version), res); err != nil {
		return fmt.Errorf("%v%s", err, s.stderrNote())
	}
	return nil
}

func writeAtomic(path, data string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(data), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// tmpDir holds generated certificates; removed on every exit path.
var tmpDir string

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "tlsbench: "+format+"\n", args...)
	stopAll()
	if tmpDir != "" {
		os.RemoveAll(tmpDir)
	}
	os.Exit(2)
}
