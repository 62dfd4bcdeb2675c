package tls_test

import (
	"bytes"
	"encoding/pem"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nodetls/nodetls/internal/peers"
	"github.com/nodetls/nodetls/internal/testpki"
	"github.com/nodetls/nodetls/ocsp"
	"github.com/nodetls/nodetls/tls"
	"github.com/stretchr/testify/require"
)

func pemDER(t *testing.T, name string) []byte {
	b, _ := pem.Decode(testpki.Read(t, name))
	require.NotNil(t, b)
	return b.Bytes
}

// ocspServer serves agent1 (chain from CA ca1) and staples agent1-ocsp.der
// from its OCSPRequest hook, recording what the hook saw.
func ocspServer(t *testing.T) (*tls.Server, *[][2][]byte, *sync.Mutex) {
	o := keyCert(t, "agent1")
	o.CA = caOpts(t, "ca1-cert.pem")
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: o})
	var mu sync.Mutex
	var seen [][2][]byte
	resp := testpki.Read(t, "agent1-ocsp.der")
	srv.OnOCSPRequest(func(cert, issuer []byte) ([]byte, error) {
		time.Sleep(10 * time.Millisecond) // a slow fetch
		mu.Lock()
		seen = append(seen, [2][]byte{cert, issuer})
		mu.Unlock()
		return resp, nil
	})
	return srv, &seen, &mu
}

// TestOCSPStapling: the hook sees the server's certificate and its issuer
// and its response reaches a client that asked; one that did not ask gets
// none and the hook is not called.
func TestOCSPStapling(t *testing.T) {
	srv, seen, mu := ocspServer(t)
	want := testpki.Read(t, "agent1-ocsp.der")
	for _, max := range []string{"TLSv1.2", "TLSv1.3"} {
		var events [][]byte
		c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false),
			RequestOCSP: true, OnOCSPResponse: func(r []byte) { events = append(events, r) },
			SecureContextOptions: tls.SecureContextOptions{MaxVersion: max}})
		require.NoError(t, err)
		require.Equal(t, want, c.OCSPResponse(), max)
		require.Equal(t, [][]byte{want}, events, "one OCSPResponse event before Connect returned")
		c.Close()
	}
	mu.Lock()
	require.Len(t, *seen, 2)
	require.Equal(t, pemDER(t, "agent1-cert.pem"), (*seen)[0][0])
	require.Equal(t, pemDER(t, "ca1-cert.pem"), (*seen)[0][1])
	mu.Unlock()

	var events [][]byte
	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false),
		OnOCSPResponse: func(r []byte) { events = append(events, r) }})
	require.NoError(t, err)
	require.Nil(t, c.OCSPResponse())
	require.Empty(t, events, "no event without RequestOCSP, as Node")
	c.Close()
	mu.Lock()
	require.Len(t, *seen, 2, "the hook runs only when the client asked")
	mu.Unlock()

	// A server without a hook staples nothing; the event still fires, with nil.
	plain := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")})
	events = nil
	c, err = tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: plain.Address().Port, RejectUnauthorized: tls.Bool(false),
		RequestOCSP: true, OnOCSPResponse: func(r []byte) { events = append(events, r) }})
	require.NoError(t, err)
	require.Equal(t, [][]byte{nil}, events)
	c.Close()
}

// TestOCSPWithPeers: openssl s_client -status and node (requestOCSP) get
// our staple; our client gets openssl s_server's -status_file.
func TestOCSPWithPeers(t *testing.T) {
	peers.Require(t, "openssl")
	peers.RequireNode(t, 20)
	srv, _, _ := ocspServer(t)
	port := strconv.Itoa(srv.Address().Port)
	p := peers.StartProcess(t, "openssl", "s_client", "-connect", "127.0.0.1:"+port, "-status", "-no_ign_eof")
	p.WaitForLine(t, "OCSP Response Status: successful", 10*time.Second)
	p.WaitForLine(t, "Cert Status: good", 10*time.Second)
	p.CloseStdin()
	p.Wait(10 * time.Second)

	n := peers.StartProcess(t, "node", "-e", `const c = require('tls').connect({port: `+port+`, host: '127.0.0.1', rejectUnauthorized: false, requestOCSP: true}); c.on('OCSPResponse', (r) => { console.log('ocsp ' + (r ? r.length : 'none')); c.end(); });`)
	n.WaitForLine(t, "ocsp "+strconv.Itoa(len(testpki.Read(t, "agent1-ocsp.der"))), 10*time.Second)

	_, sport := peers.StartSServer(t, "-cert", testpki.Path("agent1-cert.pem"),
		"-key", testpki.Path("agent1-key.pem"), "-status_file", testpki.Path("agent1-ocsp.der"), "-naccept", "1")
	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: sport, RejectUnauthorized: tls.Bool(false), RequestOCSP: true})
	require.NoError(t, err)
	require.True(t, bytes.Equal(testpki.Read(t, "agent1-ocsp.der"), c.OCSPResponse()))
	c.Close()
}

// TestClientChecksStapleWithOCSPPackage: the client side of stapling as the
// ocsp package documents it, against openssl s_server -status_file: the
// staple is checked against the verified peer certificate and its issuer.
func TestClientChecksStapleWithOCSPPackage(t *testing.T) {
	for _, tc := range []struct{ cert, staple, want string }{
		{"agent1", "agent1-ocsp.der", ""},
		{"agent1", "revoked-ocsp.der", ocsp.CodeNotFound}, // a staple about another certificate
	} {
		_, port := peers.StartSServer(t, "-cert", testpki.Path(tc.cert+"-cert.pem"),
			"-key", testpki.Path(tc.cert+"-key.pem"), "-status_file", testpki.Path(tc.staple), "-naccept", "1")
		var staple []byte
		c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: port, ServerName: "agent1", RequestOCSP: true,
			CheckServerIdentity:  func(string, *tls.PeerCertificate) error { return nil },
			SecureContextOptions: tls.SecureContextOptions{CA: caOpts(t, "ca1-cert.pem")},
			OnOCSPResponse:       func(r []byte) { staple = r }})
		require.NoError(t, err)
		require.True(t, c.Authorized())
		pc := c.PeerCertificate(true)
		c.Close()
		require.NotNil(t, pc.IssuerCertificate)
		r, err := ocsp.ParseResponse(staple)
		require.NoError(t, err)
		s, err := r.Verify(pc.Raw, pc.IssuerCertificate.Raw, ocsp.VerifyOptions{})
		if tc.want == "" {
			require.NoError(t, err)
			require.Equal(t, "good", s.CertStatus)
		} else {
			var oe *ocsp.Error
			require.ErrorAs(t, err, &oe)
			require.Equal(t, tc.want, oe.Code)
		}
	}
}

// TestOCSPAfterSNI: the hook runs on the context SNI chose, and its error
// fails that handshake only.
func TestOCSPAfterSNI(t *testing.T) {
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")})
	require.NoError(t, srv.AddContext("agent3", keyCert(t, "agent3")))
	certs := make(chan []byte, 2)
	srv.OnOCSPRequest(func(cert, issuer []byte) ([]byte, error) {
		certs <- cert
		if bytes.Equal(cert, pemDER(t, "localhost-cert.pem")) {
			return nil, errFetch
		}
		return []byte("staple"), nil
	})
	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, ServerName: "agent3",
		RejectUnauthorized: tls.Bool(false), RequestOCSP: true})
	require.NoError(t, err)
	require.Equal(t, pemDER(t, "agent3-cert.pem"), <-certs)
	require.Equal(t, []byte("staple"), c.OCSPResponse())
	c.Close()
	_, err = tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false), RequestOCSP: true})
	require.Error(t, err)
	<-certs
}

var errFetch = &tls.Error{Code: "ERR_TEST", Message: "no responder"}
