package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// opTimeout bounds every single network operation of the client.
const opTimeout = 10 * time.Second

// clientConfig is the one client configuration used for every server:
// Go crypto/tls, no certificate verification, P-256 only, and no session
// resumption of any kind (no cache, no tickets), so every handshake is full.
func clientConfig(version uint16) *tls.Config {
	return &tls.Config{
		InsecureSkipVerify:     true,
		MinVersion:             version,
		MaxVersion:             version,
		CurvePreferences:       []tls.CurveID{tls.CurveP256},
		ClientSessionCache:     nil,
		SessionTicketsDisabled: true,
	}
}

// dialTLS opens a TCP connection and completes a TLS handshake on it.
func dialTLS(addr string, cfg *tls.Config) (*tls.Conn, net.Conn, error) {
	raw, err := net.DialTimeout("tcp", addr, opTimeout)
	if err != nil {
		return nil, nil, err
	}
	c := tls.Client(raw, cfg)
	_ = c.SetDeadline(time.Now().Add(opTimeout))
	if err := c.Handshake(); err != nil {
		raw.Close()
		return nil, nil, err
	}
	_ = c.SetDeadline(time.Time{})
	return c, raw, nil
}

// ping echoes n bytes over c and checks they come back unchanged.
func ping(c *tls.Conn, n int) error {
	out := make([]byte, n)
	for i := range out {
		out[i] = byte('a' + i%26)
	}
	_ = c.SetDeadline(time.Now().Add(opTimeout))
	defer c.SetDeadline(time.Time{})
	if _, err := c.Write(out); err != nil {
		return err
	}
	in := make([]byte, n)
	if _, err := io.ReadFull(c, in); err != nil {
		return err
	}
	if !bytes.Equal(in, out) {
		return errors.New("echo returned different bytes")
	}
	return nil
}

// probeResult describes what a server negotiates with the benchmark client.
type probeResult struct {
	version, suite, group, certKey string
	postHandshake                  int // records the server sent unasked after the handshake
}

// probe handshakes once with the benchmark client configuration and records
// the negotiated parameters. Unsolicited records right after the handshake
// are (in TLS 1.3) session tickets: a sign that the server is not
// configured like the others.
func probe(addr string, version uint16) (probeResult, error) {
	var pr probeResult
	c, raw, err := dialTLS(addr, clientConfig(version))
	if err != nil {
		return pr, err
	}
	defer raw.Close()
	st := c.ConnectionState()
	pr.version = tls.VersionName(st.Version)
	pr.suite = tls.CipherSuiteName(st.CipherSuite)
	pr.group = st.CurveID.String()
	if len(st.PeerCertificates) > 0 {
		switch k := st.PeerCertificates[0].PublicKey.(type) {
		case *rsa.PublicKey:
			pr.certKey = fmt.Sprintf("RSA-%d", k.N.BitLen())
		case *ecdsa.PublicKey:
			pr.certKey = "ECDSA " + k.Curve.Params().Name
		default:
			pr.certKey = fmt.Sprintf("%T", k)
		}
	}
	// Read raw records (this ends the TLS session's usefulness, which is
	// fine: the probe connection is thrown away).
	_ = raw.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	var buf []byte
	tmp := make([]byte, 4096)
	for {
		n, err := raw.Read(tmp)
		buf = append(buf, tmp[:n]...)
		if err != nil {
			break
		}
	}
	for len(buf) >= 5 {
		l := int(buf[3])<<8 | int(buf[4])
		pr.postHandshake++
		if len(buf) < 5+l {
			break
		}
		buf = buf[5+l:]
	}
	return pr, nil
}

// bulkResult is one bulk echo run.
type bulkResult struct {
	mbps        float64 // echoed payload MB/s (10^6 bytes) received back
	srvMsPerMB  float64 // server CPU milliseconds per MB echoed
	srvBusyPct  float64 // server CPU time / wall time
	cliBusyPct  float64 // client CPU time / wall time
	otherPct    float64 // CPU used by everything else, % of one CPU
	bytesEchoed int64
}

// bulk writes 16 KiB chunks over one connection for d while a second
// goroutine reads the echo, and measures the echoed bytes per second after
// a short warm-up.
func bulk(s *server, cfg *tls.Config, d time.Duration) (bulkResult, error) {
	var r bulkResult
	c, raw, err := dialTLS(s.addr, cfg)
	if err != nil {
		return r, err
	}
	defer raw.Close()

	var received atomic.Int64
	var wg sync.WaitGroup
	var werr, rerr error
	wg.Add(2)
	go func() { // writer
		defer wg.Done()
		chunk := bytes.Repeat([]byte("0123456789abcdef"), 1024) // 16 KiB
		for {
			if _, err := c.Write(chunk); err != nil {
				werr = err
				return
			}
		}
	}()
	go func() { // reader
		defer wg.Done()
		buf := make([]byte, 64<<10)
		for {
			n, err := c.Read(buf)
			received.Add(int64(n))
			if err != nil {
				rerr = err
				return
			}
		}
	}()

	warm := d / 10
	if warm > 200*time.Millisecond {
		warm = 200 * time.Millisecond
	}
	time.Sleep(warm)
	s0, err0 := s.sample()
	c0, b0, t0, m0 := selfCPU(), received.Load(), time.Now(), machineBusy()
	time.Sleep(d)
	s1, err1 := s.sample()
	c1, b1, t1, m1 := selfCPU(), received.Load(), time.Now(), machineBusy()

	// Stop both goroutines: expire the deadlines and wait for them.
	_ = raw.SetDeadline(time.Now())
	wg.Wait()
	if err := s.alive(); err != nil {
		return r, err
	}
	for _, e := range []error{werr, rerr} {
		if e != nil && !isTimeout(e) {
			return r, fmt.Errorf("bulk echo: %v", e)
		}
	}
	if err0 != nil || err1 != nil {
		return r, errors.Join(err0, err1)
	}
	wall := t1.Sub(t0).Seconds()
	r.bytesEchoed = b1 - b0
	if r.bytesEchoed <= 0 {
		return r, errors.New("bulk echo: nothing echoed")
	}
	mb := float64(r.bytesEchoed) / 1e6
	r.mbps = mb / wall
	r.srvMsPerMB = (s1.cpuSec - s0.cpuSec) * 1000 / mb
	r.srvBusyPct = (s1.cpuSec - s0.cpuSec) / wall * 100
	r.cliBusyPct = (c1 - c0) / wall * 100
	r.otherPct = otherLoad(m1-m0, s1.cpuSec-s0.cpuSec, c1-c0, wall)
	return r, nil
}

// hsResult is one handshake-rate run.
type hsResult struct {
	perSec   float64 // completed handshakes per second
	srvMsPer float64 // server CPU milliseconds per handshake
	otherPct float64 // CPU used by everything else, % of one CPU
	count    int64
	errors   int64
	firstErr error
	// ticketsPer is the session tickets the client kept per handshake
	// (resumed runs only).
	ticketsPer float64
}

// resumeConfig is clientConfig with a session cache and session tickets:
// each handshake after the first resumes with a TLS 1.3 ticket the server
// sent on an earlier connection (PSK with (EC)DHE, so the server skips the
// certificate signature but still does the key exchange).
func resumeConfig(version uint16) *tls.Config {
	cfg := clientConfig(version)
	cfg.SessionTicketsDisabled = false
	cfg.ClientSessionCache = &countingCache{ClientSessionCache: tls.NewLRUClientSessionCache(64)}
	return cfg
}

// countingCache counts the sessions the client stores: one per session
// ticket the server sent.
type countingCache struct {
	tls.ClientSessionCache
	puts atomic.Int64
}

func (c *countingCache) Put(key string, cs *tls.ClientSessionState) {
	if cs != nil {
		c.puts.Add(1)
	}
	c.ClientSessionCache.Put(key, cs)
}

func ticketsStored(cfg *tls.Config) int64 {
	if c, ok := cfg.ClientSessionCache.(*countingCache); ok {
		return c.puts.Load()
	}
	return 0
}

// errNotResumed is a handshake that should have resumed a session and was
// a full one.
var errNotResumed = errors.New("the server did not resume the session")

// oneHandshake runs a complete connection: TCP connect, TLS handshake,
// close_notify, and waiting for the server's close (which proves the server
// finished its side of the handshake). The server closes first, so the
// TIME_WAIT state lands on the server side and client ports never run out.
// Reading to the end also takes in the session tickets the server sent.
// With resume, a handshake that did not resume a session is an error.
func oneHandshake(addr string, cfg *tls.Config, resume bool) error {
	c, raw, err := dialTLS(addr, cfg)
	if err != nil {
		return err
	}
	defer raw.Close()
	if resume && !c.ConnectionState().DidResume {
		return errNotResumed
	}
	_ = c.SetDeadline(time.Now().Add(opTimeout))
	if err := c.CloseWrite(); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, c)
	if err == nil || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) {
		return nil
	}
	return err
}

// handshakes runs `clients` concurrent loops of oneHandshake for d. With
// resume, cfg must hold a session cache (resumeConfig): the first warm-up
// handshake fills it, and every later handshake must resume.
func handshakes(s *server, cfg *tls.Config, clients int, d time.Duration, resume bool) (hsResult, error) {
	var r hsResult
	for i := 0; i < 3; i++ { // warm-up
		if err := oneHandshake(s.addr, cfg, resume && i > 0); err != nil {
			if errors.Is(err, errNotResumed) && ticketsStored(cfg) == 0 {
				err = errors.New("the server sent no session ticket to resume with (osslecho needs --tickets 1 or more)")
			}
			return r, fmt.Errorf("warm-up handshake: %v", err)
		}
	}
	tickets0 := ticketsStored(cfg)
	var count, nerr atomic.Int64
	var firstErr atomic.Value
	s0, err0 := s.sample()
	t0, c0, m0 := time.Now(), selfCPU(), machineBusy()
	end := t0.Add(d)
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) {
				if err := oneHandshake(s.addr, cfg, resume); err != nil {
					if nerr.Add(1) == 1 {
						firstErr.Store(err)
					}
					if nerr.Load() > 100 {
						return
					}
					continue
				}
				count.Add(1)
			}
		}()
	}
	wg.Wait()
	wall := time.Since(t0).Seconds()
	s1, err1 := s.sample()
	c1, m1 := selfCPU(), machineBusy()
	if err := s.alive(); err != nil {
		return r, err
	}
	if err0 != nil || err1 != nil {
		return r, errors.Join(err0, err1)
	}
	r.count, r.errors = count.Load(), nerr.Load()
	if e, ok := firstErr.Load().(error); ok {
		r.firstErr = e
	}
	if r.count == 0 {
		return r, fmt.Errorf("no handshake completed (%d errors, first: %v)", r.errors, r.firstErr)
	}
	r.perSec = float64(r.count) / wall
	r.ticketsPer = float64(ticketsStored(cfg)-tickets0) / float64(r.count)
	r.srvMsPer = (s1.cpuSec - s0.cpuSec) * 1000 / float64(r.count)
	r.otherPct = otherLoad(m1-m0, s1.cpuSec-s0.cpuSec, c1-c0, wall)
	return r, nil
}

// rttResult is one latency run, in microseconds.
type rttResult struct{ p50, p99, mean float64 }

// rtt measures n sequential 64-byte echo round trips over one connection.
func rtt(s *server, cfg *tls.Config, n int) (rttResult, error) {
	var r rttResult
	c, raw, err := dialTLS(s.addr, cfg)
	if err != nil {
		return r, err
	}
	defer raw.Close()
	out := bytes.Repeat([]byte{'x'}, 64)
	in := make([]byte, 64)
	_ = c.SetDeadline(time.Now().Add(opTimeout + time.Duration(n)*time.Millisecond))
	warm := n / 20
	if warm < 10 {
		warm = 10
	}
	lat := make([]float64, 0, n)
	for i := 0; i < warm+n; i++ {
		out[i%64] = byte(i)
		t := time.Now()
		if _, err := c.Write(out); err != nil {
			return r, err
		}
		if _, err := io.ReadFull(c, in); err != nil {
			return r, err
		}
		dt := time.Since(t)
		if !bytes.Equal(in, out) {
			return r, errors.New("echo returned different bytes")
		}
		if i >= warm {
			lat = append(lat, float64(dt.Nanoseconds())/1e3)
		}
	}
	sort.Float64s(lat)
	var sum float64
	for _, v := range lat {
		sum += v
	}
	r.p50 = percentile(lat, 50)
	r.p99 = percentile(lat, 99)
	r.mean = sum / float64(len(lat))
	return r, nil
}

// percentile of sorted values (nearest rank).
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return sorted[i]
}

// memResult is one idle-memory run.
type memResult struct {
	perConnKiB float64
	baseMiB    float64 // server RSS before the idle connections
}

// idleMemory opens n handshaked connections (each with one 1-byte echo so the
// server is past the handshake), lets them sit idle and divides the growth of
// the server's RSS by n.
func idleMemory(s *server, cfg *tls.Config, n int) (memResult, error) {
	var r memResult
	// Warm the server up with one connection so lazily initialised state
	// (code pages, library tables) is not charged to the idle connections.
	c, raw, err := dialTLS(s.addr, cfg)
	if err != nil {
		return r, err
	}
	if err := ping(c, 1); err != nil {
		raw.Close()
		return r, err
	}
	raw.Close()
	time.Sleep(200 * time.Millisecond)
	s0, err := s.sample()
	if err != nil {
		return r, err
	}

	conns := make([]net.Conn, n)
	defer func() {
		for _, rc := range conns {
			if rc != nil {
				rc.Close()
			}
		}
	}()
	var next atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				c, raw, err := dialTLS(s.addr, cfg)
				if err == nil {
					err = ping(c, 1)
					conns[i] = raw
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					next.Store(int64(n)) // stop the other workers
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return r, fmt.Errorf("opening idle connections: %v", firstErr)
	}
	time.Sleep(500 * time.Millisecond) // let the server settle
	s1, err := s.sample()
	if err != nil {
		return r, err
	}
	if err := s.alive(); err != nil {
		return r, err
	}
	r.perConnKiB = float64(s1.rssKiB-s0.rssKiB) / float64(n)
	r.baseMiB = float64(s0.rssKiB) / 1024
	return r, nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// verifyEcho checks that a server echoes 16 MiB exactly, including while it
// has to stop and wait for its writes to drain: the client's receive buffer
// is small and its reader starts only after a pause, so the server's socket
// send buffer fills up first.
func verifyEcho(addr string, cfg *tls.Config) error {
	// A small client receive buffer makes the server's writes block soon.
	d := net.Dialer{Timeout: opTimeout, Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 16<<10)
		})
		return errors.Join(err, serr)
	}}
	raw, err := d.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer raw.Close()
	c := tls.Client(raw, cfg)
	const total = 16 << 20
	data := make([]byte, total)
	x := uint32(2463534242)
	for i := range data { // xorshift: cheap, non-repeating at record scale
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		data[i] = byte(x)
	}
	_ = c.SetDeadline(time.Now().Add(opTimeout))
	werr := make(chan error, 1)
	go func() {
		for off := 0; off < total; {
			n := 1 + int(data[off])*97 // odd sizes from 1 B to ~24 KiB
			if off+n > total {
				n = total - off
			}
			if _, err := c.Write(data[off : off+n]); err != nil {
				werr <- err
				return
			}
			off += n
		}
		werr <- nil
	}()
	time.Sleep(300 * time.Millisecond)
	got := make([]byte, total)
	if _, err := io.ReadFull(c, got); err != nil {
		return fmt.Errorf("echo check: reading: %v", err)
	}
	if err := <-werr; err != nil {
		return fmt.Errorf("echo check: writing: %v", err)
	}
	if !bytes.Equal(got, data) {
		i := 0
		for i < total && got[i] == data[i] {
			i++
		}
		return fmt.Errorf("echo check: bytes differ from offset %d", i)
	}
	// A clean close: our close_notify must be answered by the server's.
	if err := c.CloseWrite(); err != nil {
		return err
	}
	if n, err := io.Copy(io.Discard, c); err != nil || n != 0 {
		return fmt.Errorf("echo check: after close_notify: %d extra bytes, %v (want the server's close_notify)", n, err)
	}
	return nil
}
