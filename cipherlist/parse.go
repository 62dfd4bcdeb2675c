package cipherlist

import (
	"errors"
	"strings"
)

// ErrEmpty is the error for a list that names no cipher at all ("", ":",
// "::"). Split returns it as is; Check and Resolve wrap it in an *Error.
var ErrEmpty = errors.New("cipherlist: the list names no ciphers")

// Split separates a cipher string into the two lists OpenSSL takes, as
// Node 20's processCiphers (lib/internal/tls/secure-context.js) does: the
// string is cut at every ':', empty pieces are dropped, pieces that start
// with "TLS_" or "!TLS_" form tls13 (for SSL_CTX_set_ciphersuites) and the
// rest form tls12 (for SSL_CTX_set_cipher_list), each joined again with
// ':' in its original order. When both are empty it returns ErrEmpty.
//
// Only ':' separates here, as in Node: "TLS_A,TLS_B" is one TLS 1.3 piece,
// which OpenSSL then does not recognise. Split does not substitute the
// default for an empty string; the caller does (Node uses its
// tls.DEFAULT_CIPHERS, package tls its DefaultCiphers).
func Split(list string) (tls12, tls13 string, err error) {
	var l, s []string
	for _, c := range strings.Split(list, ":") {
		switch {
		case c == "":
		case strings.HasPrefix(c, "TLS_"), strings.HasPrefix(c, "!TLS_"):
			s = append(s, c)
		default:
			l = append(l, c)
		}
	}
	if len(l) == 0 && len(s) == 0 {
		return "", "", ErrEmpty
	}
	return strings.Join(l, ":"), strings.Join(s, ":"), nil
}

// A Token is one rule of an OpenSSL cipher list.
type Token struct {
	Text string // the rule as written, operator included
	Pos  int    // the byte offset of Text in the list
	// Op is the rule's operator: 0 adds the suites, '!' removes them for
	// good, '-' removes them (a later rule may add them back), '+' moves
	// them to the end, '@' is a directive.
	Op byte
	// Name is what follows the operator: a suite name or alias ("HIGH",
	// "ECDHE-RSA-AES128-GCM-SHA256"), an intersection of aliases joined by
	// '+' ("ECDHE+AESGCM"), or for '@' the directive ("STRENGTH",
	// "SECLEVEL=2"). A rule OpenSSL cannot read (a '_' or '*' in it, a
	// trailing '+') keeps its whole text up to the next separator.
	Name string
}

// Parts returns the aliases of an intersection ("ECDHE+AESGCM" gives
// "ECDHE" and "AESGCM"); a plain name gives itself, a directive nil.
func (t Token) Parts() []string {
	if t.Op == '@' {
		return nil
	}
	return strings.Split(t.Name, "+")
}

// isSep reports whether c separates rules. OpenSSL accepts ':', ',', ' '
// and ';' alike (ITEM_SEP in ssl/ssl_ciph.c); a tab is not one.
func isSep(c byte) bool {
	return c == ':' || c == ',' || c == ' ' || c == ';'
}

// isNameChar reports whether c may appear in a name, as in OpenSSL's
// ssl_cipher_process_rulestr. '_' may not: TLS 1.3 names are not part of
// this grammar.
func isNameChar(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '='
}

// Tokens splits an OpenSSL cipher list (the tls12 half of Split) into its
// rules, the way OpenSSL's ssl_cipher_process_rulestr reads them: rules are
// separated by ':', ',', ' ' or ';' (empty rules are skipped); a rule is an
// optional operator ('!', '-', '+' or '@') and a name, or names joined by
// '+' for an intersection; a '!' or '@' right after a complete name starts
// a new rule without a separator ("ECDHE!AESGCM" is two rules), and an '@'
// directive ignores whatever follows it up to the next separator.
//
// Tokens only reads the text; it neither knows which names exist nor
// rejects what OpenSSL would reject. Check does both.
func Tokens(list string) []Token {
	var out []Token
	i := 0
	for i < len(list) {
		if isSep(list[i]) {
			i++
			continue
		}
		start := i
		var op byte
		switch list[i] {
		case '!', '-', '+', '@':
			op = list[i]
			i++
		}
		nameStart := i
		if op == '@' {
			for i < len(list) && isNameChar(list[i]) {
				i++
			}
			nameEnd := i
			for i < len(list) && !isSep(list[i]) {
				i++
			}
			out = append(out, Token{Text: list[start:i], Pos: start, Op: op, Name: list[nameStart:nameEnd]})
			continue
		}
		ok := true
		for {
			n := i
			for i < len(list) && isNameChar(list[i]) {
				i++
			}
			if i == n {
				ok = false // nothing OpenSSL can read: "!" alone, "A+", "*"
				break
			}
			if i < len(list) && list[i] == '+' {
				i++
				continue
			}
			break
		}
		if !ok || i < len(list) && !isSep(list[i]) && list[i] != '!' && list[i] != '@' {
			for i < len(list) && !isSep(list[i]) {
				i++
			}
		}
		out = append(out, Token{Text: list[start:i], Pos: start, Op: op, Name: list[nameStart:i]})
	}
	return out
}

// validDirective reports whether OpenSSL accepts "@"+name: STRENGTH, or
// SECLEVEL= and one digit from 0 to 5.
func validDirective(name string) bool {
	if name == "STRENGTH" {
		return true
	}
	lvl, ok := strings.CutPrefix(name, "SECLEVEL=")
	return ok && len(lvl) == 1 && '0' <= lvl[0] && lvl[0] <= '5'
}
