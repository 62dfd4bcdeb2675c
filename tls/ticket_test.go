package tls_test

import (
	"bytes"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nodetls/nodetls/internal/peers"
	"github.com/nodetls/nodetls/internal/testpki"
	"github.com/nodetls/nodetls/tls"
	"github.com/stretchr/testify/require"
)

func ticketKeys(b byte) []byte { return bytes.Repeat([]byte{b}, 48) }

// resumes reports whether a session from the first port resumes on the
// second.
func resumes(t *testing.T, max string, from, to int) bool {
	co := tls.ConnectOptions{Host: "127.0.0.1", Port: from, RejectUnauthorized: tls.Bool(false),
		SecureContextOptions: tls.SecureContextOptions{MaxVersion: max}}
	c, err := tls.Connect(co)
	require.NoError(t, err)
	c.Write([]byte("x"))
	c.Read(make([]byte, 1)) // under TLS 1.3 the tickets are read here
	co.Session = c.Session()
	c.Close()
	require.NotNil(t, co.Session)
	co.Port = to
	c, err = tls.Connect(co)
	require.NoError(t, err)
	defer c.Close()
	return c.IsSessionReused()
}

// TestTicketKeys: servers sharing the 48 bytes resume each other's
// tickets; others do not; SetTicketKeys applies to later connections.
func TestTicketKeys(t *testing.T) {
	opts := func(keys []byte) tls.ServerOptions {
		o := keyCert(t, "localhost")
		o.SessionIDContext = "tickets"
		return tls.ServerOptions{SecureContextOptions: o, TicketKeys: keys}
	}
	a := echoServer(t, opts(ticketKeys(1)))
	b := echoServer(t, opts(ticketKeys(1)))
	c := echoServer(t, opts(ticketKeys(2)))
	require.Equal(t, ticketKeys(1), a.TicketKeys())
	for _, max := range []string{"TLSv1.2", "TLSv1.3"} {
		require.True(t, resumes(t, max, a.Address().Port, b.Address().Port), max)
		require.False(t, resumes(t, max, a.Address().Port, c.Address().Port), max)
	}
	require.NoError(t, c.SetTicketKeys(ticketKeys(1)))
	require.True(t, resumes(t, "TLSv1.3", a.Address().Port, c.Address().Port))
	require.Equal(t, "ERR_INVALID_ARG_VALUE", tlsCode(c.SetTicketKeys(make([]byte, 47))))

	random := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")})
	require.Len(t, random.TicketKeys(), 48)
	require.NotEqual(t, random.TicketKeys(), echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")}).TicketKeys())
}

// TestTicketKeysWithNode: a ticket a node server issues with the same 48
// bytes resumes on our server, and ours on node's (Node's layout).
func TestTicketKeysWithNode(t *testing.T) {
	peers.RequireNode(t, 20)
	keys := ticketKeys(7)
	script := `const fs = require('fs'); const s = require('tls').createServer({key: fs.readFileSync('` + testpki.Path("localhost-key.pem") +
		`'), cert: fs.readFileSync('` + testpki.Path("localhost-cert.pem") + `'), sessionIdContext: 'tickets', ticketKeys: Buffer.from('` +
		hex.EncodeToString(keys) + `', 'hex')}, (c) => c.pipe(c)); s.listen(0, '127.0.0.1', () => console.log('port ' + s.address().port)); process.stdin.on('end', () => process.exit(0)); process.stdin.resume();`
	n := peers.StartProcess(t, "node", "-e", script)
	nport, err := strconv.Atoi(strings.TrimPrefix(n.WaitForLine(t, "port ", 10*time.Second), "port "))
	require.NoError(t, err)
	o := keyCert(t, "localhost")
	o.SessionIDContext = "tickets"
	ours := echoServer(t, tls.ServerOptions{SecureContextOptions: o, TicketKeys: keys})
	for _, max := range []string{"TLSv1.2", "TLSv1.3"} {
		require.True(t, resumes(t, max, nport, ours.Address().Port), "node's ticket on our server, %s", max)
		require.True(t, resumes(t, max, ours.Address().Port, nport), "our ticket on node's server, %s", max)
	}
	n.CloseStdin()
}

// TestSessionTimeout: a server's SessionTimeout bounds its sessions: after
// it passes, a ticket no longer resumes.
//
// The timeout is 3 s, not 1 s: OpenSSL counts whole seconds, so a 1 s
// session may expire 1.0 s after it was made, which a loaded race build can
// take between the two first handshakes.
func TestSessionTimeout(t *testing.T) {
	for _, max := range []string{"TLSv1.2", "TLSv1.3"} {
		t.Run(max, func(t *testing.T) {
			t.Parallel() // each waits out its timeout
			srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost"), SessionTimeout: 3 * time.Second})
			co := tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false),
				SecureContextOptions: tls.SecureContextOptions{MaxVersion: max}}
			c, err := tls.Connect(co)
			require.NoError(t, err)
			roundTrip(t, c, "x")
			co.Session = c.Session()
			c.Close()
			c, err = tls.Connect(co)
			require.NoError(t, err)
			require.True(t, c.IsSessionReused(), "within the timeout")
			c.Close()
			time.Sleep(4100 * time.Millisecond) // OpenSSL stamps sessions in whole seconds
			c, err = tls.Connect(co)
			require.NoError(t, err)
			require.False(t, c.IsSessionReused(), "after the timeout")
			c.Close()
		})
	}
	_, err := tls.CreateServer(tls.ServerOptions{SessionTimeout: -time.Second}, nil)
	require.Equal(t, "ERR_OUT_OF_RANGE", tlsCode(err))
}

// TestOnSession: Node's 'session' event: once for a TLS 1.2 handshake,
// once per ticket under TLS 1.3 (after a read), each session resumable.
func TestOnSession(t *testing.T) {
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")})
	for max, want := range map[string]int{"TLSv1.2": 1, "TLSv1.3": 2} {
		var got [][]byte
		co := tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false),
			OnSession:            func(s []byte) { got = append(got, s) },
			SecureContextOptions: tls.SecureContextOptions{MaxVersion: max}}
		c, err := tls.Connect(co)
		require.NoError(t, err)
		roundTrip(t, c, "x")
		c.Close()
		require.Len(t, got, want, max)
		co.OnSession, co.Session = nil, got[len(got)-1]
		c, err = tls.Connect(co)
		require.NoError(t, err)
		require.True(t, c.IsSessionReused(), max)
		c.Close()
	}
}

// TestTLSTicket: the client sees the ticket (TLS 1.2 at once, TLS 1.3 after
// a read); none when the server sends none.
func TestTLSTicket(t *testing.T) {
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")})
	for _, max := range []string{"TLSv1.2", "TLSv1.3"} {
		c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false),
			SecureContextOptions: tls.SecureContextOptions{MaxVersion: max}})
		require.NoError(t, err)
		roundTrip(t, c, "x")
		require.NotEmpty(t, c.TLSTicket(), max)
		c.Close()
	}
	o := keyCert(t, "localhost")
	o.SecureOptions = tls.SSL_OP_NO_TICKET
	none := echoServer(t, tls.ServerOptions{SecureContextOptions: o})
	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: none.Address().Port, RejectUnauthorized: tls.Bool(false),
		SecureContextOptions: tls.SecureContextOptions{MaxVersion: "TLSv1.2"}})
	require.NoError(t, err)
	roundTrip(t, c, "x")
	require.Nil(t, c.TLSTicket())
	c.Close()
}

// TestExternalSessionStore: newSession hands each session to the store,
// resumeSession finds it by the ClientHello's ID (TLS 1.2 session IDs, as
// in Node), and a miss is a full handshake.
func TestExternalSessionStore(t *testing.T) {
	o := keyCert(t, "localhost")
	o.SecureOptions = tls.SSL_OP_NO_TICKET // session IDs, not tickets
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: o})
	var mu sync.Mutex
	store := map[string][]byte{}
	var lookups []string
	srv.OnNewSession(func(id, data []byte) {
		mu.Lock()
		defer mu.Unlock()
		store[hex.EncodeToString(id)] = data
	})
	srv.OnResumeSession(func(id []byte) ([]byte, error) {
		time.Sleep(5 * time.Millisecond) // a slow store
		mu.Lock()
		defer mu.Unlock()
		lookups = append(lookups, hex.EncodeToString(id))
		return store[hex.EncodeToString(id)], nil
	})
	co := tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false),
		SecureContextOptions: tls.SecureContextOptions{MaxVersion: "TLSv1.2"}}
	c, err := tls.Connect(co)
	require.NoError(t, err)
	roundTrip(t, c, "x")
	co.Session = c.Session()
	c.Close()
	mu.Lock()
	require.Len(t, store, 1)
	mu.Unlock()

	c, err = tls.Connect(co)
	require.NoError(t, err)
	require.True(t, c.IsSessionReused())
	c.Close()
	mu.Lock()
	require.Contains(t, lookups, hex.EncodeToString(tls.SessionIDForTest(co.Session)))
	for k := range store {
		delete(store, k)
	}
	mu.Unlock()

	c, err = tls.Connect(co)
	require.NoError(t, err)
	require.False(t, c.IsSessionReused(), "a store miss is a full handshake")
	c.Close()
}

// TestExternalSessionStoreWithOpenSSL: openssl s_client -sess_out /
// -sess_in resumes through the store.
func TestExternalSessionStoreWithOpenSSL(t *testing.T) {
	peers.Require(t, "openssl")
	o := keyCert(t, "localhost")
	o.SecureOptions = tls.SSL_OP_NO_TICKET
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: o})
	var mu sync.Mutex
	store := map[string][]byte{}
	srv.OnNewSession(func(id, data []byte) { mu.Lock(); store[string(id)] = data; mu.Unlock() })
	srv.OnResumeSession(func(id []byte) ([]byte, error) { mu.Lock(); defer mu.Unlock(); return store[string(id)], nil })
	sess := t.TempDir() + "/sess.pem"
	addr := "127.0.0.1:" + strconv.Itoa(srv.Address().Port)
	p := peers.StartProcess(t, "openssl", "s_client", "-connect", addr, "-tls1_2", "-sess_out", sess, "-no_ign_eof")
	p.WaitForLine(t, "New, TLSv1.2", 10*time.Second)
	p.CloseStdin()
	p.Wait(10 * time.Second)
	p = peers.StartProcess(t, "openssl", "s_client", "-connect", addr, "-tls1_2", "-sess_in", sess, "-no_ign_eof")
	p.WaitForLine(t, "Reused, TLSv1.2", 10*time.Second)
	p.CloseStdin()
	p.Wait(10 * time.Second)
}
