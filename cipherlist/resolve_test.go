package cipherlist_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/nodetls/nodetls/cipherlist"
	"github.com/nodetls/nodetls/internal/peers"
	"github.com/nodetls/nodetls/ossl"
)

// nodeDefault is node v20.20.2's tls.DEFAULT_CIPHERS, which starts with the
// three TLS 1.3 names that cipherlist.Default leaves to OpenSSL.
const nodeDefault = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:" + cipherlist.Default

// defaultUnknown are the rules of Default that match no cipher in OpenSSL 3.0.
var defaultUnknown = []string{"DHE-RSA-AES256-SHA384", "ECDHE-RSA-AES256-SHA256", "!EXPORT", "!DES", "!RC4"}

var tls13Defaults = []string{"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"}

// checkCases are Check's table. err says what Node's createSecureContext
// does with the string ("" accepts, else the reason), which
// TestCheckLikeNode confirms against a real node.
var checkCases = []struct {
	in      string
	unknown []string
	err     string
}{
	// Node's default names two suites OpenSSL never had (DHE-RSA-AES256-SHA384
	// and ECDHE-RSA-AES256-SHA256) and three aliases whose suites OpenSSL 3.0
	// no longer has: rules that match nothing, which is what Check reports.
	{in: cipherlist.Default, unknown: defaultUnknown},
	{in: nodeDefault, unknown: defaultUnknown},
	{in: "DEFAULT:@SECLEVEL=0"},
	{in: "DEFAULT:HIGH"},
	{in: "HIGH:@STRENGTH"},
	{in: "ECDHE+AESGCM"},
	{in: "TLS_AES_128_GCM_SHA256"},
	{in: "TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_8_SHA256:ECDHE-RSA-AES128-GCM-SHA256"},
	{in: "ECDHE-RSA-AES128-GCM-SHA256,AES128-SHA HIGH;ARIA"},
	{in: "HIGH:MEDIUM:LOW", unknown: []string{"MEDIUM", "LOW"}}, // no such suites in OpenSSL 3.0
	{in: "FOO:HIGH", unknown: []string{"FOO"}},
	{in: "FOO:HIGH:FOO:BAR", unknown: []string{"FOO", "BAR"}},
	{in: "!BAR:-BAZ:+QUX:HIGH", unknown: []string{"!BAR", "-BAZ", "+QUX"}},
	{in: "ECDHE+FOO:HIGH", unknown: []string{"ECDHE+FOO"}},
	{in: "PSK+ECDSA:HIGH", unknown: []string{"PSK+ECDSA"}}, // known aliases, empty intersection
	{in: "HIGH:DEFAULT", unknown: []string{"DEFAULT"}},     // DEFAULT counts only first
	{in: "HIGH:SUITEB128", unknown: []string{"SUITEB128"}},
	{in: "HIGH\x00FOO", unknown: []string{"HIGH\x00FOO"}}, // OpenSSL stops at the NUL
	{in: "TLS_NOPE:TLS_AES_128_GCM_SHA256:HIGH", unknown: []string{"TLS_NOPE"}},
	{in: "!TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384", unknown: []string{"!TLS_AES_128_GCM_SHA256"}},
	{in: "FOO", unknown: []string{"FOO"}, err: "no cipher match"},
	{in: "FOO:BAR", unknown: []string{"FOO", "BAR"}, err: "no cipher match"},
	{in: "ALL:-ALL", err: "no cipher match"},
	{in: "@SECLEVEL=1", err: "no cipher match"},
	{in: "TLS_AES_128_GCM_SHA256:FOO", unknown: []string{"FOO"}, err: "no cipher match"},
	{in: "TLS_NOPE:HIGH", unknown: []string{"TLS_NOPE"}, err: "no cipher match"},
	{in: "!TLS_AES_128_GCM_SHA256:HIGH", unknown: []string{"!TLS_AES_128_GCM_SHA256"}, err: "no cipher match"},
	{in: "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384", unknown: []string{"TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384"}, err: "no cipher match"},
	{in: "HIGH:@SECLEVEL=9", unknown: []string{"@SECLEVEL=9"}, err: "invalid command"},
	{in: "HIGH:@FOO", unknown: []string{"@FOO"}, err: "invalid command"},
	{in: "AES_128", unknown: []string{"AES_128"}, err: "invalid command"},
	{in: "HIGH:!", unknown: []string{"!"}, err: "invalid command"},
	{in: "HIGH\tMEDIUM", unknown: []string{"HIGH\tMEDIUM"}, err: "invalid command"},
	{in: "", err: "empty"},
	{in: ":", err: "empty"},
}

func TestCheck(t *testing.T) {
	for _, tc := range checkCases {
		t.Run(tc.in, func(t *testing.T) {
			unknown, err := cipherlist.Check(tc.in)
			if !slices.Equal(unknown, tc.unknown) {
				t.Errorf("Check(%q) unknown = %q, want %q", tc.in, unknown, tc.unknown)
			}
			if tc.err == "" {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want nil", tc.in, err)
				}
				return
			}
			var ce *cipherlist.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Check(%q) = %v (%T), want a *cipherlist.Error", tc.in, err, err)
			}
			if ce.List != tc.in || !slices.Equal(ce.Unknown, unknown) {
				t.Errorf("Check(%q) error = %+v, want List and Unknown set", tc.in, ce)
			}
			if tc.err == "empty" {
				if !errors.Is(err, cipherlist.ErrEmpty) {
					t.Fatalf("Check(%q) = %v, want ErrEmpty", tc.in, err)
				}
				return
			}
			var oe *ossl.Error
			if !errors.As(err, &oe) || oe.Reason() != tc.err {
				t.Fatalf("Check(%q) = %v, want OpenSSL's %q", tc.in, err, tc.err)
			}
			for _, u := range tc.unknown {
				if !strings.Contains(err.Error(), strconv.Quote(u)) {
					t.Errorf("Check(%q) error %q does not name %q", tc.in, err, u)
				}
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	_, err := cipherlist.Check("FOO:BAR")
	const want = `cipherlist: "FOO:BAR" (unknown: "FOO", "BAR"): error:0A0000B9:SSL routines::no cipher match`
	if err == nil || err.Error() != want {
		t.Errorf("Check error = %v, want %s", err, want)
	}
	_, err = cipherlist.Resolve("::")
	if want := `cipherlist: no cipher names in "::"`; err == nil || err.Error() != want {
		t.Errorf("Resolve error = %v, want %s", err, want)
	}
}

// TestCheckLikeNode runs each Check case through node's
// tls.createSecureContext: Check must refuse exactly what node refuses,
// with the same OpenSSL reason.
func TestCheckLikeNode(t *testing.T) {
	node := peers.RequireNode(t, 20)
	var in []string
	for _, tc := range checkCases {
		if tc.in != "" { // node substitutes its default for ""
			in = append(in, tc.in)
		}
	}
	const script = `
const tls = require('tls');
const lists = JSON.parse(require('fs').readFileSync(0, 'utf8'));
console.log(JSON.stringify(lists.map((c) => {
  try { tls.createSecureContext({ ciphers: c }); return ''; }
  catch (e) { return e.reason || e.code; }
})));`
	cmd := exec.Command(node, "-e", script)
	b, _ := json.Marshal(in)
	cmd.Stdin = bytes.NewReader(b)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var got []string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node output %q: %v", out, err)
	}
	i := 0
	for _, tc := range checkCases {
		if tc.in == "" {
			continue
		}
		want := tc.err
		if want == "empty" {
			want = "ERR_INVALID_ARG_VALUE"
		}
		if got[i] != want {
			t.Errorf("node createSecureContext({ciphers: %q}): %q; the table says %q", tc.in, got[i], want)
		}
		i++
	}
}

func names(suites []cipherlist.Suite) []string {
	var out []string
	for _, s := range suites {
		out = append(out, s.Name)
	}
	return out
}

func TestResolve(t *testing.T) {
	cat := func(a ...[]string) []string { return slices.Concat(a...) }
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"AES128-SHA256:AES256-SHA256", cat(tls13Defaults, []string{"AES128-SHA256", "AES256-SHA256"})},
		{"ECDHE+AESGCM", cat(tls13Defaults, []string{"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256"})},
		{"TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256", []string{"TLS_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"}},
		{"TLS_AES_128_CCM_SHA256:TLS_AES_128_GCM_SHA256", []string{"TLS_AES_128_CCM_SHA256", "TLS_AES_128_GCM_SHA256"}},
		// An empty TLS 1.2 half clears those suites.
		{"TLS_AES_128_GCM_SHA256", []string{"TLS_AES_128_GCM_SHA256"}},
		// Unknown names are skipped, as OpenSSL skips them.
		{"FOO:AES128-SHA256", cat(tls13Defaults, []string{"AES128-SHA256"})},
		// Level 1 forbids NULL encryption; level 0 allows it.
		{"eNULL", tls13Defaults},
		{"NULL-SHA256:@SECLEVEL=0", cat(tls13Defaults, []string{"NULL-SHA256"})},
		// PSK suites need a callback that package tls never sets.
		{"PSK", tls13Defaults},
		// Level 5 forbids 128-bit suites, and a list may resolve to nothing.
		{"TLS_AES_128_GCM_SHA256:AES128-SHA256:@SECLEVEL=5", nil},
		{"TLS_AES_128_GCM_SHA256:AES256-SHA256:@SECLEVEL=3", []string{"TLS_AES_128_GCM_SHA256"}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := cipherlist.Resolve(tc.in)
			if err != nil {
				t.Fatalf("Resolve(%q): %v", tc.in, err)
			}
			if got == nil {
				t.Errorf("Resolve(%q) = nil, want a non-nil slice", tc.in)
			}
			if !slices.Equal(names(got), tc.want) {
				t.Fatalf("Resolve(%q) =\n\t%q\nwant\n\t%q", tc.in, names(got), tc.want)
			}
		})
	}
}

func TestResolve_errors(t *testing.T) {
	_, err := cipherlist.Resolve("")
	if !errors.Is(err, cipherlist.ErrEmpty) {
		t.Errorf("Resolve(\"\") = %v, want ErrEmpty", err)
	}
	_, err = cipherlist.Resolve("FOO:!BAR")
	var ce *cipherlist.Error
	var oe *ossl.Error
	if !errors.As(err, &ce) || !slices.Equal(ce.Unknown, []string{"FOO", "!BAR"}) ||
		!errors.As(err, &oe) || oe.Code() != "ERR_SSL_NO_CIPHER_MATCH" {
		t.Errorf("Resolve(\"FOO:!BAR\") = %v, want no cipher match naming FOO and !BAR", err)
	}
}

// TestResolve_default checks Default against node's own default string.
func TestResolve_default(t *testing.T) {
	a, err := cipherlist.Resolve(cipherlist.Default)
	if err != nil {
		t.Fatal(err)
	}
	b, err := cipherlist.Resolve(nodeDefault)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a, b) {
		t.Fatalf("Resolve(Default) =\n\t%q\nResolve(node's default) =\n\t%q", names(a), names(b))
	}
	if len(a) < 10 || !slices.Equal(names(a)[:3], tls13Defaults) {
		t.Fatalf("Resolve(Default) = %q", names(a))
	}
}

// TestDefaultLikeNode compares nodeDefault with the local node's.
func TestDefaultLikeNode(t *testing.T) {
	node := peers.RequireNode(t, 20)
	out, err := exec.Command(node, "-p", "require('tls').DEFAULT_CIPHERS").Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != nodeDefault {
		t.Fatalf("node's tls.DEFAULT_CIPHERS = %q, want %q", got, nodeDefault)
	}
}

// TestResolveLikeOpenSSL compares Resolve with `openssl ciphers -s -v`,
// name by name and column by column. The openssl command runs at the
// distribution's default security level (2 on Debian) while a new context
// here starts at Node's 1, so a list without @SECLEVEL gets
// ":@SECLEVEL=1" appended for the command.
func TestResolveLikeOpenSSL(t *testing.T) {
	openssl := peers.Require(t, "openssl")
	for _, list := range []string{
		cipherlist.Default,
		nodeDefault,
		"ECDHE+AESGCM",
		"HIGH:!aNULL",
		"AES128-SHA256:AES256-SHA256",
		"TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256",
		"TLS_AES_128_CCM_8_SHA256:TLS_AES_256_GCM_SHA384:ALL",
		"DEFAULT:@SECLEVEL=0",
		"ALL:COMPLEMENTOFALL:@SECLEVEL=0",
		"ALL:@SECLEVEL=3",
		"HIGH:@STRENGTH:@SECLEVEL=4",
		"AES:+aRSA:-SHA1:CAMELLIA128-SHA",
	} {
		t.Run(list, func(t *testing.T) {
			tls12, tls13, err := cipherlist.Split(list)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(tls12, "@SECLEVEL=") {
				tls12 += ":@SECLEVEL=1"
			}
			args := []string{"ciphers", "-s", "-v", "-stdname"}
			if tls13 != "" {
				args = append(args, "-ciphersuites", tls13)
			}
			out, err := exec.Command(openssl, append(args, tls12)...).Output()
			if err != nil {
				t.Fatalf("openssl %q: %v", append(args, tls12), err)
			}
			var want []cipherlist.Suite
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				f := strings.Fields(line)
				if len(f) != 8 {
					t.Fatalf("openssl ciphers line %q", line)
				}
				col := func(i int, key string) string { v, _ := strings.CutPrefix(f[i], key); return v }
				want = append(want, cipherlist.Suite{Name: f[2], StandardName: f[0], Version: f[3],
					Kx: col(4, "Kx="), Au: col(5, "Au="), Enc: col(6, "Enc="), Mac: col(7, "Mac=")})
			}
			got, err := cipherlist.Resolve(list)
			if err != nil {
				t.Fatalf("Resolve(%q): %v", list, err)
			}
			if !slices.Equal(names(got), names(want)) {
				t.Fatalf("Resolve(%q) =\n\t%q\nopenssl ciphers -s gives\n\t%q", list, names(got), names(want))
			}
			if !slices.Equal(got, want) {
				t.Fatalf("Resolve(%q) =\n\t%+v\nopenssl ciphers -s -v gives\n\t%+v", list, got, want)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	got, ok := cipherlist.Lookup("ECDHE-RSA-AES128-GCM-SHA256")
	want := cipherlist.Suite{Name: "ECDHE-RSA-AES128-GCM-SHA256", StandardName: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
		Version: "TLSv1.2", Kx: "ECDH", Au: "RSA", Enc: "AESGCM(128)", Mac: "AEAD"}
	if !ok || got != want {
		t.Errorf("Lookup = %+v, %v; want %+v", got, ok, want)
	}
	got, ok = cipherlist.Lookup("TLS_CHACHA20_POLY1305_SHA256")
	if !ok || got.Version != "TLSv1.3" || got.Kx != "any" || got.Enc != "CHACHA20/POLY1305(256)" {
		t.Errorf("Lookup(TLS_CHACHA20_POLY1305_SHA256) = %+v, %v", got, ok)
	}
	if _, ok := cipherlist.Lookup("HIGH"); ok {
		t.Error("Lookup(HIGH) found an alias")
	}
}

// TestCiphersLikeNode compares Ciphers with node's tls.getCiphers(),
// recorded in tls/testdata/node/ciphers.json (node ciphers.js refreshes it).
func TestCiphersLikeNode(t *testing.T) {
	b, err := os.ReadFile("../tls/testdata/node/ciphers.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden struct{ Ciphers []string }
	if err := json.Unmarshal(b, &golden); err != nil {
		t.Fatal(err)
	}
	got := cipherlist.Ciphers()
	if !slices.Equal(got, golden.Ciphers) {
		t.Fatalf("Ciphers() =\n\t%q\nnode's tls.getCiphers() =\n\t%q", got, golden.Ciphers)
	}
	got[0] = "changed"
	if cipherlist.Ciphers()[0] == "changed" {
		t.Fatal("Ciphers returned its cache, not a copy")
	}
}

// TestConcurrent runs the context-creating functions at once (for -race).
func TestConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if len(cipherlist.Ciphers()) == 0 {
				t.Error("Ciphers() is empty")
			}
			if _, err := cipherlist.Check("FOO:" + cipherlist.Default); err != nil {
				t.Error(err)
			}
			if _, err := cipherlist.Resolve(cipherlist.Default); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}
