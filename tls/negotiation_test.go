package tls_test

import (
	"errors"
	"io"
	"net"
	"os"
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

// TestALPN: the server's preference wins; no overlap is alert 120 on both
// sides; one side without ALPN gives "" on both.
func TestALPN(t *testing.T) {
	type res struct{ client, server, clientErr, serverErr string }
	run := func(t *testing.T, server, client []string) res {
		got := make(chan string, 1)
		errs := make(chan error, 1)
		srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost"), ALPNProtocols: server})
		srv.OnSecureConnection(func(s *tls.TLSSocket) { got <- s.ALPNProtocol() })
		srv.OnTLSClientError(func(err error, s *tls.TLSSocket) { errs <- err })
		c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false), ALPNProtocols: client})
		if err != nil {
			return res{clientErr: tlsCode(err), serverErr: tlsCode(<-errs)}
		}
		defer c.Close()
		return res{client: c.ALPNProtocol(), server: <-got}
	}
	require.Equal(t, res{client: "a", server: "a"}, run(t, []string{"a", "b"}, []string{"b", "a"}))
	require.Equal(t, res{client: "b", server: "b"}, run(t, []string{"x", "b"}, []string{"a", "b"}))
	require.Equal(t, res{clientErr: "ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL", serverErr: "ERR_SSL_NO_APPLICATION_PROTOCOL"},
		run(t, []string{"a"}, []string{"b"}))
	require.Equal(t, res{}, run(t, nil, []string{"a"}))
	require.Equal(t, res{}, run(t, []string{"a"}, nil))

	_, err := tls.CreateServer(tls.ServerOptions{ALPNProtocols: []string{strings.Repeat("a", 256)}}, nil)
	require.Equal(t, "ERR_OUT_OF_RANGE", tlsCode(err))
	require.Equal(t, "The byte length of the protocol at index 0 exceeds the maximum length. It must be <= 255. Received 256", err.Error())
}

// TestALPNWithPeers: openssl s_client and node offer ALPN to our server;
// our client offers it to openssl s_server and node.
func TestALPNWithPeers(t *testing.T) {
	peers.Require(t, "openssl")
	peers.RequireNode(t, 20)
	got := make(chan string, 4)
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost"), ALPNProtocols: []string{"h2", "http/1.1"}})
	srv.OnSecureConnection(func(s *tls.TLSSocket) { got <- s.ALPNProtocol() })
	port := strconv.Itoa(srv.Address().Port)

	p := peers.StartProcess(t, "openssl", "s_client", "-connect", "127.0.0.1:"+port, "-alpn", "http/1.1,h2", "-no_ign_eof")
	p.WaitForLine(t, "ALPN protocol: h2", 10*time.Second)
	require.Equal(t, "h2", <-got)
	p.CloseStdin()
	p.Wait(10 * time.Second)

	n := peers.StartProcess(t, "node", "-e", `const c = require('tls').connect({port: `+port+`, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['http/1.1', 'h2']}, () => { console.log('alpn ' + c.alpnProtocol); c.end(); });`)
	n.WaitForLine(t, "alpn h2", 10*time.Second)
	require.Equal(t, "h2", <-got)

	// Our client against openssl s_server.
	_, sport := peers.StartSServer(t, "-cert", testpki.Path("localhost-cert.pem"),
		"-key", testpki.Path("localhost-key.pem"), "-alpn", "b,a", "-naccept", "1")
	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: sport, RejectUnauthorized: tls.Bool(false), ALPNProtocols: []string{"a", "b"}})
	require.NoError(t, err)
	require.Equal(t, "b", c.ALPNProtocol(), "the server's preference")
	c.Close()

	// Our client against a node server.
	ns := peers.StartProcess(t, "node", "-e", `const fs = require('fs'); const s = require('tls').createServer({key: fs.readFileSync('`+testpki.Path("localhost-key.pem")+`'), cert: fs.readFileSync('`+testpki.Path("localhost-cert.pem")+`'), ALPNProtocols: ['b', 'a']}, (c) => c.end()); s.listen(0, '127.0.0.1', () => console.log('port ' + s.address().port)); process.stdin.on('end', () => process.exit(0)); process.stdin.resume();`)
	nport, _ := strconv.Atoi(strings.TrimPrefix(ns.WaitForLine(t, "port ", 10*time.Second), "port "))
	c, err = tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: nport, RejectUnauthorized: tls.Bool(false), ALPNProtocols: []string{"a", "b"}})
	require.NoError(t, err)
	require.Equal(t, "b", c.ALPNProtocol())
	c.Close()
	_, err = tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: nport, RejectUnauthorized: tls.Bool(false), ALPNProtocols: []string{"z"}})
	require.Equal(t, "ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL", tlsCode(err))
	ns.CloseStdin()
}

// TestNPN (TLS 1.2 only, against openssl: Node 20 dropped NPN): the
// server's order wins, a client without a list gets "http/1.1" chosen for
// it, ALPN takes precedence, and TLS 1.3 has none.
func TestNPN(t *testing.T) {
	type res struct{ client, server string }
	run := func(t *testing.T, server, client []string, max string, alpn bool) res {
		got := make(chan string, 1)
		o := tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost"), NPNProtocols: server}
		if alpn {
			o.ALPNProtocols = []string{"alpn"}
		}
		srv := echoServer(t, o)
		srv.OnSecureConnection(func(s *tls.TLSSocket) { got <- s.NPNProtocol() })
		co := tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false), NPNProtocols: client,
			SecureContextOptions: tls.SecureContextOptions{MaxVersion: max}}
		if alpn {
			co.ALPNProtocols = []string{"alpn"}
		}
		c, err := tls.Connect(co)
		require.NoError(t, err)
		defer c.Close()
		return res{client: c.NPNProtocol(), server: <-got}
	}
	require.Equal(t, res{"a", "a"}, run(t, []string{"a", "b"}, []string{"b", "a"}, "TLSv1.2", false))
	require.Equal(t, res{"", "c"}, run(t, []string{"a"}, []string{"c", "d"}, "TLSv1.2", false), "no overlap: the client's first, reported as none")
	require.Equal(t, res{"", "http/1.1"}, run(t, []string{"a"}, nil, "TLSv1.2", false))
	require.Equal(t, res{"", ""}, run(t, []string{"a"}, []string{"a"}, "TLSv1.3", false))
	require.Equal(t, res{"", ""}, run(t, []string{"a"}, []string{"a"}, "TLSv1.2", true), "ALPN wins")

	peers.Require(t, "openssl")
	got := make(chan string, 1)
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost"), NPNProtocols: []string{"spdy/2", "http/1.1"}})
	srv.OnSecureConnection(func(s *tls.TLSSocket) { got <- s.NPNProtocol() })
	p := peers.StartProcess(t, "openssl", "s_client", "-connect", "127.0.0.1:"+strconv.Itoa(srv.Address().Port), "-tls1_2",
		"-nextprotoneg", "http/1.1,spdy/2", "-no_ign_eof")
	p.WaitForLine(t, "Next protocol: (1) spdy/2", 10*time.Second)
	require.Equal(t, "spdy/2", <-got)
	p.CloseStdin()
	p.Wait(10 * time.Second)

	_, sport := peers.StartSServer(t, "-cert", testpki.Path("localhost-cert.pem"),
		"-key", testpki.Path("localhost-key.pem"), "-nextprotoneg", "b,a", "-tls1_2", "-naccept", "1")
	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: sport, RejectUnauthorized: tls.Bool(false), NPNProtocols: []string{"a", "b"}})
	require.NoError(t, err)
	require.Equal(t, "b", c.NPNProtocol())
	c.Close()
}

// TestSNIContexts: exact names and wildcards, case-sensitive, the most
// recently added match wins; no SNI or no match keeps the default; ALPN
// survives the switch.
func TestSNIContexts(t *testing.T) {
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost"), ALPNProtocols: []string{"x"}})
	require.NoError(t, srv.AddContext("agent3", keyCert(t, "agent3")))
	require.NoError(t, srv.AddContext("*.example.com", keyCert(t, "agent1")))
	require.NoError(t, srv.AddContext("b.example.com", keyCert(t, "agent6")))
	cn := func(servername string) string {
		c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, ServerName: servername,
			RejectUnauthorized: tls.Bool(false), ALPNProtocols: []string{"x"}})
		require.NoError(t, err, servername)
		defer c.Close()
		require.Equal(t, "x", c.ALPNProtocol(), "ALPN after the switch")
		return c.PeerCertificate(false).Subject["CN"]
	}
	require.Equal(t, "localhost", cn(""))
	require.Equal(t, "agent3", cn("agent3"))
	require.Equal(t, "localhost", cn("AGENT3"), "case-sensitive")
	require.Equal(t, "agent1", cn("a.example.com"))
	require.Equal(t, "agent6", cn("b.example.com"), "the most recent match wins")
	require.Equal(t, "localhost", cn("a.b.example.com"), "'*' is one label")
	require.Equal(t, "agent1", cn(".example.com"), "'*' may be empty, as in Node")

	// Against node and openssl as clients.
	peers.RequireNode(t, 20)
	n := peers.StartProcess(t, "node", "-e", `const c = require('tls').connect({port: `+strconv.Itoa(srv.Address().Port)+`, host: '127.0.0.1', servername: 'agent3', rejectUnauthorized: false}, () => { console.log('cn ' + c.getPeerCertificate().subject.CN); c.end(); });`)
	n.WaitForLine(t, "cn agent3", 10*time.Second)
	peers.Require(t, "openssl")
	p := peers.StartProcess(t, "openssl", "s_client", "-connect", "127.0.0.1:"+strconv.Itoa(srv.Address().Port), "-servername", "z.example.com", "-no_ign_eof")
	p.WaitForLine(t, "CN = agent1", 10*time.Second)
	p.CloseStdin()
	p.Wait(10 * time.Second)
}

// TestSNICallback: it replaces the AddContext matching, runs only when the
// client sent SNI, (nil, nil) keeps the default, and an error fails that
// handshake only.
func TestSNICallback(t *testing.T) {
	agent3, err := tls.CreateSecureContext(keyCert(t, "agent3"))
	require.NoError(t, err)
	var mu sync.Mutex
	var calls []string
	errs := make(chan error, 1)
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost"),
		SNICallback: func(name string) (*tls.SecureContext, error) {
			mu.Lock()
			calls = append(calls, name)
			mu.Unlock()
			switch name {
			case "agent3":
				return agent3, nil
			case "bad":
				return nil, errors.New("no such host")
			}
			return nil, nil
		}})
	require.NoError(t, srv.AddContext("other", keyCert(t, "agent1")))
	srv.OnTLSClientError(func(err error, s *tls.TLSSocket) { errs <- err })
	connect := func(name string) (*tls.TLSSocket, error) {
		return tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, ServerName: name, RejectUnauthorized: tls.Bool(false)})
	}
	for name, want := range map[string]string{"": "localhost", "agent3": "agent3", "other": "localhost"} {
		c, err := connect(name)
		require.NoError(t, err)
		require.Equal(t, want, c.PeerCertificate(false).Subject["CN"], name)
		c.Close()
	}
	_, err = connect("bad")
	require.Error(t, err)
	require.EqualError(t, <-errs, "no such host")
	c, err := connect("agent3")
	require.NoError(t, err, "one failing handshake leaves the server serving")
	c.Close()
	mu.Lock()
	defer mu.Unlock()
	require.NotContains(t, calls, "", "not called without SNI")
}

// osThreads reads this process's thread count.
func osThreads(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/status")
	require.NoError(t, err)
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "Threads:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			require.NoError(t, err)
			return n
		}
	}
	t.Fatal("no Threads line")
	return 0
}

// TestSNICallbackBlocksWithoutThreads: 200 handshakes wait in a blocking
// SNICallback at once; none holds a C call or an OS thread meanwhile.
func TestSNICallbackBlocksWithoutThreads(t *testing.T) {
	const n = 200
	release := make(chan struct{})
	var waiting sync.WaitGroup
	waiting.Add(n)
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost"), HandshakeTimeout: 30 * time.Second,
		SNICallback: func(name string) (*tls.SecureContext, error) {
			waiting.Done()
			<-release // a slow lookup
			return nil, nil
		}})
	// A first burst against a server without the hook: the clients' own C
	// calls (a context, a key share) make the runtime start threads it never
	// removes, and those must not count as pinned by the callbacks.
	warm := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")})
	burst := func(port int, serverName string) (wait func(), errs chan error) {
		var clients sync.WaitGroup
		errs = make(chan error, n)
		for i := 0; i < n; i++ {
			clients.Add(1)
			go func() {
				defer clients.Done()
				c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: port, ServerName: serverName,
					RejectUnauthorized: tls.Bool(false)})
				if err == nil {
					err = c.Close()
				}
				errs <- err
			}()
		}
		return func() { clients.Wait(); close(errs) }, errs
	}
	wait, errs := burst(warm.Address().Port, "warm.example")
	wait()
	for err := range errs {
		require.NoError(t, err)
	}
	before := osThreads(t)
	wait, errs = burst(srv.Address().Port, "blocked.example")
	done := make(chan struct{})
	go func() { waiting.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		close(release)
		t.Fatal("the callbacks did not all start")
	}
	during := osThreads(t)
	close(release)
	wait()
	for err := range errs {
		require.NoError(t, err)
	}
	t.Logf("OS threads: %d before, %d with %d callbacks blocked", before, during, n)
	require.Less(t, during-before, 40, "blocked SNICallbacks must not pin OS threads (one each would be %d)", n)
}

// TestHonorCipherOrderDecidesGroup: on by default for CreateServer, the
// server's order picks the group as well as the suite (TLS 1.2: under 1.3
// OpenSSL takes the key share the client sent rather than ask again).
func TestHonorCipherOrderDecidesGroup(t *testing.T) {
	for _, tc := range []struct {
		honor *bool
		want  string
	}{{nil, "secp384r1"}, {tls.Bool(true), "secp384r1"}, {tls.Bool(false), "prime256v1"}} { // as node reports
		o := keyCert(t, "localhost")
		o.ECDHCurve, o.HonorCipherOrder = "secp384r1:prime256v1", tc.honor
		srv := echoServer(t, tls.ServerOptions{SecureContextOptions: o})
		c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false),
			SecureContextOptions: tls.SecureContextOptions{ECDHCurve: "prime256v1:secp384r1", MaxVersion: "TLSv1.2"}})
		require.NoError(t, err)
		require.Equal(t, tc.want, c.EphemeralKeyInfo().Name)
		c.Close()
	}
}

// TestECDHCurveFalse: no ECDHE in TLS 1.2 (an ECDHE-only client finds no
// shared cipher), TLS 1.3 unaffected; EphemeralKeyInfo is nil on servers.
func TestECDHCurveFalse(t *testing.T) {
	o := keyCert(t, "localhost")
	o.ECDHCurve = "false"
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: o})
	keys := make(chan *tls.EphemeralKeyInfo, 1)
	srv.OnSecureConnection(func(s *tls.TLSSocket) { keys <- s.EphemeralKeyInfo() })
	_, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false),
		SecureContextOptions: tls.SecureContextOptions{MaxVersion: "TLSv1.2", Ciphers: "ECDHE-RSA-AES128-GCM-SHA256"}})
	require.Equal(t, "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE", tlsCode(err))
	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false),
		SecureContextOptions: tls.SecureContextOptions{MaxVersion: "TLSv1.2", Ciphers: "AES128-GCM-SHA256"}})
	require.NoError(t, err)
	require.Equal(t, &tls.EphemeralKeyInfo{}, c.EphemeralKeyInfo())
	require.Nil(t, <-keys)
	c.Close()
	c, err = tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false)})
	require.NoError(t, err)
	require.Equal(t, "TLSv1.3", c.Protocol())
	require.Equal(t, "ECDH", c.EphemeralKeyInfo().Type)
	c.Close()
}

// TestNoTicketOption: SSL_OP_NO_TICKET takes effect: a TLS 1.2 client can
// no longer resume (the server keeps no session cache of its own).
func TestNoTicketOption(t *testing.T) {
	for _, tc := range []struct {
		opts    uint64
		resumed bool
	}{{0, true}, {tls.SSL_OP_NO_TICKET, false}} {
		o := keyCert(t, "localhost")
		o.SecureOptions = tc.opts
		srv := echoServer(t, tls.ServerOptions{SecureContextOptions: o})
		co := tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false),
			SecureContextOptions: tls.SecureContextOptions{MaxVersion: "TLSv1.2"}}
		c, err := tls.Connect(co)
		require.NoError(t, err)
		roundTrip(t, c, "x")
		co.Session = c.Session()
		c.Close()
		if co.Session == nil {
			require.False(t, tc.resumed)
			continue
		}
		c, err = tls.Connect(co)
		require.NoError(t, err)
		require.Equal(t, tc.resumed, c.IsSessionReused(), "options %#x", tc.opts)
		c.Close()
	}
}

// recordConn records the bytes a connection receives.
type recordConn struct {
	net.Conn
	mu  sync.Mutex
	buf []byte
}

func (r *recordConn) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.mu.Lock()
	r.buf = append(r.buf, p[:n]...)
	r.mu.Unlock()
	return n, err
}

// TestMaxSendFragmentOnTheWire counts the records: with 512 set, 4000
// bytes arrive as eight records of at most 512 bytes of plaintext.
func TestMaxSendFragmentOnTheWire(t *testing.T) {
	srv, err := tls.CreateServer(tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")}, func(s *tls.TLSSocket) {
		defer s.Close()
		s.SetMaxSendFragment(512)
		s.Write(make([]byte, 4000))
		s.CloseWrite()
		io.Copy(io.Discard, s)
	})
	require.NoError(t, err)
	require.NoError(t, srv.Listen(0, "127.0.0.1"))
	defer srv.Close()
	raw, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(srv.Address().Port))
	require.NoError(t, err)
	rc := &recordConn{Conn: raw}
	c, err := tls.Connect(tls.ConnectOptions{Socket: rc, RejectUnauthorized: tls.Bool(false), SecureContextOptions: tls.SecureContextOptions{MaxVersion: "TLSv1.2"}})
	require.NoError(t, err)
	defer c.Close()
	data, err := io.ReadAll(c)
	require.NoError(t, err)
	require.Len(t, data, 4000)
	rc.mu.Lock()
	wire := rc.buf
	rc.mu.Unlock()
	// Walk the records after the handshake: application data is type 23.
	var sizes []int
	for len(wire) >= 5 {
		typ, n := wire[0], int(wire[3])<<8|int(wire[4])
		if typ == 23 {
			sizes = append(sizes, n)
		}
		wire = wire[5+n:]
	}
	require.Len(t, sizes, 8, "records: %v", sizes)
	for _, n := range sizes {
		require.LessOrEqual(t, n, 512+64, "a record of %d bytes", n) // plaintext plus the AEAD's overhead
	}
}

// TestCiphersAndCurvesWithOpenSSL: openssl s_client asking for a suite and
// a curve gets them from our server, and our client gets what it asks
// from openssl s_server.
func TestCiphersAndCurvesWithOpenSSL(t *testing.T) {
	peers.Require(t, "openssl")
	o := keyCert(t, "localhost")
	o.ECDHCurve = "secp384r1:prime256v1"
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: o})
	got := make(chan string, 1)
	srv.OnSecureConnection(func(s *tls.TLSSocket) { got <- s.Cipher().Name })
	p := peers.StartProcess(t, "openssl", "s_client", "-connect", "127.0.0.1:"+strconv.Itoa(srv.Address().Port), "-tls1_2",
		"-cipher", "ECDHE-RSA-AES256-GCM-SHA384", "-curves", "secp384r1", "-no_ign_eof")
	p.WaitForLine(t, "Cipher is ECDHE-RSA-AES256-GCM-SHA384", 10*time.Second)
	require.Equal(t, "ECDHE-RSA-AES256-GCM-SHA384", <-got)
	p.CloseStdin()
	p.Wait(10 * time.Second)

	_, sport := peers.StartSServer(t, "-cert", testpki.Path("localhost-cert.pem"),
		"-key", testpki.Path("localhost-key.pem"), "-naccept", "1")
	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: sport, RejectUnauthorized: tls.Bool(false),
		SecureContextOptions: tls.SecureContextOptions{Ciphers: "TLS_CHACHA20_POLY1305_SHA256", ECDHCurve: "X25519"}})
	require.NoError(t, err)
	require.Equal(t, tls.CipherInfo{Name: "TLS_CHACHA20_POLY1305_SHA256", Version: "TLSv1.3"}, c.Cipher())
	require.Equal(t, &tls.EphemeralKeyInfo{Type: "ECDH", Name: "X25519", Size: 253}, c.EphemeralKeyInfo())
	c.Close()
}

// TestOurSNIReachesNode: the name our client sends is what a node server
// sees (and no name when ServerName is empty, as Node's tls.connect).
func TestOurSNIReachesNode(t *testing.T) {
	peers.RequireNode(t, 20)
	ns := peers.StartProcess(t, "node", "-e", `const fs = require('fs'); const s = require('tls').createServer({key: fs.readFileSync('`+testpki.Path("localhost-key.pem")+`'), cert: fs.readFileSync('`+testpki.Path("localhost-cert.pem")+`')}, (c) => { console.log('servername ' + c.servername); c.end(); }); s.listen(0, '127.0.0.1', () => console.log('port ' + s.address().port)); process.stdin.on('end', () => process.exit(0)); process.stdin.resume();`)
	port, _ := strconv.Atoi(strings.TrimPrefix(ns.WaitForLine(t, "port ", 10*time.Second), "port "))
	for name, want := range map[string]string{"a.example.com": "servername a.example.com", "": "servername false"} {
		c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: port, ServerName: name, RejectUnauthorized: tls.Bool(false)})
		require.NoError(t, err)
		ns.WaitForLine(t, want, 10*time.Second)
		c.Close()
	}
	ns.CloseStdin()
}

// TestSNISwitchKeepsVerification: requestCert and its verdict survive the
// switch to an SNI context.
func TestSNISwitchKeepsVerification(t *testing.T) {
	o := keyCert(t, "localhost")
	o.CA = caOpts(t, "ca1-cert.pem")
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: o, RequestCert: true, RejectUnauthorized: tls.Bool(false)})
	sni := keyCert(t, "agent3")
	sni.CA = caOpts(t, "ca1-cert.pem")
	require.NoError(t, srv.AddContext("agent3", sni))
	got := make(chan string, 2)
	srv.OnSecureConnection(func(s *tls.TLSSocket) {
		got <- tlsCode(s.AuthorizationError()) + "/" + s.PeerCertificate(false).Subject["CN"]
	})
	// In TLS 1.3 the client finishes before the server does, so each
	// verdict is awaited before the next client connects.
	for client, want := range map[string]string{"agent1": "/agent1", "agent2": "DEPTH_ZERO_SELF_SIGNED_CERT/agent2"} {
		kc := keyCert(t, client)
		c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, ServerName: "agent3", RejectUnauthorized: tls.Bool(false),
			SecureContextOptions: tls.SecureContextOptions{Key: kc.Key, Cert: kc.Cert}})
		require.NoError(t, err)
		require.Equal(t, "agent3", c.PeerCertificate(false).Subject["CN"])
		select {
		case v := <-got:
			require.Equal(t, want, v)
		case <-time.After(10 * time.Second):
			t.Fatalf("no secure connection for %s", client)
		}
		c.Close()
	}
}

// TestServerPreferenceOption: SSL_OP_CIPHER_SERVER_PREFERENCE in
// SecureOptions makes the server's order win, as HonorCipherOrder does.
func TestServerPreferenceOption(t *testing.T) {
	for _, tc := range []struct {
		opts uint64
		want string
	}{{0, "AES256-SHA256"}, {tls.SSL_OP_CIPHER_SERVER_PREFERENCE, "AES128-SHA256"}} {
		o := keyCert(t, "localhost")
		o.Ciphers, o.HonorCipherOrder, o.SecureOptions = "AES128-SHA256:AES256-SHA256", tls.Bool(false), tc.opts
		srv := echoServer(t, tls.ServerOptions{SecureContextOptions: o})
		c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false),
			SecureContextOptions: tls.SecureContextOptions{MaxVersion: "TLSv1.2", Ciphers: "AES256-SHA256:AES128-SHA256"}})
		require.NoError(t, err)
		require.Equal(t, tc.want, c.Cipher().Name)
		c.Close()
	}
}

// TestALPNAfterClose: alpnProtocol is a property in Node; it outlives the
// socket.
func TestALPNAfterClose(t *testing.T) {
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost"), ALPNProtocols: []string{"h2"}})
	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false), ALPNProtocols: []string{"h2"}})
	require.NoError(t, err)
	require.NoError(t, c.Close())
	require.Equal(t, "h2", c.ALPNProtocol())
	require.Equal(t, "", c.NPNProtocol())
}
