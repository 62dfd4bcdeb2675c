package tls_test

import (
	"errors"
	"strconv"
	"testing"

	"github.com/nodetls/nodetls/internal/testpki"
	"github.com/nodetls/nodetls/tls"
	"github.com/stretchr/testify/require"
)

// TestCRL: any CRL turns revocation checking on, for both directions.
func TestCRL(t *testing.T) {
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "revoked")})
	connect := func(crl ...string) (*tls.TLSSocket, error) {
		return tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false),
			CheckServerIdentity:  func(string, *tls.PeerCertificate) error { return nil }, // chain results only
			SecureContextOptions: tls.SecureContextOptions{CA: caOpts(t, "ca1-cert.pem"), CRL: caOpts(t, crl...)}})
	}
	c, err := connect() // no CRL: no revocation check
	require.NoError(t, err)
	require.NoError(t, c.AuthorizationError())
	c.Close()

	c, err = connect("ca1-crl.pem")
	require.NoError(t, err)
	require.Equal(t, "CERT_REVOKED", tlsCode(c.AuthorizationError()))
	require.Equal(t, "certificate revoked", c.AuthorizationError().Error())
	c.Close()

	// A CRL for another issuer only: the leaf's issuer has none.
	c, err = connect("ca2-crl.pem")
	require.NoError(t, err)
	require.Equal(t, "UNABLE_TO_GET_CRL", tlsCode(c.AuthorizationError()))
	c.Close()

	// Several CRLs.
	c, err = connect("ca2-crl.pem", "ca1-crl.pem")
	require.NoError(t, err)
	require.Equal(t, "CERT_REVOKED", tlsCode(c.AuthorizationError()))
	c.Close()

	_, err = tls.CreateSecureContext(tls.SecureContextOptions{CRL: [][]byte{[]byte("garbage")}})
	require.Equal(t, "ERR_CRYPTO_OPERATION_FAILED", tlsCode(err))
	require.Equal(t, "Failed to parse CRL", err.Error())
}

// TestCRLServerSide: a server with a CRL rejects a revoked client.
func TestCRLServerSide(t *testing.T) {
	o := keyCert(t, "localhost")
	o.CA, o.CRL = caOpts(t, "ca1-cert.pem"), caOpts(t, "ca1-crl.pem")
	codes := make(chan string, 1)
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: o, RequestCert: true, RejectUnauthorized: tls.Bool(false)})
	srv.OnSecureConnection(func(s *tls.TLSSocket) { codes <- tlsCode(s.AuthorizationError()) })
	kc := keyCert(t, "revoked")
	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, ServerName: "localhost",
		SecureContextOptions: tls.SecureContextOptions{CA: caOpts(t, "ca1-cert.pem"), Key: kc.Key, Cert: kc.Cert}})
	require.NoError(t, err)
	defer c.Close()
	require.Equal(t, "CERT_REVOKED", <-codes)
}

// TestMinDHSize: a DHE server with smaller parameters than MinDHSize fails
// Connect with Node's error; the default 1024 accepts 1024-bit groups.
func TestMinDHSize(t *testing.T) {
	for _, tc := range []struct {
		dh   string
		min  int
		code string
	}{
		{"dh1024.pem", 0, ""},
		{"dh1024.pem", 2048, "ERR_TLS_DH_PARAM_SIZE"},
		{"dh2048.pem", 2048, ""},
		{"dh2048.pem", 3072, "ERR_TLS_DH_PARAM_SIZE"},
	} {
		t.Run(tc.dh+strconv.Itoa(tc.min), func(t *testing.T) {
			o := keyCert(t, "localhost")
			o.DHParam, o.Ciphers = testpki.Read(t, tc.dh), "DHE-RSA-AES128-GCM-SHA256"
			srv := echoServer(t, tls.ServerOptions{SecureContextOptions: o})
			c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, RejectUnauthorized: tls.Bool(false), MinDHSize: tc.min,
				SecureContextOptions: tls.SecureContextOptions{MaxVersion: "TLSv1.2", Ciphers: "DHE-RSA-AES128-GCM-SHA256"}})
			if tc.code == "" {
				require.NoError(t, err)
				c.Close()
				return
			}
			require.Equal(t, tc.code, tlsCode(err))
			bits := map[string]string{"dh1024.pem": "1024", "dh2048.pem": "2048"}[tc.dh]
			require.Equal(t, "DH parameter size "+bits+" is less than 2048", err.Error())
		})
	}
	_, err := tls.Connect(tls.ConnectOptions{MinDHSize: -1})
	require.Equal(t, "ERR_OUT_OF_RANGE", tlsCode(err))
}

// TestChainsFromCA: intermediates given only in CA complete chains on both
// sides, several CAs may share one PEM entry, and PeerCertificate(true)
// links the issuers from the peer chain and then the local store.
func TestChainsFromCA(t *testing.T) {
	leafOnly := keyCert(t, "agent6") // agent6 alone; its issuer ca3 is not sent
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: leafOnly})
	check := func(string, *tls.PeerCertificate) error { return nil }
	connect := func(port int, ca ...string) (*tls.TLSSocket, error) {
		return tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: port, RejectUnauthorized: tls.Bool(false),
			CheckServerIdentity: check, SecureContextOptions: tls.SecureContextOptions{CA: caOpts(t, ca...)}})
	}
	c, err := connect(srv.Address().Port, "ca1-cert.pem")
	require.NoError(t, err)
	require.Equal(t, "UNABLE_TO_VERIFY_LEAF_SIGNATURE", tlsCode(c.AuthorizationError()))
	c.Close()

	// The client has the intermediate in CA: the chain verifies, and the
	// detailed certificate climbs agent6 -> ca3 -> ca1 from the store.
	c, err = connect(srv.Address().Port, "ca1-cert.pem", "ca3-cert.pem")
	require.NoError(t, err)
	require.True(t, c.Authorized())
	var cns []string
	for pc := c.PeerCertificate(true); pc != nil; pc = pc.IssuerCertificate {
		cns = append(cns, pc.Subject["CN"])
	}
	require.Equal(t, []string{"agent6", "ca3", "ca1"}, cns)
	c.Close()

	// The server has the intermediate in its CA: it sends it.
	o := keyCert(t, "agent6")
	o.CA = caOpts(t, "ca3-cert.pem")
	srv2 := echoServer(t, tls.ServerOptions{SecureContextOptions: o})
	c, err = connect(srv2.Address().Port, "ca1-cert.pem")
	require.NoError(t, err)
	require.True(t, c.Authorized(), "%v", c.AuthorizationError())
	c.Close()

	// ca1 and ca2 in one PEM entry both count.
	srv3 := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "agent3")})
	c, err = connect(srv3.Address().Port, "ca1-ca2.pem")
	require.NoError(t, err)
	require.True(t, c.Authorized())
	c.Close()
}

// TestServerNameRules: SNI only when ServerName is set (an IP is still
// sent, with Node's DEP0123 warning); Dial fills it from a host name.
func TestServerNameRules(t *testing.T) {
	names := make(chan string, 4)
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")})
	srv.OnSecureConnection(func(s *tls.TLSSocket) { names <- s.ServerName() })
	port := srv.Address().Port
	ca := tls.SecureContextOptions{CA: caOpts(t, "ca1-cert.pem")}

	c, err := tls.Connect(tls.ConnectOptions{Host: "localhost", Port: port, SecureContextOptions: ca})
	require.NoError(t, err)
	require.Equal(t, "", <-names, "Connect sends no SNI from Host")
	require.True(t, c.Authorized(), "the certificate is checked against Host")
	c.Close()

	var warnings []string
	tls.OnWarning = func(name, code, msg string) { warnings = append(warnings, name+" "+code) }
	defer func() { tls.OnWarning = nil }()
	c, err = tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: port, ServerName: "127.0.0.1", SecureContextOptions: ca})
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", <-names)
	require.Equal(t, []string{"DeprecationWarning DEP0123"}, warnings)
	c.Close()

	c, err = tls.Dial("tcp", "localhost:"+strconv.Itoa(port), tls.ConnectOptions{SecureContextOptions: ca})
	require.NoError(t, err)
	require.Equal(t, "localhost", <-names, "Dial sends the host name, as crypto/tls")
	require.Equal(t, "localhost", c.ServerName())
	c.Close()
}

// TestTLS13CertificateRequired: under TLS 1.3 a client without a
// certificate sees secureConnect, then the server's alert (Node case 71).
func TestTLS13CertificateRequired(t *testing.T) {
	o := keyCert(t, "localhost")
	o.CA = caOpts(t, "ca1-cert.pem")
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: o, RequestCert: true})
	errs := make(chan error, 1)
	srv.OnTLSClientError(func(err error, s *tls.TLSSocket) { errs <- err })
	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, ServerName: "localhost",
		SecureContextOptions: tls.SecureContextOptions{CA: caOpts(t, "ca1-cert.pem")}})
	require.NoError(t, err)
	defer c.Close()
	require.True(t, c.Authorized())
	_, err = c.Read(make([]byte, 1))
	require.Equal(t, "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", tlsCode(err))
	require.Equal(t, "ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE", tlsCode(<-errs))
}

// TestResumedSessionSkipsIdentityCheck: a resumed session keeps the
// earlier verification and CheckServerIdentity is not called, as in Node.
func TestResumedSessionSkipsIdentityCheck(t *testing.T) {
	for _, max := range []string{"TLSv1.2", "TLSv1.3"} {
		t.Run(max, func(t *testing.T) {
			srv := echoServer(t, tls.ServerOptions{SecureContextOptions: keyCert(t, "localhost")})
			ca := tls.SecureContextOptions{CA: caOpts(t, "ca1-cert.pem"), MaxVersion: max}
			c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, ServerName: "localhost", SecureContextOptions: ca})
			require.NoError(t, err)
			roundTrip(t, c, "x") // under TLS 1.3 the ticket is read here
			sess := c.Session()
			require.NotNil(t, sess)
			require.False(t, c.IsSessionReused())
			c.Close()

			calls := 0
			c, err = tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, ServerName: "localhost", Session: sess,
				CheckServerIdentity:  func(string, *tls.PeerCertificate) error { calls++; return errors.New("not this host") },
				SecureContextOptions: ca})
			require.NoError(t, err)
			require.True(t, c.IsSessionReused())
			require.True(t, c.Authorized())
			require.Zero(t, calls, "CheckServerIdentity runs only on full handshakes")
			c.Close()

			// A full handshake does call it, and its error rejects.
			_, err = tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, ServerName: "localhost",
				CheckServerIdentity:  func(string, *tls.PeerCertificate) error { calls++; return errors.New("not this host") },
				SecureContextOptions: ca})
			require.EqualError(t, err, "not this host")
			require.Equal(t, 1, calls)
		})
	}
	_, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: 1, Session: []byte("garbage")})
	require.Error(t, err)
}
