package ossl_test

import (
	"testing"

	"github.com/nodetls/nodetls/internal/testpki"
	"github.com/nodetls/nodetls/ossl"
)

// FuzzLoadPEM feeds arbitrary bytes to every loader: none may crash, and
// every failure must carry an explanation.
func FuzzLoadPEM(f *testing.F) {
	for _, n := range []string{"localhost-key.pem", "localhost-cert.pem", "agent6-chain.pem", "pass-key.pem", "dh1024.pem", "ca1-ca2.pem", "agent1.pfx"} {
		f.Add(testpki.MustRead(n))
	}
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ossl.NewCtx(ossl.MethodTLS)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Free()
		check := func(err error) {
			if err != nil && err.Error() == "" {
				t.Fatal("empty error")
			}
		}
		check(c.UseCertificateChain(b))
		check(c.UsePrivateKey(b, "passphrase", true))
		c.AddCA(b)
		_, _, err = c.SetDHParams(b)
		check(err)
		check(c.UsePKCS12(b, "sample", true))
	})
}

// FuzzServerHandshake feeds arbitrary bytes to a server SSL as if a client
// sent them: OpenSSL must answer with an error or a want, never a crash.
func FuzzServerHandshake(f *testing.F) {
	f.Add([]byte{0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00})
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))
	f.Add(make([]byte, 1024))
	ctx, err := ossl.NewCtx(ossl.MethodTLS)
	if err != nil {
		f.Fatal(err)
	}
	defer ctx.Free()
	if err := ctx.UseCertificateChain(testpki.MustRead("localhost-cert.pem")); err != nil {
		f.Fatal(err)
	}
	if err := ctx.UsePrivateKey(testpki.MustRead("localhost-key.pem"), "", false); err != nil {
		f.Fatal(err)
	}
	out := make([]byte, 70000)
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ossl.NewSSL(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Free()
		r := s.Step(ossl.OpHandshake, b, nil, out)
		if r.SSLError == ossl.ErrorSSL && r.Err == nil {
			t.Fatal("SSL error without a queue copy")
		}
		if r.InitFinished {
			t.Fatal("a handshake finished on fuzz bytes")
		}
	})
}
