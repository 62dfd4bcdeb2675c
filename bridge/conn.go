package bridge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/nodetls/nodetls/ossl"
)

// ErrUnexpectedEOF is returned when the transport ends before the
// handshake completes or in the middle of a record.
var ErrUnexpectedEOF = io.ErrUnexpectedEOF

// errWriteClosed is the sticky write error after CloseWrite.
var errWriteClosed = errors.New("bridge: write after CloseWrite")

const (
	recordSize = 16384
	// stepPlain bounds the plaintext one cgo call encrypts or decrypts:
	// about 8 µs of AES-GCM here. A goroutine that spends more than one
	// sysmon period (20 µs) in a cgo call loses its P, and with
	// GOMAXPROCS=1 every such loss wakes another thread; short calls keep
	// the scheduler quiet, while network reads and writes still move
	// ioRecords records at a time.
	stepPlain = 2 * recordSize
	// ioRecords full records move in one network read or write: 256 KiB
	// a system call (the per-call costs, not the copies, dominate bulk
	// transfers; 256 KiB measured a few per cent under 128 KiB).
	ioRecords = 16
	// outSize holds the ciphertext of ioRecords records (record overhead
	// is far below 512 bytes a record) or a whole handshake flight.
	outSize = ioRecords * (recordSize + 512)
	// inSize is one network read. A waiting connection holds no such
	// buffer (see readRaw).
	inSize = ioRecords*recordSize + 1024
	// smallSize is one record and its overhead.
	smallSize = recordSize + 1024
)

// putIn returns a network read buffer to its pool.
func putIn(bp *[]byte) {
	if len(*bp) == smallSize {
		smallPool.Put(bp)
	} else {
		inPool.Put(bp)
	}
}

var (
	inPool  = sync.Pool{New: func() any { b := make([]byte, inSize); return &b }}
	outPool = sync.Pool{New: func() any { b := make([]byte, outSize); return &b }}
	// Handshakes, alerts, tickets and close_notify move a few KiB: they
	// use record-sized buffers, so a connection that only handshakes never
	// touches (or, after a collection emptied the pools, zeroes) the large
	// ones. The drain loops carry anything bigger.
	smallPool = sync.Pool{New: func() any { b := make([]byte, smallSize); return &b }}
)

// Hooks are the Go functions a handshake may need. They run on the
// goroutine driving the handshake, outside any C call and any lock but
// handshakeMu, inMu and outMu.
type Hooks struct {
	// CertCallback runs when OpenSSL paused the handshake in the
	// certificate callback (SSL_ERROR_WANT_X509_LOOKUP); the handshake
	// resumes when it returns nil and fails with its error otherwise.
	CertCallback func() error

	// ClientHello runs when OpenSSL paused the handshake in the ClientHello
	// callback (SSL_ERROR_WANT_CLIENT_HELLO_CB); the handshake resumes
	// when it returns nil and fails with its error otherwise.
	ClientHello func() error

	// HandshakeDone runs when OpenSSL has completed the handshake, before
	// the last flight it produced is sent. An error fails the handshake
	// and that flight is never sent (a server rejecting a client
	// certificate, as Node's server destroys the socket at that point).
	HandshakeDone func() error

	// NewSession receives, in DER, each new session a client's step
	// produced (Node's 'session' event), on the goroutine of that step,
	// outside any lock of the engine.
	NewSession func(der []byte)

	// HandshakeStart runs after a step in which a handshake started (the
	// first one, then each renegotiation), on the goroutine of that step.
	// An error ends the connection: it is returned by that Read or Write
	// and by every later one.
	HandshakeStart func() error
}

// A Conn drives one ossl.SSL over one net.Conn. Read and Write may run
// concurrently with each other; Close may be called from any goroutine.
type Conn struct {
	nc  net.Conn
	raw syscall.RawConn // nc's, when it is a socket

	// State of one readRaw; guarded by inMu (or handshakeMu's inMu).
	rawRead     func(fd uintptr) bool // c.rawReadFn, made once
	rawBuf      *[]byte
	rawN        int
	rawErr      error
	rawReleased bool

	// State of one writeRaw; guarded by outMu.
	rawWrite func(fd uintptr) bool // c.rawWriteFn, made once
	wrawBuf  []byte
	wrawN    int
	wrawErr  error
	closing  bool // Close is sending close_notify; guarded by outMu
	ssl      *ossl.SSL
	hooks    Hooks

	handshakeMu   sync.Mutex  // one handshake at a time; taken before inMu
	handshakeDone atomic.Bool // fast path for Read and Write
	handshakeErr  error       // sticky; guarded by handshakeMu

	inMu sync.Mutex // one reader feeds the read BIO
	rerr error      // sticky read error; guarded by inMu

	outMu sync.Mutex // one writer drains the write BIO, in order
	werr  error      // sticky write error; guarded by outMu

	hsStarts int   // handshake starts seen; guarded by sslMu
	hsErr    error // a HandshakeStart hook's verdict; guarded by sslMu

	sslMu sync.Mutex // guards ssl; held only for one Step
	freed bool       // ssl was freed; guarded by sslMu

	stash []byte // plaintext read while renegotiating, for the next Read; guarded by inMu

	needFlush    atomic.Bool // the write BIO holds output a reader produced
	closed       atomic.Bool
	bytesWritten atomic.Int64
	readNotify   chan struct{} // closed and replaced after a feed while writerWaits; guarded by sslMu
	writerWaits  bool          // a writer waits on readNotify; guarded by sslMu
	feeds        atomic.Uint64 // steps that fed input or read; changed under sslMu
	waiting      atomic.Bool   // writerWaits, for unlockIn; changed under sslMu
}

// New returns a Conn that owns ssl (Close frees it) and drives it over nc.
// The handshake runs on the first Handshake, Read or Write.
func New(nc net.Conn, ssl *ossl.SSL, hooks Hooks) *Conn {
	c := &Conn{nc: nc, ssl: ssl, hooks: hooks, readNotify: make(chan struct{})}
	// Sockets are read through their RawConn (see readRaw); other
	// transports (pipes, wrappers) through Read.
	switch nc.(type) {
	case *net.TCPConn, *net.UnixConn:
		if rc, err := nc.(syscall.Conn).SyscallConn(); err == nil {
			c.raw = rc
			c.rawRead = c.rawReadFn
			c.rawWrite = c.rawWriteFn
		}
	}
	return c
}

// NetConn returns the wrapped connection.
func (c *Conn) NetConn() net.Conn { return c.nc }

// BytesWritten returns the ciphertext bytes written to the transport.
func (c *Conn) BytesWritten() int64 { return c.bytesWritten.Load() }

// HandshakeComplete reports whether the first handshake finished.
func (c *Conn) HandshakeComplete() bool { return c.handshakeDone.Load() }

// WithSSL runs f with the SSL while no Step runs, for accessors. It
// returns false (and does not call f) once the Conn is closed.
func (c *Conn) WithSSL(f func(*ossl.SSL)) bool {
	c.sslMu.Lock()
	defer c.sslMu.Unlock()
	if c.freed {
		return false
	}
	f(c.ssl)
	return true
}

// step runs one Step under sslMu. in is consumed (fed) even on failure.
func (c *Conn) step(op ossl.Op, in, buf, out []byte) (ossl.StepResult, error) {
	r, sessions, err := c.stepLocked(op, in, buf, out)
	// User code runs with no lock of ours held: it may call accessors.
	for _, der := range sessions {
		c.hooks.NewSession(der)
	}
	return r, err
}

func (c *Conn) stepLocked(op ossl.Op, in, buf, out []byte) (ossl.StepResult, [][]byte, error) {
	c.sslMu.Lock()
	defer c.sslMu.Unlock()
	if c.freed {
		return ossl.StepResult{}, nil, net.ErrClosed
	}
	r := c.ssl.Step(op, in, buf, out)
	var sessions [][]byte
	if r.NewSessions > 0 && c.hooks.NewSession != nil {
		sessions = c.ssl.TakeSessions()
	}
	if r.HandshakeStarts > c.hsStarts && c.hooks.HandshakeStart != nil {
		// The hook is Go policy that takes no lock of ours; it runs
		// after the step, still under sslMu so starts are counted once.
		for ; c.hsStarts < r.HandshakeStarts; c.hsStarts++ {
			if err := c.hooks.HandshakeStart(); err != nil && c.hsErr == nil {
				c.hsErr = err
			}
		}
	}
	c.hsStarts = r.HandshakeStarts
	if c.hsErr != nil {
		return r, sessions, c.hsErr
	}
	if len(in) > 0 || op == ossl.OpRead || op == ossl.OpReadPartial {
		// Input fed, or records OpenSSL held processed: either may be
		// what a waiter needs.
		c.feeds.Add(1)
		c.wakeLocked()
	}
	return r, sessions, nil
}

// notifyWaiter wakes a writer or Renegotiate waiting on readNotify.
func (c *Conn) notifyWaiter() {
	c.sslMu.Lock()
	c.wakeLocked()
	c.sslMu.Unlock()
}

// wakeLocked wakes the goroutines waiting on readNotify, if any; the
// caller holds sslMu.
func (c *Conn) wakeLocked() {
	if c.writerWaits {
		c.writerWaits = false
		c.waiting.Store(false)
		close(c.readNotify)
		c.readNotify = make(chan struct{})
	}
}

// unlockIn releases inMu and wakes the goroutines that waited for its
// holder to feed something: it may have left without feeding (data that
// was already decrypted, an error), and they can now read for themselves.
func (c *Conn) unlockIn() {
	c.inMu.Unlock()
	if c.waiting.Load() {
		c.notifyWaiter()
	}
}

// writeOut writes ciphertext to the transport; the caller holds outMu.
func (c *Conn) writeOut(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	var n int
	var err error
	if c.closing {
		// Close's close_notify: write what the socket takes now, and only
		// then wait, within closeNotifyTimeout (whatever deadline the
		// caller had set).
		c.raw.Control(func(fd uintptr) {
			c.wrawBuf, c.wrawN, c.wrawErr = b, 0, nil
			c.rawWriteFn(fd)
			n, err = c.wrawN, c.wrawErr
			c.wrawBuf = nil
		})
		if err == nil && n < len(b) {
			c.nc.SetWriteDeadline(time.Now().Add(closeNotifyTimeout))
			var m int
			m, err = c.writeRaw(b[n:])
			n += m
		} else if err != nil {
			err = c.netOpError("write", os.NewSyscallError("write", err))
		}
	} else if c.raw != nil {
		n, err = c.writeRaw(b)
	} else {
		n, err = c.nc.Write(b)
	}
	c.bytesWritten.Add(int64(n))
	if err != nil {
		c.werr = err // permanent: part of a record may have left
		return c.werr
	}
	return nil
}

// writeRaw writes all of b to a socket through its RawConn, waiting for
// room as net.Conn.Write does; the caller holds outMu, which guards the
// wraw* fields.
func (c *Conn) writeRaw(b []byte) (int, error) {
	c.wrawBuf, c.wrawN, c.wrawErr = b, 0, nil
	err := c.raw.Write(c.rawWrite)
	n, werr := c.wrawN, c.wrawErr
	c.wrawBuf = nil
	if err == nil && werr != nil {
		err = os.NewSyscallError("write", werr)
	}
	if err != nil {
		return n, c.netOpError("write", err)
	}
	return n, nil
}

// rawWriteFn is the RawConn.Write callback of writeRaw; its sends never
// wait (see rawSend).
func (c *Conn) rawWriteFn(fd uintptr) bool {
	for c.wrawN < len(c.wrawBuf) {
		n, errno := rawSend(fd, c.wrawBuf[c.wrawN:])
		switch errno {
		case 0:
			c.wrawN += n
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false // wait until writable
		default:
			c.wrawErr = errno
			return true
		}
	}
	return true
}

// rawRecv and rawSend read and write a socket without telling the
// scheduler (syscall.RawSyscall6), with MSG_DONTWAIT so that they never
// block, even if something switched the descriptor to blocking mode. A
// large one still takes tens of microseconds, and a goroutine in an
// ordinary system call that long loses its P: with GOMAXPROCS=1 the
// runtime then wakes another thread to run the P and sysmon keeps polling
// every 20 µs, which cost a busy connection a fifth of its CPU time in
// context switches. The buffers are Go heap memory (pooled), which does
// not move.
// rawRecv and rawSend bypass the race detector's view of memory, so they
// report what the kernel wrote or read (nothing outside race builds).
func rawRecv(fd uintptr, p []byte) (int, syscall.Errno) {
	r, _, errno := syscall.RawSyscall6(syscall.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(unsafe.SliceData(p))),
		uintptr(len(p)), syscall.MSG_DONTWAIT, 0, 0)
	if errno == 0 && int(r) > 0 {
		raceWritten(p[:r])
	}
	return int(r), errno
}

func rawSend(fd uintptr, p []byte) (int, syscall.Errno) {
	r, _, errno := syscall.RawSyscall6(syscall.SYS_SENDTO, fd, uintptr(unsafe.Pointer(unsafe.SliceData(p))),
		uintptr(len(p)), syscall.MSG_DONTWAIT|syscall.MSG_NOSIGNAL, 0, 0)
	if errno == 0 && int(r) > 0 {
		raceRead(p[:r])
	}
	return int(r), errno
}

// netOpError wraps err as net.Conn's methods do. A RawConn failure is
// already a *net.OpError ("raw-read"): its cause is used instead.
func (c *Conn) netOpError(op string, err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) {
		err = oe.Err
	}
	return &net.OpError{Op: op, Net: c.nc.LocalAddr().Network(), Source: c.nc.LocalAddr(), Addr: c.nc.RemoteAddr(), Err: err}
}

// drain writes out[:r.Out] and whatever the write BIO still holds; the
// caller holds outMu.
func (c *Conn) drain(r ossl.StepResult, out []byte) error {
	if err := c.writeOut(out[:r.Out]); err != nil {
		return err
	}
	for r.OutPending > 0 {
		var err error
		if r, err = c.step(ossl.OpNone, nil, nil, out); err != nil {
			return err
		}
		if err := c.writeOut(out[:r.Out]); err != nil {
			return err
		}
	}
	return nil
}

// flushPending writes output a reader left in the write BIO, unless a
// writer holds outMu: that writer flushes it as it leaves.
func (c *Conn) flushPending() {
	for c.needFlush.Load() {
		if !c.outMu.TryLock() {
			return
		}
		c.needFlush.Store(false)
		if c.werr == nil {
			bp := smallPool.Get().(*[]byte)
			if r, err := c.step(ossl.OpNone, nil, nil, *bp); err == nil {
				c.drain(r, *bp) // a failure is kept in werr
			}
			smallPool.Put(bp)
		}
		c.outMu.Unlock()
	}
}

// readNet reads ciphertext from the transport into a pooled buffer. The
// caller feeds it with the next step and then returns it to the pool.
func (c *Conn) readNet() (*[]byte, int, error) {
	if c.raw != nil {
		return c.readRaw()
	}
	bp := c.getIn()
	n, err := c.nc.Read(*bp)
	if n > 0 {
		return bp, n, nil // a transport error with data shows up on the next read
	}
	putIn(bp)
	if err == nil {
		err = io.ErrNoProgress
	}
	return nil, 0, err
}

// readRaw reads from a socket through its RawConn, so that a connection
// waiting for data holds no buffer at all: the pooled buffer is taken only
// when the socket is readable. The first time a read would block, the
// connection is idle and OpenSSL's record buffers are released too.
func (c *Conn) readRaw() (*[]byte, int, error) {
	c.rawBuf, c.rawN, c.rawErr, c.rawReleased = nil, 0, nil, false
	err := c.raw.Read(c.rawRead)
	bp, n, rerr := c.rawBuf, c.rawN, c.rawErr
	c.rawBuf = nil
	if err == nil && rerr != nil {
		err = os.NewSyscallError("read", rerr)
	}
	if err == nil && n <= 0 {
		err = io.EOF
	}
	if err != nil {
		if bp != nil {
			putIn(bp)
		}
		if err == io.EOF {
			return nil, 0, err
		}
		return nil, 0, c.netOpError("read", err)
	}
	return bp, n, nil
}

// getIn takes a network read buffer: record-sized during the handshake,
// large afterwards.
func (c *Conn) getIn() *[]byte {
	if c.handshakeDone.Load() {
		return inPool.Get().(*[]byte)
	}
	return smallPool.Get().(*[]byte)
}

// rawReadFn is the RawConn.Read callback of readRaw; the caller holds
// inMu, which guards the raw* fields it fills.
func (c *Conn) rawReadFn(fd uintptr) bool {
	bp := c.getIn()
	var n int
	var err error
	for {
		var errno syscall.Errno
		n, errno = rawRecv(fd, *bp)
		if errno == 0 {
			break
		}
		if n, err = 0, errno; errno != syscall.EINTR {
			break
		}
	}
	if err == syscall.EAGAIN {
		putIn(bp)
		if !c.rawReleased && c.handshakeDone.Load() {
			// Idle after the handshake: give back OpenSSL's record
			// buffers too. During the handshake they are needed again
			// at once.
			c.rawReleased = true
			c.releaseBuffers()
		}
		return false // wait until readable, holding nothing
	}
	c.rawBuf, c.rawN, c.rawErr = bp, n, err
	return true
}

// releaseBuffers frees OpenSSL's record buffers while the connection waits.
func (c *Conn) releaseBuffers() {
	c.sslMu.Lock()
	defer c.sslMu.Unlock()
	if !c.freed {
		c.ssl.FreeBuffers()
	}
}

// Handshake runs the first handshake if it has not run yet and returns
// its result. Cancelling ctx closes the transport.
func (c *Conn) Handshake(ctx context.Context) error {
	if c.handshakeDone.Load() {
		return nil
	}
	c.handshakeMu.Lock()
	defer c.handshakeMu.Unlock()
	if c.handshakeDone.Load() || c.handshakeErr != nil {
		return c.handshakeErr
	}
	var stop func() bool
	if ctx.Done() != nil {
		stop = context.AfterFunc(ctx, func() { c.nc.Close() })
	}
	c.inMu.Lock()
	defer c.inMu.Unlock()
	c.outMu.Lock()
	defer c.outMu.Unlock()
	c.handshakeErr = c.handshake()
	if stop != nil && !stop() && c.handshakeErr != nil {
		// The context closed the transport: say why.
		c.handshakeErr = errors.Join(ctx.Err(), c.handshakeErr)
	}
	if c.handshakeErr == nil {
		c.handshakeDone.Store(true)
	}
	return c.handshakeErr
}

// handshake pumps SSL_do_handshake; the caller holds inMu and outMu.
func (c *Conn) handshake() error {
	bp := smallPool.Get().(*[]byte)
	defer smallPool.Put(bp)
	out := *bp
	var in *[]byte
	var inN int
	for {
		var feed []byte
		if in != nil {
			feed = (*in)[:inN]
		}
		r, err := c.step(ossl.OpHandshake, feed, nil, out)
		if in != nil {
			putIn(in)
			in = nil
		}
		if err != nil {
			return err
		}
		if r.SSLError == ossl.ErrorNone && r.InitFinished && c.hooks.HandshakeDone != nil {
			if err := c.hooks.HandshakeDone(); err != nil {
				return err
			}
		}
		// Flush first: a failed handshake still owes the peer its alert.
		if werr := c.drain(r, out); werr != nil && r.Err == nil {
			return werr
		}
		switch r.SSLError {
		case ossl.ErrorNone:
			if r.InitFinished {
				return nil
			}
		case ossl.ErrorWantRead:
			var rerr error
			in, inN, rerr = c.readNet()
			if rerr != nil {
				if errors.Is(rerr, io.EOF) {
					return ErrUnexpectedEOF
				}
				return rerr
			}
		case ossl.ErrorX509Lookup:
			if c.hooks.CertCallback == nil {
				return errors.New("bridge: handshake paused in the certificate callback without a hook")
			}
			if err := c.hooks.CertCallback(); err != nil {
				return err
			}
		case ossl.ErrorClientHello:
			if c.hooks.ClientHello == nil {
				return errors.New("bridge: handshake paused in the ClientHello callback without a hook")
			}
			if err := c.hooks.ClientHello(); err != nil {
				return err
			}
		case ossl.ErrorZeroReturn:
			return ErrUnexpectedEOF
		default:
			if r.Err != nil {
				return r.Err
			}
			return fmt.Errorf("bridge: handshake failed (SSL_get_error %d)", r.SSLError)
		}
	}
}

// Read reads plaintext, running the handshake first if needed.
func (c *Conn) Read(p []byte) (int, error) {
	if err := c.Handshake(context.Background()); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	c.inMu.Lock()
	defer c.unlockIn()
	if len(c.stash) > 0 {
		n := copy(p, c.stash)
		c.stash = c.stash[n:]
		if len(c.stash) == 0 {
			c.stash = nil
		}
		c.notifyWaiter() // a Renegotiate may wait for room in the stash
		return n, nil
	}
	if c.rerr != nil {
		return 0, c.rerr
	}
	var in *[]byte
	var inOff, inN, done int
	defer func() {
		if in == nil {
			return
		}
		if inOff < inN {
			// Read is full: the read BIO keeps the rest (a copy of a
			// part of one network read) for the next reader.
			c.step(ossl.OpNone, (*in)[inOff:inN], nil, nil)
		}
		putIn(in)
	}()
	for {
		var feed []byte
		if in != nil {
			feed = (*in)[inOff:inN]
		}
		// One step decrypts at most stepPlain bytes (see stepPlain).
		room := p[done:]
		if len(room) > stepPlain {
			room = room[:stepPlain]
		}
		r, err := c.step(ossl.OpReadPartial, feed, room, nil)
		inOff += r.Consumed
		if err != nil {
			return done, err
		}
		if r.OutPending > 0 {
			c.needFlush.Store(true)
			c.flushPending()
		}
		if r.Done > 0 {
			done += r.Done
			c.noteReadError(r)
			if r.Done == len(room) && done < len(p) && c.rerr == nil {
				continue // more may be buffered: keep filling p
			}
			return done, nil
		}
		if done > 0 {
			// Nothing more without waiting (or an error that the next
			// Read reports): return what is there.
			c.noteReadError(r)
			return done, nil
		}
		switch r.SSLError {
		case ossl.ErrorWantRead:
			// The step took all of in.
			if in != nil {
				putIn(in)
				in = nil
			}
			var rerr error
			in, inN, rerr = c.readNet()
			inOff = 0
			if rerr != nil {
				if errors.Is(rerr, io.EOF) {
					if r.HasPending {
						c.rerr = ErrUnexpectedEOF
					} else {
						c.rerr = io.EOF
					}
					return 0, c.rerr
				}
				if isTimeout(rerr) {
					return 0, rerr // retryable: no ciphertext was consumed
				}
				c.rerr = rerr
				return 0, c.rerr
			}
		case ossl.ErrorNone:
			// A record without application data (a ticket, a KeyUpdate).
		default:
			c.noteReadError(r)
			if c.rerr == nil {
				c.rerr = fmt.Errorf("bridge: read failed (SSL_get_error %d)", r.SSLError)
			}
			return 0, c.rerr
		}
	}
}

// noteReadError keeps a terminal read result sticky; the caller holds inMu.
func (c *Conn) noteReadError(r ossl.StepResult) {
	switch r.SSLError {
	case ossl.ErrorZeroReturn:
		c.rerr = io.EOF
	case ossl.ErrorSSL, ossl.ErrorSyscall:
		if r.Err != nil {
			c.rerr = r.Err
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// Write encrypts and sends p, running the handshake first if needed.
func (c *Conn) Write(p []byte) (int, error) {
	if err := c.Handshake(context.Background()); err != nil {
		return 0, err
	}
	c.outMu.Lock()
	n, err := c.write(p)
	c.outMu.Unlock()
	c.flushPending()
	return n, err
}

func (c *Conn) write(p []byte) (int, error) {
	if c.werr != nil {
		return 0, c.werr
	}
	// A write of one record or less takes a record-sized buffer: a writer
	// that waits for a slow peer holds it all the while.
	pool := &outPool
	if len(p) <= recordSize {
		pool = &smallPool
	}
	bp := pool.Get().(*[]byte)
	defer pool.Put(bp)
	out := *bp
	// total counts plaintext taken by OpenSSL; unsent, the part of it
	// whose records still wait in out[:off]. On a failure Write reports
	// only what left in full.
	total, unsent, off := 0, 0, 0
	for len(p) > 0 {
		// One step encrypts at most stepPlain bytes (see stepPlain); the
		// ciphertext of several steps leaves in one network write.
		chunk := p[:min(len(p), stepPlain)]
		if off > 0 && len(out)-off < len(chunk)+recordRoom(len(chunk)) {
			if err := c.writeOut(out[:off]); err != nil {
				return total - unsent, err
			}
			unsent, off = 0, 0
		}
		c.needFlush.Store(false) // this step drains what a reader left
		since := c.feeds.Load()
		r, err := c.step(ossl.OpWrite, nil, chunk, out[off:])
		if err != nil {
			return total - unsent, err
		}
		off += r.Out
		if r.OutPending > 0 || r.SSLError != ossl.ErrorNone {
			// out is full, or the step failed or waits: send everything
			// first (a failed step still owes the peer its alert).
			r.Out = off
			off = 0
			if err := c.drain(r, out); err != nil {
				return total - unsent, err
			}
			unsent = 0
		} else {
			unsent += r.Done
		}
		switch r.SSLError {
		case ossl.ErrorNone:
			total += r.Done
			p = p[r.Done:]
		case ossl.ErrorWantRead:
			// A renegotiation needs the peer's reply before more data
			// can go: wait for the reader, or read ourselves.
			if err := c.waitForRead(since); err != nil {
				return total, err
			}
		default:
			if r.Err != nil {
				c.werr = r.Err
			} else {
				c.werr = fmt.Errorf("bridge: write failed (SSL_get_error %d)", r.SSLError)
			}
			return total, c.werr
		}
	}
	if err := c.writeOut(out[:off]); err != nil {
		return total - unsent, err
	}
	return total, nil
}

// recordRoom bounds the record overhead of n plaintext bytes.
func recordRoom(n int) int { return (n/recordSize + 1) * 512 }

// waitForRead lets a writer that OpenSSL asked for peer data continue:
// when no reader is active the writer moves the handshake along itself
// (renegRead, keeping application data for Read); otherwise it waits until
// the active reader has fed something after since (a feeds count taken
// before the writer's step).
func (c *Conn) waitForRead(since uint64) error {
	if c.inMu.TryLock() {
		// No stash bound here: this goroutine holds outMu, and waiting
		// for a Read could wait forever in a program that reads only
		// after its Write returns.
		err := c.renegRead(true)
		c.unlockIn()
		return err
	}
	if ch, wait := c.waiter(since, nil, false); wait {
		<-ch
	}
	return nil
}

// waiter registers a goroutine that waits for the goroutine holding inMu
// to feed something (or to take from the stash, or to leave: unlockIn) and
// returns the channel to wait on. It returns wait false, registering
// nothing, when something was fed after since, when still (run under
// sslMu) reports there is nothing left to wait for, when inMu is free
// (unless the caller holds it, holdsIn), or when the Conn is closed.
func (c *Conn) waiter(since uint64, still func() bool, holdsIn bool) (chan struct{}, bool) {
	c.sslMu.Lock()
	defer c.sslMu.Unlock()
	if c.freed || c.feeds.Load() != since || (still != nil && !still()) {
		return nil, false
	}
	// Announce the waiter before looking at inMu: a holder that leaves
	// after the look sees the announcement in unlockIn.
	c.writerWaits = true
	c.waiting.Store(true)
	if !holdsIn && c.inMu.TryLock() {
		c.inMu.Unlock() // the holder left: read instead of waiting
		return nil, false
	}
	return c.readNotify, true
}

// CloseWrite sends close_notify and half-closes the transport where it
// can (TCP, Unix sockets); reading goes on until the peer closes.
func (c *Conn) CloseWrite() error {
	if !c.handshakeDone.Load() {
		return errors.New("bridge: CloseWrite before the handshake")
	}
	c.outMu.Lock()
	defer c.outMu.Unlock()
	if c.werr != nil {
		if c.werr == errWriteClosed {
			return nil
		}
		return c.werr
	}
	err := c.shutdown()
	c.werr = errWriteClosed
	if err != nil {
		return err
	}
	if cw, ok := c.nc.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// shutdown queues and sends close_notify; the caller holds outMu.
func (c *Conn) shutdown() error {
	bp := smallPool.Get().(*[]byte)
	defer smallPool.Put(bp)
	r, err := c.step(ossl.OpShutdown, nil, nil, *bp)
	if err != nil {
		return err
	}
	return c.drain(r, *bp)
}

// closeNotifyTimeout bounds the close_notify that Close sends.
const closeNotifyTimeout = 5 * time.Second

// Close sends close_notify when the handshake is complete and the write
// side still works (waiting at most 5 s for room), closes the
// transport and frees the SSL. Later calls return net.ErrClosed.
func (c *Conn) Close() error {
	if c.closed.Swap(true) {
		return net.ErrClosed
	}
	var alertErr error
	if c.handshakeDone.Load() {
		// A writer blocked on the network holds outMu: the deadline frees
		// it. Without one, writeOut tries the alert without waiting and
		// sets the deadline only if it must wait (a timer change per
		// connection wakes the network poller's thread).
		if c.raw == nil || !c.outMu.TryLock() {
			c.nc.SetWriteDeadline(time.Now().Add(closeNotifyTimeout))
			c.outMu.Lock()
		}
		if c.werr == nil {
			c.closing = c.raw != nil
			alertErr = c.shutdown()
			c.closing = false
			c.werr = net.ErrClosed
		}
		c.outMu.Unlock()
	}
	err := c.nc.Close()
	c.sslMu.Lock()
	c.freed = true
	c.ssl.Free()
	close(c.readNotify) // release a writer waiting for a reader
	c.readNotify = make(chan struct{})
	c.sslMu.Unlock()
	if err == nil && alertErr != nil && !errors.Is(alertErr, net.ErrClosed) {
		err = alertErr
	}
	return err
}

// Renegotiate runs a renegotiation (TLS 1.2) and returns once it is done.
// The peer's messages are processed by whoever reads: an active Read, or
// Renegotiate itself when none is, keeping any application data for the
// next Read, up to stashLimit. Cancelling ctx closes the transport.
func (c *Conn) Renegotiate(ctx context.Context) error {
	if !c.handshakeDone.Load() {
		return errors.New("bridge: renegotiation before the handshake")
	}
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() { c.nc.Close() })
		defer stop()
	}
	c.sslMu.Lock()
	var err error
	if c.freed {
		err = net.ErrClosed
	} else {
		err = c.ssl.Renegotiate()
	}
	c.sslMu.Unlock()
	if err != nil {
		return err
	}
	// Send the first message (HelloRequest or ClientHello).
	c.outMu.Lock()
	if c.werr != nil {
		err = c.werr
	} else {
		bp := smallPool.Get().(*[]byte)
		var r ossl.StepResult
		if r, err = c.step(ossl.OpHandshake, nil, nil, *bp); err == nil {
			err = c.drain(r, *bp)
			if err == nil && r.Err != nil {
				err = r.Err
			}
		}
		smallPool.Put(bp)
	}
	c.outMu.Unlock()
	// A reader may have left output while this held outMu: send it, or
	// the peer waits for it while the reader waits for the peer.
	c.flushPending()
	if err != nil {
		return err
	}
	for {
		pending := true
		since := c.feeds.Load()
		if !c.WithSSL(func(s *ossl.SSL) { pending = s.RenegotiatePending() }) {
			return net.ErrClosed
		}
		if !pending {
			return ctx.Err()
		}
		stillPending := func() bool { return c.ssl.RenegotiatePending() }
		var ch chan struct{}
		wait := false
		if c.inMu.TryLock() {
			if len(c.stash) < stashLimit {
				err := c.renegRead(false)
				c.unlockIn()
				if err != nil {
					return err
				}
				continue
			}
			// The stash is full: wait for a Read to take from it (or
			// to feed), registered before a Read can get in.
			ch, wait = c.waiter(since, stillPending, true)
			c.inMu.Unlock()
		} else {
			// A reader is active: wait until it has fed something.
			ch, wait = c.waiter(since, stillPending, false)
		}
		if !wait {
			continue
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// stashLimit bounds the application data Renegotiate keeps for Read while
// it reads for itself. Past it, Renegotiate stops reading until a Read
// takes some: the peer's writes then back up in TCP, as a Node stream
// stops reading past its highWaterMark.
const stashLimit = 256 << 10

// renegRead moves a renegotiation along for a goroutine that has no
// reader to wait for (Renegotiate, or a writer that OpenSSL asked for the
// peer's messages); the caller holds inMu, and outMu when holdsOut. It
// first processes what OpenSSL already holds (a Read whose buffer filled
// may have left application data in front of the peer's handshake
// messages), then, if the renegotiation still waits for the peer, reads
// the network once. Application data goes to the stash for Read. A caller
// that holds outMu (a writer) gets back output it must send before anything
// else can happen, and otherwise always reads: its own step asked for
// input.
func (c *Conn) renegRead(holdsOut bool) error {
	if c.rerr != nil {
		return c.rerr
	}
	buf := make([]byte, 16384)
	if err := c.renegSteps(nil, buf); err != nil {
		return err
	}
	if holdsOut {
		if c.needFlush.Load() {
			return nil // the caller sends it: the peer may be waiting for it
		}
		// The writer's step wanted input and nothing buffered gave it
		// any: read.
	} else {
		pending := true
		if !c.WithSSL(func(s *ossl.SSL) { pending = s.RenegotiatePending() }) {
			return net.ErrClosed
		}
		if !pending {
			return nil
		}
	}
	in, n, err := c.readNet()
	if err != nil {
		if errors.Is(err, io.EOF) {
			c.rerr = ErrUnexpectedEOF
			return c.rerr
		}
		return err
	}
	err = c.renegSteps((*in)[:n], buf)
	putIn(in)
	return err
}

// renegSteps feeds in and reads until OpenSSL wants more, keeping
// application data in the stash and flushing output when no writer is
// active (else the writer sends it as it leaves).
func (c *Conn) renegSteps(in, buf []byte) error {
	for {
		r, err := c.step(ossl.OpRead, in, buf, nil)
		in = nil
		if err != nil {
			return err
		}
		if r.OutPending > 0 {
			c.needFlush.Store(true)
			c.flushPending()
		}
		if r.Done > 0 {
			c.stash = append(c.stash, buf[:r.Done]...)
			continue
		}
		switch r.SSLError {
		case ossl.ErrorWantRead, ossl.ErrorNone:
			return nil
		}
		c.noteReadError(r)
		if c.rerr == nil {
			c.rerr = fmt.Errorf("bridge: read failed (SSL_get_error %d)", r.SSLError)
		}
		return c.rerr
	}
}

// Release frees the SSL without touching the transport, for a caller that
// hands the transport back (a failed handshake on a borrowed connection).
func (c *Conn) Release() {
	if c.closed.Swap(true) {
		return
	}
	c.sslMu.Lock()
	c.freed = true
	c.ssl.Free()
	close(c.readNotify)
	c.readNotify = make(chan struct{})
	c.sslMu.Unlock()
}

// Abort closes the transport and frees the SSL without sending
// close_notify, as Node's destroy() does.
func (c *Conn) Abort() error {
	c.outMu.Lock()
	if c.werr == nil {
		c.werr = net.ErrClosed
	}
	c.outMu.Unlock()
	return c.Close()
}

// Closed reports whether Close was called.
func (c *Conn) Closed() bool { return c.closed.Load() }

// LocalAddr, RemoteAddr and the deadline setters pass through to the
// transport.
func (c *Conn) LocalAddr() net.Addr                { return c.nc.LocalAddr() }
func (c *Conn) RemoteAddr() net.Addr               { return c.nc.RemoteAddr() }
func (c *Conn) SetDeadline(t time.Time) error      { return c.nc.SetDeadline(t) }
func (c *Conn) SetReadDeadline(t time.Time) error  { return c.nc.SetReadDeadline(t) }
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.nc.SetWriteDeadline(t) }
