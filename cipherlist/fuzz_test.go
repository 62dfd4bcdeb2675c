package cipherlist_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/nodetls/nodetls/cipherlist"
)

var fuzzSeeds = []string{
	cipherlist.Default,
	nodeDefault,
	"TLS_AES_128_GCM_SHA256:!aNULL:@SECLEVEL=2",
	"ECDHE+AESGCM:!kRSA+SHA1,-RSA +SHA1;@STRENGTH",
	"ECDHE!AESGCM@STRENGTH",
	"!TLS_AES_128_GCM_SHA256::TLS_X,TLS_Y: TLS_Z",
	"AES_128:A+:!:@:*",
	"DEFAULT:@SECLEVEL=0",
	"HIGH\x00X\tY",
	"",
	":::",
}

// pieces returns the non-empty ':'-separated pieces of s.
func pieces(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ":") {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// FuzzSplitCipherList: Split never panics, never accepts a list with no
// suites, and splits into halves that re-join to an equivalent list:
// splitting again gives the same halves, and no piece is lost or changed.
// Tokens never panics and covers every byte that is not a separator.
func FuzzSplitCipherList(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tls12, tls13, err := cipherlist.Split(s)
		if err != nil {
			if !errors.Is(err, cipherlist.ErrEmpty) || len(pieces(s)) != 0 {
				t.Fatalf("Split(%q) = %v, for a list with pieces %q", s, err, pieces(s))
			}
		} else {
			if tls12 == "" && tls13 == "" {
				t.Fatalf("Split(%q) accepted a list with no suites", s)
			}
			joined := strings.Trim(tls12+":"+tls13, ":")
			a, b, err := cipherlist.Split(joined)
			if err != nil || a != tls12 || b != tls13 {
				t.Fatalf("Split(%q) = %q, %q but Split(%q) = %q, %q, %v", s, tls12, tls13, joined, a, b, err)
			}
			for _, p := range pieces(tls13) {
				if !strings.HasPrefix(p, "TLS_") && !strings.HasPrefix(p, "!TLS_") {
					t.Fatalf("Split(%q): %q in tls13", s, p)
				}
			}
			// Each half keeps its pieces in their original order.
			var tls12Want, tls13Want []string
			for _, p := range pieces(s) {
				if strings.HasPrefix(p, "TLS_") || strings.HasPrefix(p, "!TLS_") {
					tls13Want = append(tls13Want, p)
				} else {
					tls12Want = append(tls12Want, p)
				}
			}
			if tls12 != strings.Join(tls12Want, ":") || tls13 != strings.Join(tls13Want, ":") {
				t.Fatalf("Split(%q) = %q, %q: pieces lost or reordered", s, tls12, tls13)
			}
		}

		covered := make([]bool, len(s))
		end := 0
		for _, tok := range cipherlist.Tokens(s) {
			if tok.Pos < end || tok.Text == "" || s[tok.Pos:tok.Pos+len(tok.Text)] != tok.Text {
				t.Fatalf("Tokens(%q): bad token %+v", s, tok)
			}
			op := ""
			if tok.Op != 0 {
				op = string(rune(tok.Op))
			}
			// A directive's Text may run on past its Name; any other
			// rule's Text is exactly its operator and Name.
			if tok.Op == '@' && !strings.HasPrefix(tok.Text, op+tok.Name) || tok.Op != '@' && tok.Text != op+tok.Name {
				t.Fatalf("Tokens(%q): token %+v: Text is not Op and Name", s, tok)
			}
			end = tok.Pos + len(tok.Text)
			for i := tok.Pos; i < end; i++ {
				covered[i] = true
			}
		}
		for i, c := range covered {
			if !c && !strings.ContainsRune(":, ;", rune(s[i])) {
				t.Fatalf("Tokens(%q) skipped byte %d (%q)", s, i, s[i])
			}
		}
	})
}

// FuzzCheck: Check never panics; it refuses a list only with an *Error;
// each unknown rule appears in the list as written; and a list Check
// accepts, Resolve accepts too.
func FuzzCheck(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 256 {
			t.Skip("each rule costs an OpenSSL call; long lists add nothing")
		}
		unknown, err := cipherlist.Check(s)
		for _, u := range unknown {
			if u == "" || !strings.Contains(s, u) {
				t.Fatalf("Check(%q): unknown rule %q is not in the list", s, u)
			}
		}
		_, resolveErr := cipherlist.Resolve(s)
		if err == nil {
			if resolveErr != nil {
				t.Fatalf("Check(%q) accepted it but Resolve says %v", s, resolveErr)
			}
			return
		}
		var ce *cipherlist.Error
		if !errors.As(err, &ce) || ce.List != s || err.Error() == "" {
			t.Fatalf("Check(%q) = %v (%T)", s, err, err)
		}
		if resolveErr == nil {
			t.Fatalf("Check(%q) = %v but Resolve accepted it", s, err)
		}
		if _, _, splitErr := cipherlist.Split(s); (splitErr != nil) != errors.Is(err, cipherlist.ErrEmpty) {
			t.Fatalf("Check(%q) = %v, Split says %v", s, err, splitErr)
		}
	})
}
