package tls_test

import (
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nodetls/nodetls/internal/peers"
	"github.com/nodetls/nodetls/internal/testpki"
	"github.com/nodetls/nodetls/tls"
	"github.com/stretchr/testify/require"
)

// renegServer serves one connection with fn applied to it and reports the
// error that ended its reads.
func renegServer(t *testing.T, fn func(*tls.TLSSocket)) (port int, errs chan error) {
	errs = make(chan error, 1)
	srv, err := tls.CreateServer(tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")}, func(s *tls.TLSSocket) {
		defer s.Close()
		fn(s)
		_, err := io.Copy(s, s)
		errs <- err
	})
	require.NoError(t, err)
	require.NoError(t, srv.Listen(0, "127.0.0.1"))
	t.Cleanup(func() { srv.Close() })
	return srv.Address().Port, errs
}

// renegotiate has openssl s_client (TLS 1.2) renegotiate n times ("R" at
// the start of a line), echoing a line after each.
func renegotiate(t *testing.T, port, n int) *peers.Process {
	p := peers.StartProcess(t, "openssl", "s_client", "-connect", "127.0.0.1:"+strconv.Itoa(port), "-tls1_2", "-no_ign_eof")
	p.WaitForLine(t, "Verify return code", 10*time.Second)
	for i := 0; i < n; i++ {
		// One command a read: s_client drops the rest of a chunk that
		// starts with R. Wait for its RENEGOTIATING (on stderr) before the
		// next line, and resend the ping if a slow s_client merged them.
		io.WriteString(p.Stdin(), "R\n")
		require.True(t, waitFor(func() bool { return strings.Count(p.Stderr(), "RENEGOTIATING") > i }, 10*time.Second),
			"s_client did not renegotiate")
		// Each try has its own token; once any is echoed, the last one sent
		// must be too, which proves s_client's stdin is drained before the
		// next R.
		var sent []string
		echoed := func() bool {
			for _, ping := range sent {
				if strings.Contains(p.Output(), ping+"\n") {
					return true
				}
			}
			return false
		}
		for try := 0; try < 5 && !echoed(); try++ {
			ping := "ping" + strconv.Itoa(i) + "." + strconv.Itoa(try)
			sent = append(sent, ping)
			io.WriteString(p.Stdin(), ping+"\n")
			waitFor(echoed, 2*time.Second)
		}
		last := sent[len(sent)-1]
		require.True(t, waitFor(func() bool { return strings.Contains(p.Output(), last+"\n") }, 10*time.Second),
			"no echo of %s after renegotiation %d", last, i+1)
	}
	return p
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(cond func() bool, timeout time.Duration) bool {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// TestClientRenegotiationLimit: a client may renegotiate ClientRenegLimit
// times within ClientRenegWindow; one more is ERR_TLS_SESSION_ATTACK,
// which ends the connection (Node's onhandshakestart).
func TestClientRenegotiationLimit(t *testing.T) {
	peers.Require(t, "openssl")
	port, errs := renegServer(t, func(*tls.TLSSocket) {})
	p := renegotiate(t, port, 3) // three renegotiations are fine
	io.WriteString(p.Stdin(), "R\n")
	select {
	case err := <-errs:
		require.Equal(t, "ERR_TLS_SESSION_ATTACK", tlsCode(err))
		require.Equal(t, "TLS session renegotiation attack detected", err.Error())
	case <-time.After(10 * time.Second):
		t.Fatal("the fourth renegotiation was accepted")
	}
}

// TestDisableRenegotiation: after DisableRenegotiation the first
// renegotiation is ERR_TLS_RENEGOTIATION_DISABLED.
func TestDisableRenegotiation(t *testing.T) {
	peers.Require(t, "openssl")
	port, errs := renegServer(t, func(s *tls.TLSSocket) { s.DisableRenegotiation() })
	p := peers.StartProcess(t, "openssl", "s_client", "-connect", "127.0.0.1:"+strconv.Itoa(port), "-tls1_2", "-no_ign_eof")
	p.WaitForLine(t, "Verify return code", 10*time.Second)
	io.WriteString(p.Stdin(), "R\n")
	select {
	case err := <-errs:
		require.Equal(t, "ERR_TLS_RENEGOTIATION_DISABLED", tlsCode(err))
		require.Equal(t, "TLS session renegotiation disabled for this socket", err.Error())
	case <-time.After(10 * time.Second):
		t.Fatal("the renegotiation was accepted")
	}
}

// TestServerRenegotiateRequestCert: a TLS 1.2 server renegotiates to ask
// for a client certificate (our client, then openssl s_client, answering);
// data the client sent meanwhile is kept for Read.
func TestServerRenegotiateRequestCert(t *testing.T) {
	type result struct {
		cn, code string
		err      error
	}
	results := make(chan result, 2)
	o := keyCert(t, "localhost")
	o.CA = caOpts(t, "ca1-cert.pem")
	srv, err := tls.CreateServer(tls.ServerOptions{SecureContextOptions: o}, func(s *tls.TLSSocket) {
		defer s.Close()
		require.Nil(t, s.PeerCertificate(false))
		err := s.Renegotiate(tls.RenegotiateOptions{RequestCert: true, RejectUnauthorized: tls.Bool(false)})
		r := result{err: err, code: tlsCode(s.AuthorizationError())}
		if pc := s.PeerCertificate(false); pc != nil {
			r.cn = pc.Subject["CN"]
		}
		results <- r
		io.Copy(s, s)
	})
	require.NoError(t, err)
	require.NoError(t, srv.Listen(0, "127.0.0.1"))
	defer srv.Close()

	kc := keyCert(t, "agent1")
	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false),
		SecureContextOptions: tls.SecureContextOptions{MaxVersion: "TLSv1.2", Key: kc.Key, Cert: kc.Cert}})
	require.NoError(t, err)
	roundTrip(t, c, "ping across the renegotiation") // the client's Read answers the HelloRequest
	r := <-results
	require.NoError(t, r.err)
	require.Equal(t, "agent1", r.cn)
	require.Equal(t, "", r.code)
	c.Close()

	peers.Require(t, "openssl")
	p := peers.StartProcess(t, "openssl", "s_client", "-connect", "127.0.0.1:"+strconv.Itoa(srv.Address().Port), "-tls1_2",
		"-cert", testpki.Path("agent2-cert.pem"), "-key", testpki.Path("agent2-key.pem"), "-quiet", "-no_ign_eof")
	r = <-results
	require.NoError(t, r.err)
	require.Equal(t, "agent2", r.cn)
	require.Equal(t, "DEPTH_ZERO_SELF_SIGNED_CERT", r.code)
	io.WriteString(p.Stdin(), "after\n")
	p.WaitForLine(t, "after", 10*time.Second)
	p.CloseStdin()
}

// TestRenegotiateTLS13: no renegotiation in TLS 1.3: Node's error, and the
// connection goes on.
func TestRenegotiateTLS13(t *testing.T) {
	errs := make(chan error, 1)
	srv, err := tls.CreateServer(tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")}, func(s *tls.TLSSocket) {
		defer s.Close()
		errs <- s.Renegotiate(tls.RenegotiateOptions{})
		io.Copy(s, s)
	})
	require.NoError(t, err)
	c := listenConnect(t, srv)
	err = <-errs
	require.Equal(t, "ERR_SSL_WRONG_SSL_VERSION", tlsCode(err))
	require.Equal(t, "error:0A00010A:SSL routines::wrong ssl version", err.Error())
	roundTrip(t, c, "still here")
}

// TestClientRenegotiateWithPeers: our TLS 1.2 client renegotiates with
// openssl s_server and with a node server, and the connection carries data
// afterwards.
func TestClientRenegotiateWithPeers(t *testing.T) {
	peers.Require(t, "openssl")
	peers.RequireNode(t, 20)
	opts := func(port int) tls.ConnectOptions {
		return tls.ConnectOptions{Host: "127.0.0.1", Port: port, RejectUnauthorized: tls.Bool(false),
			SecureContextOptions: tls.SecureContextOptions{MaxVersion: "TLSv1.2"}}
	}

	sserver := func(extra ...string) (int, *peers.Process) {
		args := append([]string{"-cert", testpki.Path("localhost-cert.pem"),
			"-key", testpki.Path("localhost-key.pem"), "-naccept", "1"}, extra...)
		p, port := peers.StartSServer(t, args...)
		return port, p
	}

	// OpenSSL 3 servers refuse a client's renegotiation by default: the
	// no_renegotiation alert fails it, and the connection with it.
	sport, _ := sserver()
	c, err := tls.Connect(opts(sport))
	require.NoError(t, err)
	err = c.Renegotiate(tls.RenegotiateOptions{})
	require.Equal(t, "ERR_SSL_NO_RENEGOTIATION", tlsCode(err))
	_, err = c.Write([]byte("x"))
	require.Error(t, err)
	c.Close()

	sport, sp := sserver("-client_renegotiation")
	c, err = tls.Connect(opts(sport))
	require.NoError(t, err)
	require.NoError(t, c.Renegotiate(tls.RenegotiateOptions{}))
	require.Equal(t, "TLSv1.2", c.Protocol())
	_, err = io.WriteString(c, "after the renegotiation\n")
	require.NoError(t, err)
	sp.WaitForLine(t, "after the renegotiation", 10*time.Second)
	c.Close()

	ns := peers.StartProcess(t, "node", "-e", `const fs = require('fs'); const s = require('tls').createServer({key: fs.readFileSync('`+testpki.Path("localhost-key.pem")+`'), cert: fs.readFileSync('`+testpki.Path("localhost-cert.pem")+`')}, (c) => c.pipe(c)); s.listen(0, '127.0.0.1', () => console.log('port ' + s.address().port)); process.stdin.on('end', () => process.exit(0)); process.stdin.resume();`)
	line := ns.WaitForLine(t, "port ", 10*time.Second)
	nport, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(line), "port "))
	require.NoError(t, err)
	c, err = tls.Connect(opts(nport))
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Renegotiate(tls.RenegotiateOptions{}))
	roundTrip(t, c, "echoed by node after the renegotiation")
	ns.CloseStdin()
}

// TestServerRenegotiationsCountAgainstLimit: a server's own
// renegotiations count against ClientRenegLimit too, as in Node, where
// every handshake start on a server socket does. Node's server gets
// ERR_TLS_SESSION_ATTACK on its second renegotiation in a row, and so
// does ours.
func TestServerRenegotiationsCountAgainstLimit(t *testing.T) {
	peers.RequireNode(t, 20)
	const script = `
const tls = require('tls'), fs = require('fs');
const [key, cert] = [fs.readFileSync(process.argv[1]), fs.readFileSync(process.argv[2])];
const srv = tls.createServer({key, cert, maxVersion: 'TLSv1.2'}, (s) => {
  let n = 0;
  s.on('error', (e) => { console.log('after ' + n + ': ' + e.code); process.exit(0); });
  const again = () => s.renegotiate({}, (err) => {
    if (err) { console.log('after ' + n + ': ' + err.code); process.exit(0); }
    if (++n === 6) { console.log('six'); process.exit(0); }
    setImmediate(again);
  });
  again();
});
srv.listen(0, '127.0.0.1', () => {
  const c = tls.connect({port: srv.address().port, host: '127.0.0.1', rejectUnauthorized: false, maxVersion: 'TLSv1.2'});
  c.on('data', () => {});
  c.on('error', () => {});
});`
	p := peers.NodeScript(t, script, testpki.Path("localhost-key.pem"), testpki.Path("localhost-cert.pem"))
	nodeSays := strings.TrimSpace(p.WaitForLine(t, "", 10*time.Second))

	opts := keyCert(t, "localhost")
	opts.MaxVersion = "TLSv1.2"
	result := make(chan string, 1)
	srv, err := tls.CreateServer(tls.ServerOptions{SecureContextOptions: opts}, func(s *tls.TLSSocket) {
		defer s.Close()
		for n := 0; n < 6; n++ {
			if err := s.Renegotiate(tls.RenegotiateOptions{}); err != nil {
				result <- "after " + strconv.Itoa(n) + ": " + tls.ErrorCode(err)
				return
			}
		}
		result <- "six"
	})
	require.NoError(t, err)
	c := listenConnect(t, srv)
	go io.Copy(io.Discard, c) // the client's reads answer the HelloRequests
	select {
	case got := <-result:
		require.Equal(t, "after 1: ERR_TLS_SESSION_ATTACK", nodeSays, "node")
		require.Equal(t, nodeSays, got)
	case <-time.After(10 * time.Second):
		t.Fatal("the server's renegotiations never ended")
	}
}
