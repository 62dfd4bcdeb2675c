package tls_test

import (
	"bufio"
	"context"
	gotls "crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nodetls/nodetls/internal/peers"
	"github.com/nodetls/nodetls/internal/testpki"
	"github.com/nodetls/nodetls/tls"
	"github.com/stretchr/testify/require"
)

// TestNodeClientAgainstOurServer: the local node connects to our server for
// every scenario and must see what it sees against a Node server.
func TestNodeClientAgainstOurServer(t *testing.T) {
	peers.RequireNode(t, 20)
	sc := scenarios(t)
	for _, want := range loadConnectionGolden(t) {
		t.Run(want.Name, func(t *testing.T) {
			srv := echoServer(t, sc[want.Name].serverOptions(t))
			p := peers.StartProcess(t, "node", "testdata/node/peer.js", "client", strconv.Itoa(srv.Address().Port), want.Name)
			line := p.WaitForLine(t, "{", 10*time.Second)
			var got connectionCase
			require.NoError(t, json.Unmarshal([]byte(line), &got))
			require.Equal(t, want, got)
			p.WaitForLine(t, "echo ping", 10*time.Second)
			require.NoError(t, p.Wait(10*time.Second))
		})
	}
}

// TestOurClientAgainstNodeServer: our client against a node server for
// every scenario, compared with the golden values.
func TestOurClientAgainstNodeServer(t *testing.T) {
	peers.RequireNode(t, 20)
	sc := scenarios(t)
	for _, want := range loadConnectionGolden(t) {
		t.Run(want.Name, func(t *testing.T) {
			p := peers.StartProcess(t, "node", "testdata/node/peer.js", "server", want.Name)
			line := p.WaitForLine(t, "port ", 10*time.Second)
			port, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "port ")))
			require.NoError(t, err)
			c, err := tls.Connect(sc[want.Name].connectOptions(t, port))
			require.NoError(t, err)
			defer c.Close()
			checkAgainstGolden(t, want, c)
			roundTrip(t, c, "node echo")
			require.NoError(t, c.CloseWrite())
			p.CloseStdin()
		})
	}
}

// TestOpenSSLClientAgainstOurServer: openssl s_client verifies our chain,
// sends SNI, and gets its line echoed; the server socket reports the SNI.
func TestOpenSSLClientAgainstOurServer(t *testing.T) {
	peers.Require(t, "openssl")
	names := make(chan string, 1)
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")})
	srv.OnSecureConnection(func(s *tls.TLSSocket) { names <- s.ServerName() + " " + s.Protocol() })
	for _, proto := range []string{"-tls1_3", "-tls1_2"} {
		t.Run(proto, func(t *testing.T) {
			p := peers.StartProcess(t, "openssl", "s_client", "-connect", "127.0.0.1:"+strconv.Itoa(srv.Address().Port),
				"-CAfile", testpki.Path("ca1-cert.pem"), "-servername", "localhost", "-verify_return_error", "-quiet", "-no_ign_eof", proto)
			_, err := io.WriteString(p.Stdin(), "hello from s_client\n")
			require.NoError(t, err)
			p.WaitForLine(t, "hello from s_client", 10*time.Second)
			want := map[string]string{"-tls1_3": "TLSv1.3", "-tls1_2": "TLSv1.2"}[proto]
			select {
			case got := <-names:
				require.Equal(t, "localhost "+want, got)
			case <-time.After(30 * time.Second):
				t.Fatal("no secureConnection")
			}
			p.CloseStdin()
			require.NoError(t, p.Wait(10*time.Second))
		})
	}
}

// TestOurClientAgainstOpenSSLServer: our client against openssl s_server
// (-rev echoes each line reversed).
func TestOurClientAgainstOpenSSLServer(t *testing.T) {
	peers.Require(t, "openssl")
	for _, max := range []string{"TLSv1.3", "TLSv1.2"} {
		t.Run(max, func(t *testing.T) {
			_, port := peers.StartSServer(t,
				"-cert", testpki.Path("localhost-cert.pem"), "-key", testpki.Path("localhost-key.pem"), "-rev", "-naccept", "1")
			c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: port,
				SecureContextOptions: tls.SecureContextOptions{CA: caOpts(t, "ca1-cert.pem"), MaxVersion: max}})
			require.NoError(t, err)
			defer c.Close()
			require.True(t, c.Authorized())
			require.Equal(t, max, c.Protocol())
			c.SetDeadline(time.Now().Add(10 * time.Second))
			_, err = io.WriteString(c, "abcdef\n")
			require.NoError(t, err)
			line, err := bufio.NewReader(c).ReadString('\n')
			require.NoError(t, err)
			require.Equal(t, "fedcba\n", line)
		})
	}
}

func goRoots(t testing.TB) *x509.CertPool {
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(testpki.Read(t, "ca1-cert.pem")))
	return pool
}

// TestCryptoTLSClientAgainstOurServer and the reverse run Go's crypto/tls
// in-process against us, over TLS 1.2 and 1.3.
func TestCryptoTLSClientAgainstOurServer(t *testing.T) {
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")})
	for _, v := range []uint16{gotls.VersionTLS12, gotls.VersionTLS13} {
		c, err := gotls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(srv.Address().Port),
			&gotls.Config{RootCAs: goRoots(t), ServerName: "localhost", MaxVersion: v})
		require.NoError(t, err)
		require.Equal(t, v, c.ConnectionState().Version)
		roundTrip(t, c, strings.Repeat("x", 100000))
		require.NoError(t, c.CloseWrite())
		rest, err := io.ReadAll(c)
		require.NoError(t, err)
		require.Empty(t, rest)
		c.Close()
	}
}

func TestOurClientAgainstCryptoTLSServer(t *testing.T) {
	cert, err := gotls.X509KeyPair(testpki.Read(t, "localhost-cert.pem"), testpki.Read(t, "localhost-key.pem"))
	require.NoError(t, err)
	l, err := gotls.Listen("tcp", "127.0.0.1:0", &gotls.Config{Certificates: []gotls.Certificate{cert}})
	require.NoError(t, err)
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	for _, max := range []string{"TLSv1.2", "TLSv1.3"} {
		c, err := tls.Dial("tcp", l.Addr().String(), tls.ConnectOptions{ServerName: "localhost",
			SecureContextOptions: tls.SecureContextOptions{CA: caOpts(t, "ca1-cert.pem"), MaxVersion: max}})
		require.NoError(t, err)
		require.Equal(t, max, c.Protocol())
		roundTrip(t, c, strings.Repeat("y", 70000))
		c.Close()
	}
}

// TestHTTPOverListen serves net/http over tls.Listen, fetched by curl and
// by an http.Client whose transport dials with tls.DialContext.
func TestHTTPOverListen(t *testing.T) {
	l, err := tls.Listen("tcp", "127.0.0.1:0", tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")})
	require.NoError(t, err)
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello "+r.URL.Path)
	})}
	go hs.Serve(l)
	defer hs.Close()
	port := l.Addr().(*net.TCPAddr).Port
	url := "https://localhost:" + strconv.Itoa(port) + "/x"

	t.Run("curl", func(t *testing.T) {
		curl := peers.Require(t, "curl")
		out, err := exec.Command(curl, "-sS", "--max-time", "10", "--cacert", testpki.Path("ca1-cert.pem"),
			"--resolve", "localhost:"+strconv.Itoa(port)+":127.0.0.1", url).CombinedOutput()
		require.NoError(t, err, string(out))
		require.Equal(t, "hello /x", string(out))
	})
	t.Run("http.Client", func(t *testing.T) {
		tr := &http.Transport{DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return tls.DialContext(ctx, network, strings.Replace(addr, "localhost", "127.0.0.1", 1),
				tls.ConnectOptions{ServerName: "localhost", SecureContextOptions: tls.SecureContextOptions{CA: caOpts(t, "ca1-cert.pem")}})
		}}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get(url)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, "hello /x", string(body))
	})
}

// TestCertificateRequestCANames: the CA names a server sends when it asks
// for a client certificate are those of CA (seen by openssl s_client).
func TestCertificateRequestCANames(t *testing.T) {
	peers.Require(t, "openssl")
	o := keyCert(t, "localhost")
	o.CA = caOpts(t, "ca1-ca2.pem")
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: o, RequestCert: true, RejectUnauthorized: tls.Bool(false)})
	p := peers.StartProcess(t, "openssl", "s_client", "-connect", "127.0.0.1:"+strconv.Itoa(srv.Address().Port),
		"-CAfile", testpki.Path("ca1-cert.pem"), "-no_ign_eof")
	p.WaitForLine(t, "Acceptable client certificate CA names", 10*time.Second)
	require.Contains(t, p.WaitForLine(t, "CN = ca1", 5*time.Second), "O = Test")
	p.WaitForLine(t, "CN = ca2", 5*time.Second)
	p.CloseStdin()
	require.NoError(t, p.Wait(10*time.Second))
}
