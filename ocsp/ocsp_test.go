package ocsp_test

import (
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nodetls/nodetls/internal/peers"
	"github.com/nodetls/nodetls/internal/testpki"
	"github.com/nodetls/nodetls/ocsp"
)

// der reads the first certificate of a PEM fixture as DER.
func der(t *testing.T, name string) []byte {
	t.Helper()
	b, _ := pem.Decode(testpki.Read(t, name))
	require.NotNil(t, b, name)
	return b.Bytes
}

func code(err error) string {
	if err == nil {
		return ""
	}
	var e *ocsp.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return fmt.Sprintf("not an *ocsp.Error: %v", err)
}

// openssl runs the openssl command and returns its standard output.
func openssl(t *testing.T, args ...string) string {
	t.Helper()
	bin := peers.Require(t, "openssl")
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, ee.Stderr)
		}
		t.Fatal(err)
	}
	return string(out)
}

// The request is byte for byte the one openssl ocsp -no_nonce makes.
func TestNewRequestMatchesOpenSSL(t *testing.T) {
	out := filepath.Join(t.TempDir(), "req.der")
	openssl(t, "ocsp", "-issuer", testpki.Path("ca1-cert.pem"), "-cert", testpki.Path("agent1-cert.pem"), "-no_nonce", "-reqout", out)
	want, err := os.ReadFile(out)
	require.NoError(t, err)
	got, err := ocsp.NewRequest(der(t, "agent1-cert.pem"), der(t, "ca1-cert.pem"))
	require.NoError(t, err)
	require.Equal(t, want, got)
}

func TestNewRequestBadInput(t *testing.T) {
	agent1, ca1 := der(t, "agent1-cert.pem"), der(t, "ca1-cert.pem")
	for name, args := range map[string][2][]byte{
		"no issuer":        {agent1, nil},
		"garbage cert":     {[]byte("not DER"), ca1},
		"garbage issuer":   {agent1, []byte{0x30, 0x03, 0x02, 0x01, 0x01}},
		"trailing bytes":   {append(append([]byte{}, agent1...), 0), ca1},
		"empty cert":       {nil, ca1},
		"truncated issuer": {agent1, ca1[:len(ca1)/2]},
	} {
		_, err := ocsp.NewRequest(args[0], args[1])
		require.Equal(t, ocsp.CodeMalformed, code(err), name)
	}
}

func TestResponderURL(t *testing.T) {
	url, err := ocsp.ResponderURL(der(t, "agent1-cert.pem"))
	require.NoError(t, err)
	require.Equal(t, "http://ocsp.nodejs.org/", url) // as openssl x509 -ocsp_uri prints it
	require.Equal(t, url+"\n", openssl(t, "x509", "-in", testpki.Path("agent1-cert.pem"), "-noout", "-ocsp_uri"))

	_, err = ocsp.ResponderURL(der(t, "ca1-cert.pem"))
	require.Equal(t, ocsp.CodeNoResponder, code(err))
	urls, err := ocsp.ResponderURLs(der(t, "ca1-cert.pem"))
	require.NoError(t, err)
	require.Empty(t, urls)
	_, err = ocsp.ResponderURL([]byte("junk"))
	require.Equal(t, ocsp.CodeMalformed, code(err))
}

// respText is what openssl ocsp -resp_text says about the first single
// response.
type respText struct {
	status, hashAlg, nameHash, keyHash, serial, certStatus, reason, revoked, thisUpdate, nextUpdate string
}

func parseRespText(t *testing.T, file string) respText {
	text := openssl(t, "ocsp", "-respin", file, "-resp_text", "-noverify")
	field := func(label string) string {
		m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(label) + `: (.*)$`).FindStringSubmatch(text)
		if m == nil {
			return ""
		}
		return strings.TrimSpace(m[1])
	}
	return respText{
		status: field("OCSP Response Status"), hashAlg: field("Hash Algorithm"), nameHash: field("Issuer Name Hash"),
		keyHash: field("Issuer Key Hash"), serial: field("Serial Number"), certStatus: field("Cert Status"),
		reason: field("Revocation Reason"), revoked: field("Revocation Time"), thisUpdate: field("This Update"),
		nextUpdate: field("Next Update"),
	}
}

// opensslTime formats t the way openssl's text output does.
func opensslTime(t time.Time) string {
	return t.UTC().Format("Jan _2 15:04:05 2006 GMT")
}

// The fixtures parse to what openssl ocsp -resp_text prints.
func TestParseResponseMatchesOpenSSL(t *testing.T) {
	for _, name := range []string{"agent1-ocsp.der", "revoked-ocsp.der"} {
		t.Run(name, func(t *testing.T) {
			want := parseRespText(t, testpki.Path(name))
			r, err := ocsp.ParseResponse(testpki.Read(t, name))
			require.NoError(t, err)
			require.Equal(t, "successful (0x0)", want.status)
			require.Equal(t, "successful", r.Status)
			require.Len(t, r.Responses, 1)
			s := r.Responses[0]
			require.Equal(t, want.hashAlg, strings.ToLower(s.HashAlgorithm))
			require.Equal(t, want.nameHash, fmt.Sprintf("%X", s.IssuerNameHash))
			require.Equal(t, want.keyHash, fmt.Sprintf("%X", s.IssuerKeyHash))
			require.Equal(t, want.serial, fmt.Sprintf("%X", s.SerialNumber))
			require.Equal(t, want.certStatus, s.CertStatus)
			require.Equal(t, want.thisUpdate, opensslTime(s.ThisUpdate))
			require.Equal(t, want.nextUpdate, opensslTime(s.NextUpdate))
			if s.CertStatus == "revoked" {
				require.Equal(t, "keyCompromise (0x1)", want.reason)
				require.Equal(t, "keyCompromise", s.RevocationReason)
				require.Equal(t, want.revoked, opensslTime(s.RevokedAt))
			} else {
				require.Empty(t, s.RevocationReason)
				require.True(t, s.RevokedAt.IsZero())
			}
			require.Equal(t, testpki.Read(t, name), r.Raw)
		})
	}
}

func TestParseResponseBadInput(t *testing.T) {
	good := testpki.Read(t, "agent1-ocsp.der")
	for name, in := range map[string][]byte{
		"empty":     nil,
		"garbage":   []byte("garbage"),
		"truncated": good[:len(good)-1],
		"trailing":  append(append([]byte{}, good...), 0),
		"a cert":    der(t, "agent1-cert.pem"),
	} {
		_, err := ocsp.ParseResponse(in)
		require.Equal(t, ocsp.CodeMalformed, code(err), name)
	}
	// An error status parses; Verify and Find report it.
	for status, name := range map[byte]string{1: "malformedrequest", 2: "internalerror", 3: "trylater", 5: "sigrequired", 6: "unauthorized"} {
		r, err := ocsp.ParseResponse([]byte{0x30, 0x03, 0x0a, 0x01, status})
		require.NoError(t, err)
		require.Equal(t, name, r.Status)
		require.Empty(t, r.Responses)
		_, err = r.Verify(der(t, "agent1-cert.pem"), der(t, "ca1-cert.pem"), ocsp.VerifyOptions{})
		require.Equal(t, ocsp.CodeUnsuccessful, code(err))
		require.Equal(t, "OCSP_UNSUCCESSFUL: the OCSP responder answered "+name, err.Error())
		_, err = r.Find(der(t, "agent1-cert.pem"), der(t, "ca1-cert.pem"))
		require.Equal(t, ocsp.CodeUnsuccessful, code(err))
	}
	// successful, but no response bytes
	_, err := ocsp.ParseResponse([]byte{0x30, 0x03, 0x0a, 0x01, 0x00})
	require.Equal(t, ocsp.CodeMalformed, code(err))
	// statuses RFC 6960 does not define (4 is unused)
	for _, status := range []byte{4, 7, 0x10} {
		_, err := ocsp.ParseResponse([]byte{0x30, 0x03, 0x0a, 0x01, status})
		require.Equal(t, ocsp.CodeMalformed, code(err), "status %d", status)
	}
	// tryLater, with the body of a successful response (found by fuzzing)
	body := append([]byte{}, good...)
	require.Equal(t, []byte{0x0a, 0x01, 0x00}, body[4:7])
	body[6] = 3
	_, err = ocsp.ParseResponse(body)
	require.Equal(t, ocsp.CodeMalformed, code(err))
	require.Contains(t, err.Error(), "an unsuccessful OCSP response (trylater) with a response body")
}
