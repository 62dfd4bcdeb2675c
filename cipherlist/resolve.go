package cipherlist

//go:generate go run gen_suites.go

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/nodetls/nodetls/ossl"
)

// A Suite is one cipher suite, with the columns of `openssl ciphers -v`.
type Suite struct {
	Name         string // OpenSSL's name: "ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256"
	StandardName string // the IANA name: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
	Version      string // the lowest protocol version that can use it, as OpenSSL prints it: "TLSv1.3", "TLSv1.2", "TLSv1", "SSLv3"
	Kx           string // key exchange: "ECDH", "DH", "RSA", "PSK", ...; "any" for TLS 1.3
	Au           string // authentication: "RSA", "ECDSA", "None", ...; "any" for TLS 1.3
	Enc          string // encryption and its key bits: "AESGCM(128)", "CHACHA20/POLY1305(256)"
	Mac          string // "AEAD", "SHA256", "SHA1", ...
}

// suiteInfo is a row of the generated table (zsuites.go).
type suiteInfo struct {
	name, std, version, kx, au, enc, mac string
	// maxLevel is the highest security level that allows the suite
	// (SSL_SECOP_CIPHER_SUPPORTED); -1: none.
	maxLevel int8
	// callback is "psk" or "srp" for suites OpenSSL offers only when such
	// a callback is set, which package tls never does.
	callback string
}

func (s *suiteInfo) suite() Suite {
	return Suite{Name: s.name, StandardName: s.std, Version: s.version, Kx: s.kx, Au: s.au, Enc: s.enc, Mac: s.mac}
}

var suiteIndex = sync.OnceValue(func() map[string]*suiteInfo {
	m := make(map[string]*suiteInfo, len(suiteTable))
	for i := range suiteTable {
		m[suiteTable[i].name] = &suiteTable[i]
	}
	return m
})

// Lookup returns the suite with OpenSSL's name name ("AES128-SHA",
// "TLS_AES_128_GCM_SHA256"), from a table generated from the OpenSSL this
// package was generated against (go generate runs gen_suites.go).
func Lookup(name string) (Suite, bool) {
	s, ok := suiteIndex()[name]
	if !ok {
		return Suite{}, false
	}
	return s.suite(), true
}

// An Error is a cipher list that OpenSSL (or, for ErrEmpty, Split) refuses.
type Error struct {
	List    string   // the list as given
	Unknown []string // its rules that match no cipher, as written (see Check)
	Err     error    // ErrEmpty, or the *ossl.Error of the OpenSSL call that refused the list
}

// Error names the list, its unknown rules and the cause, for example
// `cipherlist: "FOO:BAR" (unknown: "FOO", "BAR"): error:0A0000B9:SSL routines::no cipher match`.
func (e *Error) Error() string {
	if e.Err == ErrEmpty {
		return fmt.Sprintf("cipherlist: no cipher names in %q", e.List)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "cipherlist: %q", e.List)
	for i, u := range e.Unknown {
		if i == 0 {
			b.WriteString(" (unknown: ")
		} else {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", u)
	}
	if len(e.Unknown) > 0 {
		b.WriteString(")")
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns Err, so errors.Is(err, ErrEmpty) and errors.As with an
// *ossl.Error (Node's ERR_SSL_NO_CIPHER_MATCH, ERR_SSL_INVALID_COMMAND)
// work.
func (e *Error) Unwrap() error { return e.Err }

// apply sets the two halves of a split list on ctx in the order of Node's
// configSecureContext: the TLS 1.3 suites (only when some are named;
// otherwise OpenSSL's defaults stay), then the TLS 1.2 list.
func apply(ctx *ossl.Ctx, tls12, tls13 string) error {
	if tls13 != "" {
		if err := ctx.SetCipherSuites(tls13); err != nil {
			return err
		}
	}
	// As Node's SecureContext::SetCiphers: an empty list deliberately
	// clears the TLS 1.2 suites, so the "no cipher match" OpenSSL reports
	// for it is no error (Node then raises the minimum version to TLS 1.3).
	if err := ctx.SetCipherList(tls12); err != nil && tls12 != "" {
		return err
	}
	return nil
}

// Resolve returns the suites OpenSSL would use for list, in preference
// order: what a new context (set up as package tls sets one up, at security
// level 1) offers after Node's handling of the list. TLS 1.3 suites come
// first: those the TLS_* names select, or OpenSSL's default ones when the
// list names none, as in Node 20. Like `openssl ciphers -s`
// (SSL_get1_supported_ciphers), Resolve leaves out the suites the
// security level forbids (the level a "@SECLEVEL=n" in list sets, or 1)
// and those that need a PSK or SRP callback. The result may be empty: OpenSSL
// accepts a list whose every suite the level forbids, and handshakes then
// fail.
//
// A list OpenSSL refuses gives an *Error naming the rules that match no
// cipher, as Check does. A suite missing from the generated table (a
// different OpenSSL at run time) is kept, with only its Name set.
func Resolve(list string) ([]Suite, error) {
	tls12, tls13, err := Split(list)
	if err != nil {
		return nil, &Error{List: list, Err: err}
	}
	ctx, err := ossl.NewCtx(ossl.MethodTLS)
	if err != nil {
		return nil, fmt.Errorf("cipherlist: %w", err)
	}
	defer ctx.Free()
	if err := apply(ctx, tls12, tls13); err != nil {
		return nil, &Error{List: list, Unknown: unknownRules(ctx, tls12, tls13), Err: err}
	}
	level := min(ctx.SecurityLevel(), 5) // OpenSSL treats levels above 5 as 5
	out := []Suite{}
	for _, n := range ctx.CipherNames() {
		s, ok := suiteIndex()[n]
		switch {
		case !ok:
			out = append(out, Suite{Name: n})
		case s.callback == "" && level <= int(s.maxLevel):
			out = append(out, s.suite())
		}
	}
	return out, nil
}

// Check reports the rules of list that match no cipher, and an *Error
// (naming them) when the list is refused where Node's
// tls.createSecureContext would refuse it: when it names nothing
// (ErrEmpty), when its TLS 1.3 names match no suite, when its TLS 1.2 part
// is not empty and matches nothing, or when OpenSSL cannot read it
// ("invalid command": a character outside the grammar, an unknown "@"
// directive). A list with some match is accepted, as OpenSSL and Node
// accept it, and unknown is then a diagnostic worth showing.
//
// A rule is unknown when it matches no cipher on its own: each name, alias
// or intersection is tried alone (its operator stripped) through
// SSL_CTX_set_cipher_list, each TLS 1.3 name through
// SSL_CTX_set_ciphersuites; an "@" directive is unknown unless it is
// STRENGTH or SECLEVEL=0..5. So "!TLS_AES_128_GCM_SHA256" is unknown
// (OpenSSL takes no operators in TLS 1.3 lists and ignores it), as is
// "DEFAULT" anywhere but at the start of the TLS 1.2 part, and any rule
// holding a NUL byte (OpenSSL never sees what follows the NUL).
// Duplicates are reported once, in the order of first appearance.
func Check(list string) (unknown []string, err error) {
	tls12, tls13, err := Split(list)
	if err != nil {
		return nil, &Error{List: list, Err: err}
	}
	ctx, err := ossl.NewCtx(ossl.MethodTLS)
	if err != nil {
		return nil, fmt.Errorf("cipherlist: %w", err)
	}
	defer ctx.Free()
	applyErr := apply(ctx, tls12, tls13)
	unknown = unknownRules(ctx, tls12, tls13)
	if applyErr != nil {
		return unknown, &Error{List: list, Unknown: unknown, Err: applyErr}
	}
	return unknown, nil
}

// unknownRules returns the rules of the two halves of a split list that
// match no cipher on their own, trying each on ctx (whose cipher settings
// it overwrites).
func unknownRules(ctx *ossl.Ctx, tls12, tls13 string) []string {
	var out []string
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, t := range Tokens(tls12) {
		if !known(ctx, t) {
			add(t.Text)
		}
	}
	if tls13 != "" {
		for _, s := range strings.Split(tls13, ":") {
			// Split drops empty pieces, so s is never "".
			if strings.IndexByte(s, 0) >= 0 || ctx.SetCipherSuites(s) != nil {
				add(s)
			}
		}
	}
	return out
}

// known reports whether the rule t matches some cipher on its own.
func known(ctx *ossl.Ctx, t Token) bool {
	switch {
	case strings.IndexByte(t.Text, 0) >= 0:
		return false
	case t.Op == '@':
		return validDirective(t.Name)
	case t.Name == "":
		return false
	}
	// OpenSSL expands DEFAULT (and the SUITEB* keywords) only at the very
	// start of a list; elsewhere they are unknown names. A leading "-ALL"
	// (which removes nothing from an empty list) keeps a later rule from
	// being read as a start.
	rule := t.Name
	if t.Pos != 0 || t.Op != 0 {
		rule = "-ALL:" + t.Name
	}
	return ctx.SetCipherList(rule) == nil
}

// tls13Names are the TLS 1.3 suites Node's getCiphers adds by hand
// (GetSSLCiphers in src/crypto/), whether or not the default
// list enables them.
var tls13Names = []string{
	"tls_aes_256_gcm_sha384",
	"tls_chacha20_poly1305_sha256",
	"tls_aes_128_gcm_sha256",
	"tls_aes_128_ccm_8_sha256",
	"tls_aes_128_ccm_sha256",
}

var ciphers struct {
	sync.Mutex
	names []string // nil until computed
}

// Ciphers returns what Node's tls.getCiphers() returns: the names of the
// suites a new SSL offers with OpenSSL's default list (SSL_get_ciphers,
// not filtered by security level), plus the five TLS 1.3 names, lower
// case, sorted and without duplicates. It is computed once per process,
// as Node caches it; each call returns a new slice. It returns nil only
// when OpenSSL cannot create a context.
func Ciphers() []string {
	ciphers.Lock()
	defer ciphers.Unlock()
	if ciphers.names == nil {
		ctx, err := ossl.NewCtx(ossl.MethodTLS)
		if err != nil {
			return nil
		}
		names := ctx.CipherNames()
		ctx.Free()
		for _, n := range names {
			ciphers.names = append(ciphers.names, strings.ToLower(n))
		}
		ciphers.names = append(ciphers.names, tls13Names...)
		slices.Sort(ciphers.names)
		ciphers.names = slices.Compact(ciphers.names)
	}
	return slices.Clone(ciphers.names)
}
