package tls_test

import (
	"os"
	"testing"
	"time"

	"github.com/nodetls/nodetls/tls"
	"github.com/stretchr/testify/require"
)

// TestClientCertificates covers the server side of RequestCert as far as
// this issue takes it (research/node-cases.md §5, cases 70, 72-74).
func TestClientCertificates(t *testing.T) {
	type result struct {
		authorized bool
		code, cn   string
	}
	for _, tc := range []struct {
		name       string
		client     string // role of the client certificate; "" for none
		reject     bool
		max        string
		connectErr string
		want       result
		clientErr  string
	}{
		{name: "trusted", client: "agent1", reject: true, want: result{true, "", "agent1"}},
		{name: "none-not-rejecting", reject: false, want: result{false, "UNABLE_TO_GET_ISSUER_CERT", ""}},
		{name: "self-signed-not-rejecting", client: "agent2", reject: false, want: result{false, "DEPTH_ZERO_SELF_SIGNED_CERT", "agent2"}},
		{name: "self-signed-rejected-tls12", client: "agent2", reject: true, max: "TLSv1.2",
			connectErr: "ECONNRESET", clientErr: "DEPTH_ZERO_SELF_SIGNED_CERT"},
		{name: "none-rejected-tls12", reject: true, max: "TLSv1.2",
			connectErr: "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE", clientErr: "ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := keyCert(t, "localhost")
			o.CA = caOpts(t, "ca1-cert.pem")
			got := make(chan result, 1)
			srvErr := make(chan error, 1)
			srv := echoServer(t, tls.ServerOptions{SecureContextOptions: o, RequestCert: true, RejectUnauthorized: tls.Bool(tc.reject)})
			srv.OnSecureConnection(func(s *tls.TLSSocket) {
				r := result{authorized: s.Authorized(), code: tlsCode(s.AuthorizationError())}
				if pc := s.PeerCertificate(false); pc != nil {
					r.cn = pc.Subject["CN"]
				}
				got <- r
			})
			srv.OnTLSClientError(func(err error, s *tls.TLSSocket) { srvErr <- err })
			co := tls.SecureContextOptions{CA: caOpts(t, "ca1-cert.pem"), MaxVersion: tc.max}
			if tc.client != "" {
				kc := keyCert(t, tc.client)
				co.Key, co.Cert = kc.Key, kc.Cert
			}
			c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, ServerName: "localhost", SecureContextOptions: co})
			if tc.connectErr != "" {
				require.Equal(t, tc.connectErr, tlsCode(err), "%v", err)
				select {
				case e := <-srvErr:
					require.Equal(t, tc.clientErr, tlsCode(e), "%v", e)
				case <-time.After(30 * time.Second):
					t.Fatal("no tlsClientError")
				}
				return
			}
			require.NoError(t, err)
			defer c.Close()
			select {
			case r := <-got:
				require.Equal(t, tc.want, r)
			case <-time.After(30 * time.Second):
				t.Fatal("no secureConnection")
			}
		})
	}
}

// TestTLS13UntrustedClientRejected: under TLS 1.3 a rejected client
// certificate surfaces after secureConnect: the client's next read ends,
// and the server reports the code to OnTLSClientError (Node case 74).
func TestTLS13UntrustedClientRejected(t *testing.T) {
	o := keyCert(t, "localhost")
	o.CA = caOpts(t, "ca1-cert.pem")
	srv := echoServer(t, tls.ServerOptions{SecureContextOptions: o, RequestCert: true})
	errs := make(chan error, 1)
	srv.OnTLSClientError(func(err error, s *tls.TLSSocket) { errs <- err })
	kc := keyCert(t, "agent2")
	c, err := tls.Connect(tls.ConnectOptions{Host: "127.0.0.1", Port: srv.Address().Port, ServerName: "localhost",
		SecureContextOptions: tls.SecureContextOptions{CA: caOpts(t, "ca1-cert.pem"), Key: kc.Key, Cert: kc.Cert}})
	require.NoError(t, err, "TLS 1.3: the client finishes first")
	defer c.Close()
	require.Equal(t, "TLSv1.3", c.Protocol())
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, err = c.Read(make([]byte, 1))
	require.Error(t, err)
	require.NotErrorIs(t, err, os.ErrDeadlineExceeded)
	require.Equal(t, "DEPTH_ZERO_SELF_SIGNED_CERT", tlsCode(<-errs))
}
