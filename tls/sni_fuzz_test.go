package tls

import (
	"strings"
	"testing"
)

// FuzzSNIPattern: AddContext patterns never panic; a name without '*' or
// regular-expression characters Node leaves unescaped matches itself and
// nothing longer; a '*' never spans a dot.
func FuzzSNIPattern(f *testing.F) {
	for _, s := range []string{"*.example.com", "a.b", "x*y.z", "[a]", "a+b", "*", "(a|b)", "é.example"} {
		f.Add(s, "sub")
	}
	f.Fuzz(func(t *testing.T, name, label string) {
		re, err := sniPattern(name)
		if err != nil {
			return // Node would throw too (an invalid expression)
		}
		plain := !strings.ContainsAny(name, "*()|")
		if plain && !re.MatchString(name) {
			t.Fatalf("pattern of %q does not match itself", name)
		}
		if plain && re.MatchString(name+"x") {
			t.Fatalf("pattern of %q matches a longer name", name)
		}
		if strings.Count(name, "*") == 1 && !strings.ContainsAny(name, "()|") && !strings.Contains(label, ".") {
			host := strings.Replace(name, "*", label, 1)
			if !re.MatchString(host) {
				t.Fatalf("pattern %q does not match %q", name, host)
			}
			if strings.Contains(name, ".") && re.MatchString(strings.Replace(name, "*", label+".x", 1)) {
				t.Fatalf("'*' of %q spans a dot", name)
			}
		}
	})
}
