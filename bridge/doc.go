// Package bridge moves bytes between a net.Conn and an ossl.SSL through the
// SSL's in-memory pipe BIO: the I/O engine under package tls. It knows OpenSSL and
// bytes, nothing about Node.
//
// Every OpenSSL operation is one ossl.SSL.Step call (feed ciphertext, run
// the handshake / SSL_read / SSL_write / SSL_shutdown, drain ciphertext);
// C never calls Go for I/O, and no goroutine is started here. A step
// encrypts or decrypts at most 32 KiB, so that no cgo call outlasts a
// sysmon period and loses its P, while a network read or write still
// moves up to 256 KiB. Sockets are read and written with raw nonblocking
// system calls through their RawConn (waiting for readiness through the
// poller), so a waiting connection holds no buffer and a large write
// never enters the scheduler's syscall state. The race detector cannot see
// those system calls (nor C's accesses in ossl.SSL.Step), so in -race
// builds they report the bytes they read and wrote to it.
//
// Renegotiation: whoever holds inMu processes the peer's messages. A
// goroutine that needs them with no reader active (Renegotiate, or a
// writer that OpenSSL asked for the peer's reply) reads for itself,
// keeping application data for the next Read, up to a bound.
//
// Locks, in the order they may be taken: handshakeMu, then inMu, then
// outMu, then sslMu. sslMu is held only for the length of one Step and never
// across network I/O, so a Read blocked on the network never blocks a
// Write. inMu admits one reader (it feeds the read BIO); outMu admits one
// writer (it drains the write BIO and writes the network, so records leave
// in the order OpenSSL made them). Output that SSL_read produces (alerts,
// session tickets, KeyUpdate replies) is flushed by the reader when no
// writer is active, else by the writer as it leaves.
//
// Errors: a received close_notify reads as io.EOF; after the handshake a
// transport EOF at a record boundary reads as io.EOF too, while an EOF
// inside a record or before the handshake completes is ErrUnexpectedEOF.
// Transport errors are wrapped, never replaced, so os.ErrDeadlineExceeded
// still matches. A read timeout may be retried; any write failure is
// permanent, as in crypto/tls. A protocol failure is an *ossl.Error and
// closes the connection for good.
package bridge
