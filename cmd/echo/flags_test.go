package main

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nodetls/nodetls/tls"
)

var testSpecs = []*flagSpec{
	{name: "listen"},
	{name: "json", kind: kindBool},
	{name: "reject-unauthorized", kind: kindBool},
	{name: "ca", kind: kindFile, repeat: true},
	{name: "alpn", kind: kindList},
	{name: "timeout", kind: kindDuration},
	{name: "n", kind: kindInt},
	{name: "opts", kind: kindUint},
}

func TestParseFlagsForms(t *testing.T) {
	dir := t.TempDir()
	ca1, ca2 := filepath.Join(dir, "a.pem"), filepath.Join(dir, "b.pem")
	os.WriteFile(ca1, []byte("A"), 0o600)
	os.WriteFile(ca2, []byte("B"), 0o600)
	f, err := parseFlags(testSpecs, []string{
		"host:1", "--listen", "x:1", "--json", "--reject-unauthorized", "false",
		"--ca=" + ca1, "-ca", ca2, "--alpn", "h2, http/1.1,", "--alpn=x",
		"--timeout=1500ms", "--n", "-3", "--opts", "0x10", "--", "--json",
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.operands; !reflect.DeepEqual(got, []string{"host:1", "--json"}) {
		t.Errorf("operands %q", got)
	}
	if f.str("listen", "") != "x:1" || !f.boolean("json", false) || f.boolean("reject-unauthorized", true) {
		t.Errorf("listen %q json %v reject %v", f.str("listen", ""), f.boolean("json", false), f.boolean("reject-unauthorized", true))
	}
	if got := f.files("ca"); len(got) != 2 || string(got[0]) != "A" || string(got[1]) != "B" {
		t.Errorf("ca %q", got)
	}
	if got := f.list("alpn"); !reflect.DeepEqual(got, []string{"h2", "http/1.1", "x"}) {
		t.Errorf("alpn %q", got)
	}
	if f.last("timeout").d != 1500*time.Millisecond || f.last("n").i != -3 || f.last("opts").u != 16 {
		t.Errorf("timeout %v n %d opts %d", f.last("timeout").d, f.last("n").i, f.last("opts").u)
	}
	if f.list("nothing") != nil || f.has("nothing") {
		t.Error("an absent flag is present")
	}
}

func TestParseFlagsBool(t *testing.T) {
	for _, c := range []struct {
		args     []string
		want     bool
		operands int
	}{
		{[]string{"--json"}, true, 0},
		{[]string{"--json=true"}, true, 0},
		{[]string{"--json=false"}, false, 0},
		{[]string{"--json", "false"}, false, 0},
		{[]string{"--json", "true", "h:1"}, true, 1},
		{[]string{"--json", "h:1"}, true, 1},
		{[]string{"--json=false", "--json"}, true, 0}, // the last one wins
	} {
		f, err := parseFlags(testSpecs, c.args)
		if err != nil {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		if got := f.boolean("json", !c.want); got != c.want || len(f.operands) != c.operands {
			t.Errorf("%q: json %v operands %q, want %v and %d", c.args, got, f.operands, c.want, c.operands)
		}
	}
}

func TestParseFlagsErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.pem")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--nope"}, "--nope: unknown flag"},
		{[]string{"--listen"}, "--listen: missing value ()"},
		{[]string{"--json=maybe"}, `--json: invalid boolean "maybe" (want true or false)`},
		{[]string{"--timeout", "5"}, `--timeout: invalid duration "5" (Go syntax: 1s, 500ms)`},
		{[]string{"--n", "x"}, `--n: invalid integer "x"`},
		{[]string{"--opts", "-1"}, `--opts: invalid unsigned integer "-1"`},
		{[]string{"--ca", missing}, "--ca: ENOENT: open " + missing + ": no such file or directory"},
		{[]string{"--ca", ""}, "--ca: empty file name"},
		{[]string{"--n", "x", "--nope"}, "--nope: unknown flag"}, // unknown flags first
		{[]string{"--n", "x", "--timeout", "y"}, `--n: invalid integer "x"`},
	} {
		_, err := parseFlags(testSpecs, c.args)
		var ue *usageError
		if !errors.As(err, &ue) || ue.Error() != c.want {
			t.Errorf("%q: error %v, want %q", c.args, err, c.want)
		}
	}
}

func TestParseFlagsHelp(t *testing.T) {
	// --help anywhere wins over bad values, which are not checked then.
	f, err := parseFlags(testSpecs, []string{"--json", "--help", "--n", "x"})
	if err != nil || !f.help {
		t.Errorf("--help: %v, help %v", err, f != nil && f.help)
	}
	// An unknown flag before it is still reported.
	if _, err := parseFlags(testSpecs, []string{"--nope", "-h"}); err == nil {
		t.Error("--nope -h: no error")
	}
}

func TestUsageErrorFormat(t *testing.T) {
	for _, c := range []struct {
		e    *usageError
		want string
	}{
		{&usageError{flag: "ciphers", code: "ERR_SSL_NO_CIPHER_MATCH", message: "no cipher match"}, "--ciphers: ERR_SSL_NO_CIPHER_MATCH: no cipher match"},
		{&usageError{flag: "nope", message: "unknown flag"}, "--nope: unknown flag"},
		{&usageError{code: "X", message: "m"}, "X: m"},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("%q, want %q", got, c.want)
		}
	}
}

// blame names the first flag whose setting the library refuses.
func TestBlame(t *testing.T) {
	f, err := parseFlags(serverSpecs, []string{"--ciphers", "NOPE", "--ecdh-curve", "nope", "--min-version", "TLSv1.2"})
	if err != nil {
		t.Fatal(err)
	}
	steps, _, err := serverSteps(f)
	if err != nil {
		t.Fatal(err)
	}
	err = blame(steps, trySetup)
	var ue *usageError
	if !errors.As(err, &ue) || ue.flag != "ciphers" || ue.code != "ERR_SSL_NO_CIPHER_MATCH" {
		t.Errorf("blame: %v, want --ciphers' ERR_SSL_NO_CIPHER_MATCH", err)
	}
	if tls.DefaultCiphers != origDefaultCiphers {
		t.Error("blame left tls.DefaultCiphers changed")
	}

	f, _ = parseFlags(serverSpecs, []string{"--min-version", "TLSv1.2"})
	steps, _, _ = serverSteps(f)
	if err := blame(steps, trySetup); err != nil {
		t.Errorf("valid settings blamed: %v", err)
	}
}

func TestOneLine(t *testing.T) {
	if got := oneLine("a\nb  c\n"); got != "a; b c" {
		t.Errorf("%q", got)
	}
	if !strings.Contains(helpText(), "--handshake-timeout DURATION") {
		t.Error("help text lacks a flag")
	}
}
