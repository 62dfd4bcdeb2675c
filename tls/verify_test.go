package tls_test

import (
	"encoding/json"
	"fmt"
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

// verifyCase is one case of testdata/node/verify.json: what node reported
// for each verification code, in each direction (verify.js).
type verifyCase struct {
	Name   string
	Client *verifySide
	Server *verifySide
}

type verifySide struct {
	Cert, Key        *string
	CA, CRL          *[]string
	Servername       string
	VerifierOptions  map[string]string
	PresenterOptions map[string]string
	PresenterCa      *[]string
	Lenient          *verifyResult // client direction, rejectUnauthorized false
	Strict           *struct {
		Connected bool
		Error     *struct{ Code, Message string }
	}
	Result *struct { // server direction
		Authorized         bool
		AuthorizationError *string
		VerifyError        *struct{ Code, Message string }
	}
}

type verifyResult struct {
	Authorized         bool    `json:"authorized"`
	AuthorizationError *string `json:"authorizationError"`
	Error              string  `json:"error,omitempty"`
}

func loadVerifyCases(t *testing.T) []verifyCase {
	b, err := os.ReadFile("testdata/node/verify.json")
	require.NoError(t, err)
	var f struct{ Cases []verifyCase }
	require.NoError(t, json.Unmarshal(b, &f))
	require.NotEmpty(t, f.Cases)
	return f.Cases
}

func fixtures(t testing.TB, names *[]string) [][]byte {
	if names == nil {
		return nil // the option left out: the system store
	}
	out := [][]byte{} // non-nil even when empty: trust nothing
	for _, n := range *names {
		out = append(out, testpki.Read(t, n))
	}
	return out
}

// presenting returns the options of the side that presents side's
// certificate (the server in the client direction, the client in the
// server direction).
func (s *verifySide) presenting(t testing.TB) tls.SecureContextOptions {
	o := tls.SecureContextOptions{Ciphers: s.PresenterOptions["ciphers"], CA: fixtures(t, s.PresenterCa)}
	if s.Cert != nil {
		o.Cert = [][]byte{testpki.Read(t, *s.Cert)}
		o.Key = []tls.KeyPEM{{PEM: testpki.Read(t, *s.Key)}}
	}
	return o
}

// verifying returns the options of the side that verifies.
func (s *verifySide) verifying(t testing.TB) tls.SecureContextOptions {
	return tls.SecureContextOptions{Ciphers: s.VerifierOptions["ciphers"], CA: fixtures(t, s.CA), CRL: fixtures(t, s.CRL)}
}

func strPtr(s string) *string { return &s }

func authResult(s *tls.TLSSocket) verifyResult {
	r := verifyResult{Authorized: s.Authorized()}
	if err := s.AuthorizationError(); err != nil {
		r.AuthorizationError = strPtr(tlsCode(err))
	}
	return r
}

// wantMessage is OpenSSL's text for a code, as node reported it.
func (s *verifySide) wantMessage() string {
	if s.Strict != nil && s.Strict.Error != nil {
		return s.Strict.Error.Message
	}
	if s.Result != nil && s.Result.VerifyError != nil {
		return s.Result.VerifyError.Message
	}
	return ""
}

// TestVerifyOurClient: our client verifies our server, openssl s_server
// and a node server for every case, and reports what node reported.
func TestVerifyOurClient(t *testing.T) {
	cases := loadVerifyCases(t)
	nodeBin := peers.RequireNode(t, 20)
	_ = nodeBin
	openssl := peers.Require(t, "openssl")
	_ = openssl

	// One node process serves every case.
	np := peers.StartProcess(t, "node", "testdata/node/verifypeer.js", "servers")
	var nodePorts map[string]int
	require.NoError(t, json.Unmarshal([]byte(np.WaitForLine(t, "{", 20*time.Second)), &nodePorts))

	for _, c := range cases {
		if c.Client == nil {
			continue
		}
		side := c.Client
		t.Run(c.Name, func(t *testing.T) {
			want := *side.Lenient
			o := side.verifying(t)
			lenient := func(t *testing.T, peer string, port int) {
				cl, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: port, ServerName: side.Servername,
					RejectUnauthorized: tls.Bool(false), SecureContextOptions: o})
				require.NoError(t, err, peer)
				got := authResult(cl)
				msg := ""
				if e := cl.AuthorizationError(); e != nil {
					msg = e.Error()
				}
				cl.Close()
				require.Equal(t, want, got, "our client against %s", peer)
				if want.AuthorizationError != nil {
					require.Equal(t, side.wantMessage(), msg, "our client against %s", peer)
				}
			}
			// Rejecting: Connect fails with the same code and message.
			strict := func(t *testing.T, peer string, port int) {
				cl, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: port, ServerName: side.Servername, SecureContextOptions: o})
				if want.AuthorizationError == nil {
					require.NoError(t, err, peer)
					cl.Close()
					return
				}
				require.Equal(t, *want.AuthorizationError, tlsCode(err), "our rejecting client against %s", peer)
				require.Equal(t, side.wantMessage(), err.Error())
			}
			srv := echoServer(t, tls.ServerOptions{SecureContextOptions: side.presenting(t)})
			lenient(t, "our server", srv.Address().Port)
			strict(t, "our server", srv.Address().Port)
			lenient(t, "node", nodePorts[c.Name])
			strict(t, "node", nodePorts[c.Name])
			// openssl s_server, one process a connection, unless the case
			// needs a presenter option s_server cannot take.
			if side.PresenterCa == nil && len(side.PresenterOptions) == 0 {
				for _, f := range []func(*testing.T, string, int){lenient, strict} {
					args := []string{"-cert", testpki.Path(*side.Cert), "-key", testpki.Path(*side.Key), "-naccept", "1",
						"-cipher", "DEFAULT:@SECLEVEL=1"} // Node's level, not Debian's 2
					if strings.Contains(*side.Cert, "chain") {
						args = append(args, "-cert_chain", testpki.Path(*side.Cert))
					}
					p, port := peers.StartSServer(t, args...)
					f(t, "openssl s_server", port)
					p.Kill()
				}
			}
		})
	}
}

// TestVerifyNodeClientAgainstOurServer: the local node verifies our
// servers for every case and must report what it reports against its own.
func TestVerifyNodeClientAgainstOurServer(t *testing.T) {
	cases := loadVerifyCases(t)
	peers.RequireNode(t, 20)
	ports := map[string]int{}
	for _, c := range cases {
		if c.Client == nil {
			continue
		}
		srv := echoServer(t, tls.ServerOptions{SecureContextOptions: c.Client.presenting(t)})
		ports[c.Name] = srv.Address().Port
	}
	arg, _ := json.Marshal(ports)
	p := peers.StartProcess(t, "node", "testdata/node/verifypeer.js", "clients", string(arg))
	var got map[string]verifyResult
	require.NoError(t, json.Unmarshal([]byte(p.WaitForLine(t, "{", 60*time.Second)), &got))
	for _, c := range cases {
		if c.Client != nil {
			require.Equal(t, *c.Client.Lenient, got[c.Name], "node client against our server, case %s", c.Name)
		}
	}
}

// serverResults starts one requestCert server a case (rejectUnauthorized
// false) and collects what each reports about the client it verified.
type serverResults struct {
	mu   sync.Mutex
	got  map[string]verifyResult
	msg  map[string]string
	port map[string]int
}

func startVerifyingServers(t *testing.T, cases []verifyCase) *serverResults {
	r := &serverResults{got: map[string]verifyResult{}, msg: map[string]string{}, port: map[string]int{}}
	for _, c := range cases {
		if c.Server == nil {
			continue
		}
		name := c.Name
		o := c.Server.verifying(t)
		kc := keyCert(t, "localhost")
		o.Key, o.Cert = kc.Key, kc.Cert
		srv := echoServer(t, tls.ServerOptions{SecureContextOptions: o, RequestCert: true, RejectUnauthorized: tls.Bool(false)})
		srv.OnSecureConnection(func(s *tls.TLSSocket) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.got[name] = authResult(s)
			if e := s.AuthorizationError(); e != nil {
				r.msg[name] = e.Error()
			}
		})
		r.port[name] = srv.Address().Port
	}
	return r
}

func (r *serverResults) check(t *testing.T, cases []verifyCase, client string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, c := range cases {
		if c.Server == nil {
			continue
		}
		res := c.Server.Result
		want := verifyResult{Authorized: res.Authorized, AuthorizationError: res.AuthorizationError}
		for {
			r.mu.Lock()
			got, ok := r.got[c.Name]
			msg := r.msg[c.Name]
			delete(r.got, c.Name)
			r.mu.Unlock()
			if ok {
				require.Equal(t, want, got, "our server verifying %s, case %s", client, c.Name)
				if res.VerifyError != nil {
					require.Equal(t, res.VerifyError.Message, msg, "case %s", c.Name)
				}
				break
			}
			require.True(t, time.Now().Before(deadline), "no secureConnection for case %s (%s)", c.Name, client)
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// TestVerifyOurServer: our server verifies client certificates presented
// by our client, the local node and openssl s_client, for every case.
func TestVerifyOurServer(t *testing.T) {
	cases := loadVerifyCases(t)
	peers.RequireNode(t, 20)
	peers.Require(t, "openssl")
	srvs := startVerifyingServers(t, cases)

	// Our client presents.
	for _, c := range cases {
		if c.Server == nil {
			continue
		}
		o := c.Server.presenting(t)
		cl, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srvs.port[c.Name], ServerName: "localhost",
			RejectUnauthorized: tls.Bool(false), SecureContextOptions: o})
		require.NoError(t, err, c.Name)
		roundTrip(t, cl, "x")
		cl.Close()
	}
	srvs.check(t, cases, "our client")

	// Node presents.
	arg, _ := json.Marshal(srvs.port)
	p := peers.StartProcess(t, "node", "testdata/node/verifypeer.js", "presenters", string(arg))
	p.WaitForLine(t, "done", 60*time.Second)
	srvs.check(t, cases, "node")

	// openssl s_client presents (cases without presenter options it lacks).
	var sclient []verifyCase
	for _, c := range cases {
		if c.Server == nil || c.Server.PresenterCa != nil || len(c.Server.PresenterOptions) > 0 {
			continue
		}
		args := []string{"s_client", "-connect", "127.0.0.1:" + strconv.Itoa(srvs.port[c.Name]), "-quiet", "-no_ign_eof",
			"-cipher", "DEFAULT:@SECLEVEL=1"} // Node's level, not Debian's 2
		if c.Server.Cert != nil {
			args = append(args, "-cert", testpki.Path(*c.Server.Cert), "-key", testpki.Path(*c.Server.Key))
			if strings.Contains(*c.Server.Cert, "chain") {
				args = append(args, "-cert_chain", testpki.Path(*c.Server.Cert))
			}
		}
		sp := peers.StartProcess(t, "openssl", args...)
		fmt.Fprintln(sp.Stdin(), "x")
		sp.WaitForLine(t, "x", 10*time.Second)
		sp.CloseStdin()
		sp.Wait(10 * time.Second)
		sclient = append(sclient, c)
	}
	srvs.check(t, sclient, "openssl s_client")
}
