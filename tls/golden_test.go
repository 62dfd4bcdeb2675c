package tls_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/nodetls/nodetls/internal/testpki"
	"github.com/nodetls/nodetls/tls"
	"github.com/stretchr/testify/require"
)

// connectionCase is one entry of testdata/node/connection.json: what a
// Node client saw against a Node server (connection.js).
type connectionCase struct {
	Name             string                 `json:"name"`
	Error            string                 `json:"error"`
	Authorized       bool                   `json:"authorized"`
	Protocol         string                 `json:"protocol"`
	Cipher           tls.CipherInfo         `json:"cipher"`
	EphemeralKeyInfo map[string]interface{} `json:"ephemeralKeyInfo"`
}

func loadConnectionGolden(t *testing.T) []connectionCase {
	b, err := os.ReadFile("testdata/node/connection.json")
	require.NoError(t, err)
	var f struct{ Cases []connectionCase }
	require.NoError(t, json.Unmarshal(b, &f))
	require.NotEmpty(t, f.Cases)
	return f.Cases
}

// scenario is the Go spelling of one scenario of testdata/node/scenarios.js.
type scenario struct {
	cert           string
	server, client tls.SecureContextOptions
}

func scenarios(t testing.TB) map[string]scenario {
	return map[string]scenario{
		"default-tls13":   {},
		"tls12-ecdhe-rsa": {client: tls.SecureContextOptions{MaxVersion: "TLSv1.2"}},
		"tls12-aes128-sha256-rsa-kx": {
			server: tls.SecureContextOptions{Ciphers: "AES128-SHA256"},
			client: tls.SecureContextOptions{MaxVersion: "TLSv1.2", Ciphers: "AES128-SHA256"}},
		"tls12-dhe-2048": {
			server: tls.SecureContextOptions{DHParam: testpki.Read(t, "dh2048.pem"), Ciphers: "DHE-RSA-AES128-GCM-SHA256"},
			client: tls.SecureContextOptions{MaxVersion: "TLSv1.2", Ciphers: "DHE-RSA-AES128-GCM-SHA256"}},
		"tls12-dhe-1024": {
			server: tls.SecureContextOptions{DHParam: testpki.Read(t, "dh1024.pem"), Ciphers: "DHE-RSA-AES128-GCM-SHA256"},
			client: tls.SecureContextOptions{MaxVersion: "TLSv1.2", Ciphers: "DHE-RSA-AES128-GCM-SHA256"}},
		"curve-secp384r1": {server: tls.SecureContextOptions{ECDHCurve: "secp384r1"}, client: tls.SecureContextOptions{ECDHCurve: "secp384r1"}},
		"curve-auto":      {server: tls.SecureContextOptions{ECDHCurve: "auto"}, client: tls.SecureContextOptions{ECDHCurve: "auto"}},
		"honor-order": {
			server: tls.SecureContextOptions{Ciphers: "AES128-SHA256:AES256-SHA256"},
			client: tls.SecureContextOptions{MaxVersion: "TLSv1.2", Ciphers: "AES256-SHA256:AES128-SHA256"}},
		"tls12-method": {client: tls.SecureContextOptions{SecureProtocol: "TLSv1_2_method"}},
		"ec-leaf":      {cert: "ec-leaf"},
	}
}

func (s scenario) serverOptions(t testing.TB) tls.ServerOptions {
	role := s.cert
	if role == "" {
		role = "localhost"
	}
	o := s.server
	kc := keyCert(t, role)
	o.Key, o.Cert = kc.Key, kc.Cert
	return tls.ServerOptions{SecureContextOptions: o}
}

func (s scenario) connectOptions(t testing.TB, port int) tls.ConnectOptions {
	o := s.client
	o.CA = caOpts(t, "ca1-cert.pem")
	return tls.ConnectOptions{Host: "127.0.0.1", Port: port, ServerName: "localhost", SecureContextOptions: o}
}

func keyInfoMap(k *tls.EphemeralKeyInfo) map[string]interface{} {
	m := map[string]interface{}{}
	if k.Type != "" {
		m["type"] = k.Type
		m["size"] = float64(k.Size)
	}
	if k.Name != "" {
		m["name"] = k.Name
	}
	return m
}

// checkAgainstGolden compares what a client socket reports with Node's.
func checkAgainstGolden(t *testing.T, want connectionCase, c *tls.TLSSocket) {
	t.Helper()
	require.Equal(t, want.Authorized, c.Authorized())
	require.Equal(t, want.Protocol, c.Protocol())
	require.Equal(t, want.Cipher, c.Cipher())
	require.Equal(t, want.EphemeralKeyInfo, keyInfoMap(c.EphemeralKeyInfo()))
}

// TestGoldenConnections runs every Node scenario with our client against
// our server and compares Protocol, Cipher, EphemeralKeyInfo and
// Authorized with what Node reported for the same fixtures.
func TestGoldenConnections(t *testing.T) {
	sc := scenarios(t)
	for _, want := range loadConnectionGolden(t) {
		t.Run(want.Name, func(t *testing.T) {
			s, ok := sc[want.Name]
			require.True(t, ok, "scenario %s has no Go spelling", want.Name)
			srv := echoServer(t, s.serverOptions(t))
			c, err := tls.Connect(s.connectOptions(t, srv.Address().Port))
			require.NoError(t, err)
			defer c.Close()
			checkAgainstGolden(t, want, c)
			roundTrip(t, c, "golden")
		})
	}
}
