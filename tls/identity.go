package tls

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Codes and texts of the errors CheckServerIdentity returns (Node 20's
// ERR_TLS_CERT_ALTNAME_INVALID and ERR_TLS_CERT_ALTNAME_FORMAT).
const (
	codeAltnameInvalid = "ERR_TLS_CERT_ALTNAME_INVALID"
	codeAltnameFormat  = "ERR_TLS_CERT_ALTNAME_FORMAT"
	msgAltnameInvalid  = "Hostname/IP does not match certificate's altnames: "
	msgAltnameFormat   = "Invalid subject alternative name string"
)

// CheckServerIdentity verifies that cert is issued to hostname, exactly as
// Node 20's tls.checkServerIdentity. It returns nil on a match.
//
// The rules, all Node's:
//   - One trailing dot of hostname is ignored (and one more while matching
//     names). The error's Host is hostname without that dot.
//   - An IP address hostname (as net.isIP decides: dotted quad without
//     leading zeros, or IPv6 with an optional %zone) matches only an
//     "IP Address:" entry of SubjectAltName, both compared in canonical
//     form (so "::1" matches "IP Address:0:0:0:0:0:0:0:1"). The CN never
//     counts for an IP.
//   - A name matches the "DNS:" entries when there is at least one; URI,
//     email and other entries are ignored. Only when there is no DNS entry
//     is the subject's CN used: every value of SubjectValues["CN"] when that
//     key is set, else Subject["CN"].
//   - Comparison is label by label and case-insensitive for A-Z only. A
//     pattern label holding anything outside '!'..DEL (non-ASCII, blanks,
//     control characters) never matches; neither do patterns with empty
//     labels. A '*' is honoured only in the left-most label of a pattern
//     with at least three labels, at most once, and not in an A-label
//     ("xn--"); it stands for any (possibly empty) part of one host label.
//
// A mismatch is a *Error with Code "ERR_TLS_CERT_ALTNAME_INVALID", Reason as
// Node words it, Message "Hostname/IP does not match certificate's altnames:
// " + Reason, Host and Cert set. A SubjectAltName with a malformed quoted
// entry (Node 20 quotes names with unusual characters as JSON strings) is a
// *Error with Code "ERR_TLS_CERT_ALTNAME_FORMAT", which Node throws.
func CheckServerIdentity(hostname string, cert *PeerCertificate) error {
	var c PeerCertificate
	if cert != nil {
		c = *cert
	}

	var dnsNames []string
	var ips []string // canonical forms; ipUnparsed where Node's is undefined
	if c.SubjectAltName != "" {
		var entries []string
		if strings.Contains(c.SubjectAltName, `"`) {
			var err error
			if entries, err = splitEscapedAltNames(c.SubjectAltName); err != nil {
				return err
			}
		} else {
			entries = strings.Split(c.SubjectAltName, ", ")
		}
		for _, e := range entries {
			switch {
			case strings.HasPrefix(e, "DNS:"):
				dnsNames = append(dnsNames, e[len("DNS:"):])
			case strings.HasPrefix(e, "IP Address:"):
				ips = append(ips, canonicalizeIP(e[len("IP Address:"):]))
			}
		}
	}

	hostname = unfqdn(hostname)
	valid := false
	var reason string

	cn, hasCN := subjectCN(&c)
	switch {
	case isIP(hostname):
		want := canonicalizeIP(hostname)
		for _, ip := range ips {
			if ip == want {
				valid = true
				break
			}
		}
		if !valid {
			list := make([]string, len(ips))
			for i, ip := range ips {
				if ip != ipUnparsed { // undefined joins as ""
					list[i] = ip
				}
			}
			reason = "IP: " + hostname + " is not in the cert's list: " + strings.Join(list, ", ")
		}
	case len(dnsNames) > 0 || hasCN:
		hostLabels := splitHost(hostname)
		if len(dnsNames) > 0 {
			for _, p := range dnsNames {
				if matchPattern(hostLabels, p) {
					valid = true
					break
				}
			}
			if !valid {
				reason = "Host: " + hostname + ". is not in the cert's altnames: " + c.SubjectAltName
			}
		} else {
			for _, p := range cn {
				if matchPattern(hostLabels, p) {
					valid = true
					break
				}
			}
			if !valid {
				// Node interpolates the CN: one value as is, several joined by ",".
				reason = "Host: " + hostname + ". is not cert's CN: " + strings.Join(cn, ",")
			}
		}
	default:
		reason = "Cert does not contain a DNS name"
	}
	if valid {
		return nil
	}
	return &Error{
		Code:    codeAltnameInvalid,
		Message: msgAltnameInvalid + reason,
		Reason:  reason,
		Host:    hostname,
		Cert:    cert,
	}
}

// subjectCN returns the CN values CheckServerIdentity matches against and
// whether the certificate counts as having a CN (Node's truthy subject.CN:
// a non-empty string, or a list of several values, even empty ones).
func subjectCN(c *PeerCertificate) ([]string, bool) {
	if vals, ok := c.SubjectValues["CN"]; ok {
		if len(vals) == 1 {
			return vals, vals[0] != ""
		}
		return vals, true
	}
	if cn := c.Subject["CN"]; cn != "" {
		return []string{cn}, true
	}
	return nil, false
}

// unfqdn removes one trailing dot.
func unfqdn(host string) string {
	return strings.TrimSuffix(host, ".")
}

// splitHost drops one trailing dot, lower-cases A-Z (and nothing else) and
// splits at the dots.
func splitHost(host string) []string {
	host = unfqdn(host)
	b := []byte(host)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return strings.Split(string(b), ".")
}

// matchPattern reports whether a DNS SAN or CN pattern covers the host,
// given as splitHost labels.
func matchPattern(host []string, pattern string) bool {
	if pattern == "" {
		return false
	}
	pat := splitHost(pattern)
	if len(host) != len(pat) {
		return false
	}
	for _, l := range pat {
		if l == "" || !isPrintableASCIILabel(l) {
			return false
		}
	}
	// Every label but the left-most must be equal.
	for i := len(host) - 1; i > 0; i-- {
		if host[i] != pat[i] {
			return false
		}
	}
	hostSub, patSub := host[0], pat[0]
	star := strings.Count(patSub, "*")
	// No wildcard, or an A-label, in which a wildcard is not allowed:
	// compare verbatim.
	if star == 0 || strings.Contains(patSub, "xn--") {
		return hostSub == patSub
	}
	if star > 1 || len(pat) <= 2 {
		return false
	}
	prefix, suffix, _ := strings.Cut(patSub, "*")
	// The pattern is ASCII here, so byte lengths are Node's lengths; see
	// identity_test.go for why the host's byte length gives Node's result.
	if len(prefix)+len(suffix) > len(hostSub) {
		return false
	}
	return strings.HasPrefix(hostSub, prefix) && strings.HasSuffix(hostSub, suffix)
}

// isPrintableASCIILabel reports whether every character is in U+0021..U+007F.
func isPrintableASCIILabel(s string) bool {
	for _, r := range s {
		if r < 0x21 || r > 0x7f {
			return false
		}
	}
	return true
}

// jsonStringPrefix matches a JSON string literal (RFC 8259) at the start.
var jsonStringPrefix = regexp.MustCompile(`^"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"`)

// splitEscapedAltNames splits a subjectaltname string that holds JSON-quoted
// entries at its ", " separators, unquoting the quoted parts.
func splitEscapedAltNames(s string) ([]string, error) {
	var result []string
	var cur strings.Builder
	off := 0
	for off < len(s) {
		sep := indexFrom(s, ",", off)
		quote := indexFrom(s, `"`, off)
		switch {
		case quote >= 0 && (sep < 0 || quote < sep):
			cur.WriteString(s[off:quote])
			lit := jsonStringPrefix.FindString(s[quote:])
			if lit == "" {
				return nil, &Error{Code: codeAltnameFormat, Message: msgAltnameFormat}
			}
			var v string
			if err := json.Unmarshal([]byte(lit), &v); err != nil {
				return nil, &Error{Code: codeAltnameFormat, Message: msgAltnameFormat, Err: err}
			}
			cur.WriteString(v)
			off = quote + len(lit)
		case sep >= 0:
			cur.WriteString(s[off:sep])
			result = append(result, cur.String())
			cur.Reset()
			// Skip the comma and the character after it (a space in
			// well-formed input).
			off = sep + 1
			if off < len(s) {
				_, n := utf8.DecodeRuneInString(s[off:])
				off += n
			}
		default:
			cur.WriteString(s[off:])
			off = len(s)
		}
	}
	return append(result, cur.String()), nil
}

func indexFrom(s, sub string, from int) int {
	i := strings.Index(s[from:], sub)
	if i < 0 {
		return -1
	}
	return from + i
}

// ipv4Pattern and ipv6Pattern are Node 20's net.isIPv4 / net.isIPv6.
var (
	ipv4Pattern = regexp.MustCompile(`^` + v4Str + `$`)
	ipv6Pattern = regexp.MustCompile(`^(?:` +
		`(?:` + v6Seg + `:){7}(?:` + v6Seg + `|:)|` +
		`(?:` + v6Seg + `:){6}(?:` + v4Str + `|:` + v6Seg + `|:)|` +
		`(?:` + v6Seg + `:){5}(?::` + v4Str + `|(?::` + v6Seg + `){1,2}|:)|` +
		`(?:` + v6Seg + `:){4}(?:(?::` + v6Seg + `){0,1}:` + v4Str + `|(?::` + v6Seg + `){1,3}|:)|` +
		`(?:` + v6Seg + `:){3}(?:(?::` + v6Seg + `){0,2}:` + v4Str + `|(?::` + v6Seg + `){1,4}|:)|` +
		`(?:` + v6Seg + `:){2}(?:(?::` + v6Seg + `){0,3}:` + v4Str + `|(?::` + v6Seg + `){1,5}|:)|` +
		`(?:` + v6Seg + `:){1}(?:(?::` + v6Seg + `){0,4}:` + v4Str + `|(?::` + v6Seg + `){1,6}|:)|` +
		`(?::(?:(?::` + v6Seg + `){0,5}:` + v4Str + `|(?::` + v6Seg + `){1,7}|:))` +
		`)(?:%[0-9a-zA-Z.:\-]{1,})?$`)
)

const (
	v4Seg = `(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])`
	v4Str = `(?:` + v4Seg + `\.){3}` + v4Seg
	v6Seg = `(?:[0-9a-fA-F]{1,4})`
)

func isIP(s string) bool {
	return ipv4Pattern.MatchString(s) || ipv6Pattern.MatchString(s)
}

// ipUnparsed stands for the undefined that Node's canonicalizeIP returns for
// text libuv cannot parse; no canonical address contains a NUL. Two such
// values are equal, as two undefined are in Node.
const ipUnparsed = "\x00"

// canonicalizeIP parses s as libuv's uv_inet_pton does (IPv4 first, then
// IPv6 with any %zone dropped; the text ends at a NUL, as a C string) and
// prints it back as uv_inet_ntop does.
func canonicalizeIP(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	if a, ok := inetPton4(s); ok {
		return fmt.Sprintf("%d.%d.%d.%d", a[0], a[1], a[2], a[3])
	}
	if i := strings.IndexByte(s, '%'); i >= 0 {
		if i > 45 { // UV__INET6_ADDRSTRLEN - 1
			return ipUnparsed
		}
		s = s[:i]
	}
	if a, ok := inetPton6(s); ok {
		return inetNtop6(a)
	}
	return ipUnparsed
}

// inetPton4 accepts exactly four decimal octets without leading zeros.
func inetPton4(s string) ([4]byte, bool) {
	var a [4]byte
	octets, idx := 0, 0
	sawDigit := false
	val := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			if sawDigit && val == 0 {
				return a, false
			}
			val = val*10 + int(c-'0')
			if val > 255 {
				return a, false
			}
			a[idx] = byte(val)
			if !sawDigit {
				octets++
				if octets > 4 {
					return a, false
				}
				sawDigit = true
			}
		case c == '.' && sawDigit:
			if octets == 4 {
				return a, false
			}
			idx++
			val = 0
			sawDigit = false
		default:
			return a, false
		}
	}
	return a, octets == 4
}

// inetPton6 is BIND's inet_pton6 as libuv ships it.
func inetPton6(s string) ([16]byte, bool) {
	var a [16]byte
	tp, colonp := 0, -1
	if strings.HasPrefix(s, ":") {
		if !strings.HasPrefix(s, "::") {
			return a, false
		}
		s = s[1:]
	}
	curtok := 0
	seen := 0
	val := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if d := hexVal(c); d >= 0 {
			val = val<<4 | d
			if seen++; seen > 4 {
				return a, false
			}
			continue
		}
		if c == ':' {
			curtok = i + 1
			if seen == 0 {
				if colonp >= 0 {
					return a, false
				}
				colonp = tp
				continue
			} else if i+1 == len(s) {
				return a, false
			}
			if tp+2 > 16 {
				return a, false
			}
			a[tp], a[tp+1] = byte(val>>8), byte(val)
			tp += 2
			seen, val = 0, 0
			continue
		}
		if c == '.' && tp+4 <= 16 {
			if v4, ok := inetPton4(s[curtok:]); ok {
				copy(a[tp:], v4[:])
				tp += 4
				seen = 0
				break
			}
		}
		return a, false
	}
	if seen > 0 {
		if tp+2 > 16 {
			return a, false
		}
		a[tp], a[tp+1] = byte(val>>8), byte(val)
		tp += 2
	}
	if colonp >= 0 {
		if tp == 16 {
			return a, false
		}
		n := tp - colonp
		for i := 1; i <= n; i++ {
			a[16-i] = a[colonp+n-i]
			a[colonp+n-i] = 0
		}
		tp = 16
	}
	return a, tp == 16
}

func hexVal(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// inetNtop6 is BIND's inet_ntop6 as libuv ships it: lower-case hex, the
// longest run (the first of equal runs) of at least two zero groups as
// "::", and an embedded dotted quad for IPv4-compatible and IPv4-mapped
// addresses.
func inetNtop6(a [16]byte) string {
	var w [8]int
	for i := range w {
		w[i] = int(a[2*i])<<8 | int(a[2*i+1])
	}
	bestBase, bestLen := -1, 0
	curBase, curLen := -1, 0
	for i := range w {
		if w[i] == 0 {
			if curBase < 0 {
				curBase, curLen = i, 1
			} else {
				curLen++
			}
		} else if curBase >= 0 {
			if bestBase < 0 || curLen > bestLen {
				bestBase, bestLen = curBase, curLen
			}
			curBase = -1
		}
	}
	if curBase >= 0 && (bestBase < 0 || curLen > bestLen) {
		bestBase, bestLen = curBase, curLen
	}
	if bestBase >= 0 && bestLen < 2 {
		bestBase = -1
	}
	var b strings.Builder
	for i := 0; i < 8; i++ {
		if bestBase >= 0 && i >= bestBase && i < bestBase+bestLen {
			if i == bestBase {
				b.WriteByte(':')
			}
			continue
		}
		if i != 0 {
			b.WriteByte(':')
		}
		if i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 7 && w[7] != 1) || (bestLen == 5 && w[5] == 0xffff)) {
			fmt.Fprintf(&b, "%d.%d.%d.%d", a[12], a[13], a[14], a[15])
			return b.String()
		}
		fmt.Fprintf(&b, "%x", w[i])
	}
	if bestBase >= 0 && bestBase+bestLen == 8 {
		b.WriteByte(':')
	}
	return b.String()
}
