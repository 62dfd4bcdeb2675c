package ossl

/*
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"encoding/binary"
	"runtime"
	"unsafe"
)

// Op selects what one Step does after feeding ciphertext.
type Op int

// The operations of Step.
const (
	OpNone      Op = C.OSSL_OP_NONE // feed and drain only
	OpHandshake Op = C.OSSL_OP_HANDSHAKE
	OpRead      Op = C.OSSL_OP_READ
	OpWrite     Op = C.OSSL_OP_WRITE
	OpShutdown  Op = C.OSSL_OP_SHUTDOWN
	// OpReadPartial is OpRead for a caller that keeps the input the step
	// did not consume (StepResult.Consumed says how much it took) and
	// passes the rest to its next step, saving the read BIO a copy.
	OpReadPartial Op = C.OSSL_OP_READ_PARTIAL
)

// The SSL_get_error results Step reports.
const (
	ErrorNone        = int(C.SSL_ERROR_NONE)
	ErrorSSL         = int(C.SSL_ERROR_SSL)
	ErrorWantRead    = int(C.SSL_ERROR_WANT_READ)
	ErrorWantWrite   = int(C.SSL_ERROR_WANT_WRITE)
	ErrorX509Lookup  = int(C.SSL_ERROR_WANT_X509_LOOKUP)
	ErrorSyscall     = int(C.SSL_ERROR_SYSCALL)
	ErrorZeroReturn  = int(C.SSL_ERROR_ZERO_RETURN)
	ErrorClientHello = int(C.SSL_ERROR_WANT_CLIENT_HELLO_CB)
)

// SSL_get_shutdown bits.
const (
	SentShutdown     = int(C.SSL_SENT_SHUTDOWN)
	ReceivedShutdown = int(C.SSL_RECEIVED_SHUTDOWN)
)

// Verify modes for SetVerify.
const (
	VerifyNone             = int(C.SSL_VERIFY_NONE)
	VerifyPeer             = int(C.SSL_VERIFY_PEER)
	VerifyFailIfNoPeerCert = int(C.SSL_VERIFY_FAIL_IF_NO_PEER_CERT)
)

// A StepResult reports one Step.
type StepResult struct {
	SSLError     int    // SSL_get_error of the operation; ErrorNone on success
	Done         int    // plaintext bytes read or written
	Consumed     int    // bytes of the step's input the read BIO took
	Out          int    // ciphertext bytes drained into the out buffer
	OutPending   int    // ciphertext still waiting in the write BIO
	InitFinished bool   // the handshake is complete
	Shutdown     int    // SentShutdown | ReceivedShutdown
	HasPending   bool   // buffered ciphertext that is not yet a whole record
	Err          *Error // the error queue when SSLError is ErrorSSL or ErrorSyscall
	// HandshakeStarts counts the handshakes started on this SSL so far,
	// renegotiations included (SSL_CB_HANDSHAKE_START).
	HandshakeStarts int
	// NewSessions counts the client sessions kept for TakeSessions.
	NewSessions int
}

// An SSL owns one SSL object and its in-memory pipe BIO. It is not safe for
// concurrent use.
type SSL struct {
	p       *C.SSL
	ctx     *Ctx // keeps the context's Go state reachable while the SSL lives
	ctx2    *Ctx // the context an SNI switch moved to
	cleanup runtime.Cleanup
	res     C.ossl_step // reused by Step, so a step allocates nothing
}

// NewSSL makes an SSL for the server or client side, with a pipe BIO and
// Node's always-accept verify callback (the result is judged afterwards
// from VerifyResult).
//
// Corresponds to SSL_new and SSL_set_bio.
func NewSSL(ctx *Ctx, server bool) (*SSL, error) {
	var q C.ossl_errs
	ctx.mu.Lock()
	if ctx.p == nil {
		ctx.mu.Unlock()
		return nil, &Error{Op: "SSL_new"}
	}
	p := C.ossl_ssl_new(ctx.p, cBool(server), &q)
	ctx.mu.Unlock()
	if p == nil {
		return nil, newError("SSL_new", &q)
	}
	s := &SSL{p: p, ctx: ctx}
	live.Add(1)
	s.cleanup = runtime.AddCleanup(s, func(p *C.SSL) {
		leaked.Add(1) // tests fail on this: Free was forgotten
		live.Add(-1)
		C.ossl_ssl_free(p)
	}, p)
	return s, nil
}

// Free releases the SSL and its BIOs. Calling Free more than once is
// harmless.
//
// Corresponds to SSL_free.
func (s *SSL) Free() {
	if s == nil || s.p == nil {
		return
	}
	s.cleanup.Stop()
	C.ossl_ssl_free(s.p)
	s.p = nil
	live.Add(-1)
}

func (s *SSL) ptr() *C.SSL {
	if s.p == nil {
		panic("ossl: use of freed SSL")
	}
	return s.p
}

// Step feeds in (ciphertext from the peer) to the read BIO, runs op with
// buf (plaintext to write, or room for plaintext read), and drains up to
// len(out) bytes of ciphertext for the peer into out. It is one cgo call.
//
// Corresponds to BIO_write, SSL_do_handshake / SSL_read_ex / SSL_write_ex /
// SSL_shutdown, SSL_get_error and BIO_read.
func (s *SSL) Step(op Op, in, buf, out []byte) StepResult {
	r := &s.res
	var inp, outp unsafe.Pointer
	var bufp C.uintptr_t
	if len(in) > 0 {
		inp = unsafe.Pointer(unsafe.SliceData(in))
	}
	if len(buf) > 0 {
		// buf is the caller's plaintext buffer, which may sit inside a
		// struct that holds Go pointers (net/http reads into a field of
		// one), and cgo's pointer check rejects any such allocation. C
		// only reads or writes the bytes for the length of this call and
		// keeps nothing, so the address goes as an integer; escapeToHeap
		// makes sure the buffer is heap memory, which never moves.
		escapeToHeap(buf)
		bufp = C.uintptr_t(uintptr(unsafe.Pointer(unsafe.SliceData(buf))))
	}
	if len(out) > 0 {
		outp = unsafe.Pointer(unsafe.SliceData(out))
	}
	C.ossl_ssl_step(s.ptr(), C.int(op), inp, C.size_t(len(in)), bufp, C.size_t(len(buf)),
		outp, C.size_t(len(out)), r)
	runtime.KeepAlive(s)
	runtime.KeepAlive(buf)
	// The race detector does not see C's accesses: report them.
	if op == OpReadPartial {
		raceRead(in[:r.consumed])
	} else {
		raceRead(in) // what the step did not consume was copied to the read BIO
	}
	switch op {
	case OpRead, OpReadPartial:
		raceWritten(buf[:r.done])
	case OpWrite:
		raceRead(buf[:r.done])
	}
	raceWritten(out[:r.outlen])
	res := StepResult{
		SSLError:     int(r.sslerr),
		Done:         int(r.done),
		Consumed:     int(r.consumed),
		Out:          int(r.outlen),
		OutPending:   int(r.outpending),
		InitFinished: r.init_finished != 0,
		Shutdown:     int(r.shutdown),
		HasPending:   r.has_pending != 0,

		HandshakeStarts: int(r.hs_starts),
		NewSessions:     int(r.new_sessions),
	}
	if res.SSLError == ErrorSSL || res.SSLError == ErrorSyscall {
		res.Err = newError(opName[op], &r.errs)
	}
	return res
}

// escapeSink and escapeToHeap force a slice passed to Step onto the heap:
// the assignment to a package variable makes every caller's buffer escape.
var (
	escapeSink  []byte
	escapeNever bool
)

//go:noinline
func escapeToHeap(b []byte) {
	if escapeNever {
		escapeSink = b
	}
}

var opName = map[Op]string{
	OpNone: "BIO_read", OpHandshake: "SSL_do_handshake", OpRead: "SSL_read_ex",
	OpWrite: "SSL_write_ex", OpShutdown: "SSL_shutdown",
}

// SetHostName sets the SNI name the client sends.
//
// Corresponds to SSL_set_tlsext_host_name.
func (s *SSL) SetHostName(name string) error {
	var q C.ossl_errs
	var ok C.int
	withCString(name, func(cs *C.char) { ok = C.ossl_ssl_set_host_name(s.ptr(), cs, &q) })
	runtime.KeepAlive(s)
	if ok != 1 {
		return newError("SSL_set_tlsext_host_name", &q)
	}
	return nil
}

// SetVerify sets the verify mode (VerifyPeer, VerifyFailIfNoPeerCert) with
// Node's always-accept callback.
//
// Corresponds to SSL_set_verify.
func (s *SSL) SetVerify(mode int) {
	C.ossl_ssl_set_verify(s.ptr(), C.int(mode))
	runtime.KeepAlive(s)
}

// SetMaxSendFragment limits the plaintext per record; false outside
// 512..16384.
//
// Corresponds to SSL_set_max_send_fragment.
func (s *SSL) SetMaxSendFragment(n int) bool {
	ok := C.ossl_ssl_set_max_send_fragment(s.ptr(), C.long(n)) == 1
	runtime.KeepAlive(s)
	return ok
}

// VerifyResult returns the chain verification result.
//
// Corresponds to SSL_get_verify_result.
func (s *SSL) VerifyResult() VerifyResult {
	r := VerifyResult(C.ossl_ssl_get_verify_result(s.ptr()))
	runtime.KeepAlive(s)
	return r
}

// Version returns the protocol name, e.g. "TLSv1.3".
//
// Corresponds to SSL_get_version.
func (s *SSL) Version() string {
	r := C.GoString(C.ossl_ssl_get_version(s.ptr()))
	runtime.KeepAlive(s)
	return r
}

// Cipher returns the current cipher's OpenSSL name and the protocol
// version that introduced it; "" when there is none.
//
// Corresponds to SSL_get_current_cipher, SSL_CIPHER_get_name and SSL_CIPHER_get_version.
func (s *SSL) Cipher() (name, version string) {
	if n := C.ossl_ssl_cipher_name(s.ptr()); n != nil {
		name = C.GoString(n)
		version = C.GoString(C.ossl_ssl_cipher_version(s.ptr()))
	}
	runtime.KeepAlive(s)
	return name, version
}

// ServerName returns the SNI name: on a server the one the client sent,
// on a client the one set; "" when none.
//
// Corresponds to SSL_get_servername.
func (s *SSL) ServerName() string {
	var r string
	if n := C.ossl_ssl_get_servername(s.ptr()); n != nil {
		r = C.GoString(n)
	}
	runtime.KeepAlive(s)
	return r
}

// SessionReused reports whether the handshake resumed a session.
//
// Corresponds to SSL_session_reused.
func (s *SSL) SessionReused() bool {
	r := C.ossl_ssl_session_reused(s.ptr()) == 1
	runtime.KeepAlive(s)
	return r
}

// Key types PeerTmpKey reports.
const (
	KeyTypeEC = int(C.EVP_PKEY_EC)
	KeyTypeDH = int(C.EVP_PKEY_DH)
)

// PeerTmpKey returns the peer's ephemeral key: its EVP_PKEY type, the
// curve's short name (EC, "X25519", ...) and its size in bits. ok is false
// when the key exchange used no ephemeral key.
//
// Corresponds to SSL_get_peer_tmp_key.
func (s *SSL) PeerTmpKey() (typ int, name string, bits int, ok bool) {
	var ct, cb C.int
	var buf [80]C.char
	r := C.ossl_ssl_peer_tmp_key(s.ptr(), &ct, &buf[0], C.size_t(len(buf)), &cb)
	runtime.KeepAlive(s)
	if r != 1 {
		return 0, "", 0, false
	}
	return int(ct), C.GoString(&buf[0]), int(cb), true
}

// PeerCertificateChain returns the DER of the peer's certificate and of
// the chain it sent, leaf first; nil when the peer sent no certificate.
//
// Corresponds to SSL_get0_peer_certificate and SSL_get_peer_cert_chain.
func (s *SSL) PeerCertificateChain() [][]byte {
	r := copyOutDER(4096, func(b *C.uchar, n C.size_t, used *C.size_t) C.int {
		return C.ossl_ssl_peer_chain(s.ptr(), b, n, used)
	})
	runtime.KeepAlive(s)
	return r
}

// SetSessionIDContext sets this connection's session ID context.
//
// Corresponds to SSL_set_session_id_context.
func (s *SSL) SetSessionIDContext(sid []byte) error {
	var q C.ossl_errs
	p, n := cBytes(sid)
	ok := C.ossl_ssl_set_session_id_context(s.ptr(), (*C.uchar)(unsafe.Pointer(p)), n, &q)
	runtime.KeepAlive(s)
	runtime.KeepAlive(sid)
	if ok != 1 {
		return newError("SSL_set_session_id_context", &q)
	}
	return nil
}

// FreeBuffers releases the record buffers of an idle connection; OpenSSL
// allocates them again on the next read or write. It returns false (and
// frees nothing) while a buffer holds data.
//
// Corresponds to SSL_free_buffers.
func (s *SSL) FreeBuffers() bool {
	r := C.ossl_ssl_free_buffers(s.ptr()) == 1
	runtime.KeepAlive(s)
	return r
}

// splitDER splits n [u32 length][DER] records.
func splitDER(b []byte, n int) [][]byte {
	var out [][]byte
	for i := 0; i < n && len(b) >= 4; i++ {
		l := binary.BigEndian.Uint32(b)
		out = append(out, b[4:4+l:4+l])
		b = b[4+l:]
	}
	return out
}

// Session returns the current session in DER when it is resumable; nil
// otherwise. Under TLS 1.3 it becomes resumable once a ticket was read.
//
// Corresponds to SSL_get1_session, SSL_SESSION_is_resumable and i2d_SSL_SESSION.
func (s *SSL) Session() []byte {
	r := copyOut(2048, func(b *C.uchar, n C.size_t) C.int { return C.ossl_ssl_get_session(s.ptr(), b, n) })
	runtime.KeepAlive(s)
	return r
}

// SetSession offers a DER session (from Session) for resumption.
//
// Corresponds to d2i_SSL_SESSION and SSL_set_session.
func (s *SSL) SetSession(der []byte) error {
	var q C.ossl_errs
	p, n := cBytes(der)
	ok := C.ossl_ssl_set_session(s.ptr(), (*C.uchar)(unsafe.Pointer(p)), n, &q)
	runtime.KeepAlive(s)
	runtime.KeepAlive(der)
	if ok != 1 {
		return newError("d2i_SSL_SESSION", &q)
	}
	return nil
}

// SetALPN sets the ALPN protocols in wire format: a client offers them, a
// server selects from them, its own order first; no overlap is a fatal
// no_application_protocol alert.
//
// Corresponds to SSL_set_alpn_protos and SSL_CTX_set_alpn_select_cb.
func (s *SSL) SetALPN(wire []byte) error {
	var q C.ossl_errs
	p, n := cBytes(wire)
	ok := C.ossl_ssl_set_alpn(s.ptr(), (*C.uchar)(unsafe.Pointer(p)), n, &q)
	runtime.KeepAlive(s)
	runtime.KeepAlive(wire)
	if ok != 1 {
		return newError("SSL_set_alpn_protos", &q)
	}
	return nil
}

// SetNPN sets the NPN protocols in wire format: a server advertises them, a
// client selects from the server's (the server's order first).
//
// Corresponds to SSL_CTX_set_next_protos_advertised_cb and SSL_CTX_set_next_proto_select_cb.
func (s *SSL) SetNPN(wire []byte) error {
	p, n := cBytes(wire)
	ok := C.ossl_ssl_set_npn(s.ptr(), (*C.uchar)(unsafe.Pointer(p)), n)
	runtime.KeepAlive(s)
	runtime.KeepAlive(wire)
	if ok != 1 {
		return &Error{Op: "OPENSSL_memdup"}
	}
	return nil
}

// ALPNSelected returns the negotiated ALPN protocol, "" when none.
//
// Corresponds to SSL_get0_alpn_selected.
func (s *SSL) ALPNSelected() string {
	var buf [256]C.char
	n := C.ossl_ssl_alpn_selected(s.ptr(), &buf[0], C.size_t(len(buf)))
	runtime.KeepAlive(s)
	return C.GoStringN(&buf[0], C.int(n))
}

// NPNResult returns the NPN protocol this side reports: on a server the
// negotiated one, on a client the one it picked from an overlap; "" when
// none.
//
// Corresponds to SSL_get0_next_proto_negotiated.
func (s *SSL) NPNResult() string {
	var buf [256]C.char
	n := C.ossl_ssl_npn_result(s.ptr(), &buf[0], C.size_t(len(buf)))
	runtime.KeepAlive(s)
	return C.GoStringN(&buf[0], C.int(n))
}

// PauseForSNI makes the handshake pause (Step reports ErrorX509Lookup)
// once the client's SNI is known, until ResumeCertCallback.
//
// Corresponds to SSL_CTX_set_cert_cb returning -1.
func (s *SSL) PauseForSNI() {
	C.ossl_ssl_pause_for_sni(s.ptr())
	runtime.KeepAlive(s)
}

// SetTicketKeys gives the connection the 48 bytes of session ticket keys
// it issues and accepts tickets with: 16 name, 16 HMAC-SHA256 key, 16
// AES-128-CBC key (Node's layout). Without them a process-wide random set
// is used.
//
// Corresponds to SSL_CTX_set_tlsext_ticket_key_evp_cb.
func (s *SSL) SetTicketKeys(keys []byte) {
	if len(keys) != 48 {
		panic("ossl: ticket keys must be 48 bytes")
	}
	C.ossl_ssl_set_ticket_keys(s.ptr(), (*C.uchar)(unsafe.Pointer(&keys[0])))
	runtime.KeepAlive(s)
	runtime.KeepAlive(keys)
}

// SetSessionTimeout sets the lifetime, in seconds, of the sessions this
// server connection makes (and so of its tickets' lifetime hint).
//
// Corresponds to SSL_SESSION_set_timeout.
func (s *SSL) SetSessionTimeout(seconds int) {
	C.ossl_ssl_set_session_timeout(s.ptr(), C.long(seconds))
	runtime.KeepAlive(s)
}

// WantSessions makes a client keep each new resumable session (one per
// TLS 1.2 handshake, one per TLS 1.3 ticket) for TakeSessions.
//
// Corresponds to SSL_CTX_sess_set_new_cb.
func (s *SSL) WantSessions() {
	C.ossl_ssl_want_sessions(s.ptr())
	runtime.KeepAlive(s)
}

// TakeSessions returns, in DER, the sessions kept since the last call.
//
// Corresponds to i2d_SSL_SESSION.
func (s *SSL) TakeSessions() [][]byte {
	r := copyOutDER(4096, func(b *C.uchar, n C.size_t, used *C.size_t) C.int {
		return C.ossl_ssl_take_sessions(s.ptr(), b, n, used)
	})
	runtime.KeepAlive(s)
	return r
}

// Ticket returns the current session's ticket; nil when it has none.
//
// Corresponds to SSL_SESSION_get0_ticket.
func (s *SSL) Ticket() []byte {
	r := copyOut(1024, func(b *C.uchar, n C.size_t) C.int { return C.ossl_ssl_ticket(s.ptr(), b, n) })
	runtime.KeepAlive(s)
	return r
}

// PauseForOCSP makes the handshake pause in the certificate callback
// (Step reports ErrorX509Lookup) when the client asked for a certificate
// status, so the response can be chosen in Go; Resume ends the pause.
//
// Corresponds to SSL_CTX_set_cert_cb returning -1.
func (s *SSL) PauseForOCSP() {
	C.ossl_ssl_pause_for_ocsp(s.ptr())
	runtime.KeepAlive(s)
}

// OCSPRequested reports whether the client asked for a certificate status.
//
// Corresponds to SSL_get_tlsext_status_type.
func (s *SSL) OCSPRequested() bool {
	r := C.ossl_ssl_ocsp_requested(s.ptr()) == 1
	runtime.KeepAlive(s)
	return r
}

// RequestOCSP makes a client ask for a stapled certificate status.
//
// Corresponds to SSL_set_tlsext_status_type.
func (s *SSL) RequestOCSP() bool {
	r := C.ossl_ssl_request_ocsp(s.ptr()) == 1
	runtime.KeepAlive(s)
	return r
}

// SetOCSPResponse sets the DER response a server staples (nil: none).
//
// Corresponds to SSL_set_tlsext_status_ocsp_resp.
func (s *SSL) SetOCSPResponse(der []byte) bool {
	p, n := cBytes(der)
	r := C.ossl_ssl_set_ocsp(s.ptr(), (*C.uchar)(unsafe.Pointer(p)), n) == 1
	runtime.KeepAlive(s)
	runtime.KeepAlive(der)
	return r
}

// OCSPResponse returns the response a server stapled (clients); nil when
// none.
//
// Corresponds to SSL_get_tlsext_status_ocsp_resp.
func (s *SSL) OCSPResponse() []byte {
	r := copyOut(4096, func(b *C.uchar, n C.size_t) C.int { return C.ossl_ssl_ocsp(s.ptr(), b, n) })
	runtime.KeepAlive(s)
	return r
}

// OwnCertificate returns the DER of the certificate this server connection
// presents and of its issuer (from its chain, else the trust store; nil
// when unknown).
//
// Corresponds to SSL_get_certificate and X509_STORE_CTX_get1_issuer.
func (s *SSL) OwnCertificate() (cert, issuer []byte) {
	ders := copyOutDER(8192, func(b *C.uchar, n C.size_t, used *C.size_t) C.int {
		return C.ossl_ssl_own_cert(s.ptr(), b, n, used)
	})
	runtime.KeepAlive(s)
	switch len(ders) {
	case 0:
		return nil, nil
	case 1:
		return ders[0], nil
	}
	return ders[0], ders[1]
}

// SwitchContext moves the connection to ctx during the certificate
// callback pause: its certificates and session ID context; the
// connection's own settings stay.
//
// Corresponds to SSL_set_SSL_CTX.
func (s *SSL) SwitchContext(ctx *Ctx) error {
	var q C.ossl_errs
	ctx.mu.Lock()
	if ctx.p == nil {
		ctx.mu.Unlock()
		return &Error{Op: "SSL_set_SSL_CTX"}
	}
	ok := C.ossl_ssl_switch_ctx(s.ptr(), ctx.p, &q)
	ctx.mu.Unlock()
	runtime.KeepAlive(s)
	if ok != 1 {
		return newError("SSL_set_SSL_CTX", &q)
	}
	s.ctx2 = ctx // keep the context's Go side reachable while the SSL uses it
	return nil
}

// Resume ends the certificate callback pause.
func (s *SSL) Resume() {
	C.ossl_ssl_resume(s.ptr())
	runtime.KeepAlive(s)
}

// copyOut runs a C copy-out call that returns the length it wrote, 0 for
// nothing, or minus the length it needs; it retries once with room.
func copyOut(size int, call func(buf *C.uchar, cap C.size_t) C.int) []byte {
	buf := make([]byte, size)
	n := int(call((*C.uchar)(unsafe.Pointer(&buf[0])), C.size_t(len(buf))))
	if n < 0 {
		buf = make([]byte, -n)
		n = int(call((*C.uchar)(unsafe.Pointer(&buf[0])), C.size_t(len(buf))))
	}
	if n <= 0 {
		return nil
	}
	return buf[:n:n]
}

// copyOutDER runs a C call that writes [u32 len][DER] records and returns
// their count, or -1 with *used set to the room it needs.
func copyOutDER(size int, call func(buf *C.uchar, cap C.size_t, used *C.size_t) C.int) [][]byte {
	buf := make([]byte, size)
	var used C.size_t
	n := call((*C.uchar)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), &used)
	if n < 0 {
		buf = make([]byte, int(used))
		n = call((*C.uchar)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), &used)
	}
	if n <= 0 {
		return nil
	}
	return splitDER(buf[:int(used)], int(n))
}

// EnableResumeHook makes a server pause (Step reports ErrorClientHello)
// when a ClientHello offers a session ID, for HelloSessionID and
// ResumeHello.
//
// Corresponds to SSL_CTX_set_client_hello_cb returning SSL_CLIENT_HELLO_RETRY.
func (s *SSL) EnableResumeHook() {
	C.ossl_ssl_enable_resume_hook(s.ptr())
	runtime.KeepAlive(s)
}

// HelloSessionID returns the session ID of the paused ClientHello.
//
// Corresponds to SSL_client_hello_get0_session_id.
func (s *SSL) HelloSessionID() []byte {
	var buf [C.SSL_MAX_SSL_SESSION_ID_LENGTH]byte
	n := C.ossl_ssl_hello_session_id(s.ptr(), (*C.uchar)(unsafe.Pointer(&buf[0])))
	runtime.KeepAlive(s)
	return append([]byte(nil), buf[:n]...)
}

// ResumeHello ends the ClientHello pause with the session found for its ID
// (DER), or nil for a full handshake.
//
// Corresponds to SSL_CTX_sess_set_get_cb.
func (s *SSL) ResumeHello(der []byte) {
	p, n := cBytes(der)
	C.ossl_ssl_resume_hello(s.ptr(), (*C.uchar)(unsafe.Pointer(p)), n)
	runtime.KeepAlive(s)
	runtime.KeepAlive(der)
}

// SessionID returns the ID of a DER session; nil when it does not parse.
//
// Corresponds to SSL_SESSION_get_id.
func SessionID(der []byte) []byte {
	if len(der) == 0 {
		return nil
	}
	var buf [C.SSL_MAX_SSL_SESSION_ID_LENGTH]byte
	n := C.ossl_session_id((*C.uchar)(unsafe.Pointer(&der[0])), C.size_t(len(der)), (*C.uchar)(unsafe.Pointer(&buf[0])))
	runtime.KeepAlive(der)
	if n == 0 {
		return nil
	}
	return append([]byte(nil), buf[:n]...)
}

// Renegotiate starts a renegotiation that does not resume the session;
// under TLS 1.3 it fails ("wrong ssl version").
//
// Corresponds to SSL_renegotiate and SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION.
func (s *SSL) Renegotiate() error {
	var q C.ossl_errs
	ok := C.ossl_ssl_renegotiate(s.ptr(), &q)
	runtime.KeepAlive(s)
	if ok != 1 {
		return newError("SSL_renegotiate", &q)
	}
	return nil
}

// RenegotiatePending reports whether a renegotiation has not finished.
//
// Corresponds to SSL_renegotiate_pending.
func (s *SSL) RenegotiatePending() bool {
	r := C.ossl_ssl_renegotiate_pending(s.ptr()) == 1
	runtime.KeepAlive(s)
	return r
}
