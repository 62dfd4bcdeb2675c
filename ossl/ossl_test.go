package ossl_test

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/nodetls/nodetls/internal/leakcheck"
	"github.com/nodetls/nodetls/internal/testpki"
	"github.com/nodetls/nodetls/ossl"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func newCtx(t testing.TB) *ossl.Ctx {
	c, err := ossl.NewCtx(ossl.MethodTLS)
	require.NoError(t, err)
	t.Cleanup(c.Free)
	return c
}

func TestVersionIsThree(t *testing.T) {
	require.True(t, strings.HasPrefix(ossl.Version(), "OpenSSL 3."), ossl.Version())
}

// TestErrorCodes pins Node's code derivation on failures whose codes the
// local node reports (research/node-cases.md §2).
func TestErrorCodes(t *testing.T) {
	c := newCtx(t)
	cases := []struct {
		name, code, msg string
		err             error
	}{
		{"no cipher match", "ERR_SSL_NO_CIPHER_MATCH", "error:0A0000B9:SSL routines::no cipher match", c.SetCipherList("NOPE")},
		{"pem no start line", "ERR_OSSL_PEM_NO_START_LINE", "error:0480006C:PEM routines::no start line", c.UseCertificateChain([]byte("garbage"))},
		{"decoder", "ERR_OSSL_UNSUPPORTED", "error:1E08010C:DECODER routines::unsupported", c.UsePrivateKey([]byte("garbage"), "", false)},
		{"bad decrypt", "ERR_OSSL_BAD_DECRYPT", "error:1C800064:Provider routines::bad decrypt", c.UsePrivateKey(testpki.Read(t, "pass-key.pem"), "wrong", true)},
		{"empty passphrase", "ERR_OSSL_BAD_DECRYPT", "error:1C800064:Provider routines::bad decrypt", c.UsePrivateKey(testpki.Read(t, "pass-key.pem"), "", false)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var oe *ossl.Error
			require.ErrorAs(t, tc.err, &oe)
			require.Equal(t, tc.code, oe.Code())
			require.Equal(t, tc.msg, oe.Error())
			require.NotEmpty(t, oe.Reason())
		})
	}
	// Key values mismatch: agent2's certificate with agent1's key.
	m := newCtx(t)
	require.NoError(t, m.UseCertificateChain(testpki.Read(t, "agent2-cert.pem")))
	err := m.UsePrivateKey(testpki.Read(t, "agent1-key.pem"), "", false)
	var oe *ossl.Error
	require.ErrorAs(t, err, &oe)
	require.Equal(t, "ERR_OSSL_X509_KEY_VALUES_MISMATCH", oe.Code())
}

func TestEmptyQueueErrorIsNeverEmpty(t *testing.T) {
	e := &ossl.Error{Op: "SSL_foo"}
	require.Equal(t, "ossl: SSL_foo failed (empty error queue)", e.Error())
	require.Equal(t, "ERR_OSSL_UNKNOWN", e.Code())
}

// TestVerifyCodes pins Node's table of 27 verification names, and
// UNSPECIFIED for the rest.
func TestVerifyCodes(t *testing.T) {
	want := map[int]string{
		2: "UNABLE_TO_GET_ISSUER_CERT", 3: "UNABLE_TO_GET_CRL", 4: "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
		5: "UNABLE_TO_DECRYPT_CRL_SIGNATURE", 6: "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY", 7: "CERT_SIGNATURE_FAILURE",
		8: "CRL_SIGNATURE_FAILURE", 9: "CERT_NOT_YET_VALID", 10: "CERT_HAS_EXPIRED", 11: "CRL_NOT_YET_VALID",
		12: "CRL_HAS_EXPIRED", 13: "ERROR_IN_CERT_NOT_BEFORE_FIELD", 14: "ERROR_IN_CERT_NOT_AFTER_FIELD",
		15: "ERROR_IN_CRL_LAST_UPDATE_FIELD", 16: "ERROR_IN_CRL_NEXT_UPDATE_FIELD", 17: "OUT_OF_MEM",
		18: "DEPTH_ZERO_SELF_SIGNED_CERT", 19: "SELF_SIGNED_CERT_IN_CHAIN", 20: "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
		21: "UNABLE_TO_VERIFY_LEAF_SIGNATURE", 22: "CERT_CHAIN_TOO_LONG", 23: "CERT_REVOKED", 79: "INVALID_CA",
		25: "PATH_LENGTH_EXCEEDED", 26: "INVALID_PURPOSE", 27: "CERT_UNTRUSTED", 28: "CERT_REJECTED",
	}
	for n := 0; n < 120; n++ {
		r := ossl.VerifyResult(n)
		switch {
		case n == 0:
			require.Equal(t, "", r.Code())
			require.Equal(t, "ok", r.String())
		case want[n] != "":
			require.Equal(t, want[n], r.Code(), n)
		default:
			require.Equal(t, "UNSPECIFIED", r.Code(), n)
		}
	}
	require.Equal(t, "self-signed certificate", ossl.VerifyResult(18).String())
	require.Equal(t, "unable to verify the first certificate", ossl.VerifyResult(21).String())
}

// TestOptionConstantsMatchHeaders cross-checks the generated SSL_OP_*
// values against the headers as the C preprocessor reads them.
func TestOptionConstantsMatchHeaders(t *testing.T) {
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler")
	}
	src := "#include <openssl/ssl.h>\n#include <stdio.h>\nint main(void){\n"
	for name := range ossl.OptionNames {
		src += "printf(\"" + name + " %llu\\n\", (unsigned long long)(" + name + "));\n"
	}
	src += "return 0;}\n"
	dir := t.TempDir()
	cmd := exec.Command("sh", "-c", cc+" -x c - -o "+dir+"/opts $(pkg-config --cflags --libs libssl) && "+dir+"/opts")
	cmd.Stdin = strings.NewReader(src)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	re := regexp.MustCompile(`(?m)^(\S+) (\d+)$`)
	n := 0
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		require.Equal(t, m[2], itoa(ossl.OptionNames[m[1]]), m[1])
		n++
	}
	require.Equal(t, len(ossl.OptionNames), n)
	require.Equal(t, uint64(1)<<14, ossl.SSL_OP_NO_TICKET)
}

func itoa(v uint64) string {
	if v == 0 {
		return "0"
	}
	var b []byte
	for v > 0 {
		b = append([]byte{byte('0' + v%10)}, b...)
		v /= 10
	}
	return string(b)
}

func TestContextSettings(t *testing.T) {
	c := newCtx(t)
	require.Equal(t, 1, c.SecurityLevel(), "Node's level, not Debian's 2")
	min, max := c.ProtoVersions()
	require.Equal(t, 0x0303, min)
	require.Equal(t, 0x0304, max)
	require.NoError(t, c.SetCipherList("DEFAULT:@SECLEVEL=0"))
	require.Equal(t, 0, c.SecurityLevel())
	require.Error(t, c.SetGroupsList("bogus"))
	require.NoError(t, c.SetGroupsList("P-256:X25519"))
	require.Equal(t, 2, c.AddCA(testpki.Read(t, "ca1-ca2.pem")))
	require.Equal(t, 0, c.AddCA([]byte("garbage")))
	parsed, bits, err := c.SetDHParams(testpki.Read(t, "dh1024.pem"))
	require.True(t, parsed)
	require.Equal(t, 1024, bits)
	require.NoError(t, err)
	parsed, _, _ = c.SetDHParams([]byte("garbage"))
	require.False(t, parsed)
	require.NotEmpty(t, c.CipherNames())
}

func TestPKCS12(t *testing.T) {
	for _, f := range []string{"agent1.pfx", "agent1-legacy.pfx"} {
		c := newCtx(t)
		require.NoError(t, c.UsePKCS12(testpki.Read(t, f), "sample", true), f)
		require.Equal(t, 1, c.CertificateCount())
		err := newCtx(t).UsePKCS12(testpki.Read(t, f), "nope", true)
		var oe *ossl.Error
		require.ErrorAs(t, err, &oe, f)
		require.Equal(t, "mac verify failure", oe.Reason())
	}
}

func TestFreeIsIdempotentAndCounted(t *testing.T) {
	before := ossl.Live()
	c, err := ossl.NewCtx(ossl.MethodTLS)
	require.NoError(t, err)
	s, err := ossl.NewSSL(c, true)
	require.NoError(t, err)
	require.Equal(t, before+2, ossl.Live())
	s.Free()
	s.Free()
	c.Free()
	c.Free()
	require.Equal(t, before, ossl.Live())
	_, err = ossl.NewSSL(c, true)
	require.Error(t, err, "an SSL from a freed context")
}
