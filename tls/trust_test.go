package tls_test

import (
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
