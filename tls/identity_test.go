package tls

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

// identityGolden is testdata/node/identity.json, written by identity.js
// from Node 20's tls.checkServerIdentity.
func loadIdentityGolden(t testing.TB) (node, openssl string, cases []struct {
	Note string `json:"note"`
	Host string `json:"host"`
	Cert struct {
		Subject *struct {
			CN json.RawMessage `json:"CN"`
		} `json:"subject"`
		SubjectAltName *string `json:"subjectaltname"`
	} `json:"cert"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Reason  string `json:"reason"`
		Host    string `json:"host"`
		Thrown  bool   `json:"thrown"`
	} `json:"error"`
}) {
	t.Helper()
	data, err := os.ReadFile("testdata/node/identity.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Node    string `json:"node"`
		OpenSSL string `json:"openssl"`
		Cases   json.RawMessage
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(doc.Cases, &cases); err != nil {
		t.Fatal(err)
	}
	return doc.Node, doc.OpenSSL, cases
}

// identityCerts turns a golden cert into the PeerCertificate shapes that
// mean the same to Node: a single CN given through Subject only and through
// SubjectValues too; a CN list through SubjectValues.
func identityCerts(t testing.TB, subjectCN json.RawMessage, hasSubject bool, san *string) []*PeerCertificate {
	t.Helper()
	base := PeerCertificate{}
	if san != nil {
		base.SubjectAltName = *san
	}
	if !hasSubject {
		return []*PeerCertificate{&base}
	}
	if len(subjectCN) == 0 {
		c := base
		c.Subject = map[string]string{}
		c.SubjectValues = map[string][]string{}
		return []*PeerCertificate{&c}
	}
	var one string
	if err := json.Unmarshal(subjectCN, &one); err == nil {
		a, b := base, base
		a.Subject = map[string]string{"CN": one}
		b.Subject = map[string]string{"CN": one}
		b.SubjectValues = map[string][]string{"CN": {one}}
		return []*PeerCertificate{&a, &b}
	}
	var list []string
	if err := json.Unmarshal(subjectCN, &list); err != nil {
		t.Fatalf("CN %s: %v", subjectCN, err)
	}
	c := base
	c.SubjectValues = map[string][]string{"CN": list}
	if list == nil {
		c.SubjectValues["CN"] = []string{}
	}
	if len(list) > 0 {
		c.Subject = map[string]string{"CN": list[0]}
	}
	return []*PeerCertificate{&c}
}

func TestCheckServerIdentityNode(t *testing.T) {
	node, openssl, cases := loadIdentityGolden(t)
	if len(cases) < 60 {
		t.Fatalf("only %d golden cases", len(cases))
	}
	t.Logf("golden from node %s, OpenSSL %s: %d cases", node, openssl, len(cases))
	checked := 0
	for i, tc := range cases {
		hasSubject := tc.Cert.Subject != nil
		var cn json.RawMessage
		if hasSubject {
			cn = tc.Cert.Subject.CN
		}
		for _, cert := range identityCerts(t, cn, hasSubject, tc.Cert.SubjectAltName) {
			checked++
			err := CheckServerIdentity(tc.Host, cert)
			name := tc.Note
			if tc.Error == nil {
				if err != nil {
					t.Errorf("#%d %s: CheckServerIdentity(%q) = %v, want nil", i, name, tc.Host, err)
				}
				continue
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("#%d %s: CheckServerIdentity(%q) = %v, want %s", i, name, tc.Host, err, tc.Error.Code)
				continue
			}
			if e.Code != tc.Error.Code || e.Message != tc.Error.Message || e.Reason != tc.Error.Reason {
				t.Errorf("#%d %s: CheckServerIdentity(%q):\n got  %q %q %q\n want %q %q %q", i, name, tc.Host,
					e.Code, e.Message, e.Reason, tc.Error.Code, tc.Error.Message, tc.Error.Reason)
			}
			if e.Error() != tc.Error.Message {
				t.Errorf("#%d %s: Error() = %q", i, name, e.Error())
			}
			if !tc.Error.Thrown {
				if e.Host != tc.Error.Host {
					t.Errorf("#%d %s: Host = %q, want %q", i, name, e.Host, tc.Error.Host)
				}
				if e.Cert != cert {
					t.Errorf("#%d %s: Cert is not the input", i, name)
				}
			}
		}
	}
	t.Logf("%d checks", checked)
}

func TestCheckServerIdentityNilCert(t *testing.T) {
	err := CheckServerIdentity("a.com", nil)
	var e *Error
	if !errors.As(err, &e) || e.Reason != "Cert does not contain a DNS name" || e.Cert != nil {
		t.Fatalf("got %#v", err)
	}
}

func TestCheckServerIdentityPeerCertificates(t *testing.T) {
	// The fixtures' peer certificates through the real builder: the host
	// checks the lead's Connect makes.
	for _, tc := range []struct {
		file, host, reason string
	}{
		{"agent1-cert.pem", "agent1", ""},
		{"agent1-cert.pem", "localhost", "Host: localhost. is not cert's CN: agent1"},
		{"localhost-cert.pem", "localhost", ""},
		{"localhost-cert.pem", "foo.example.com", ""},
		{"localhost-cert.pem", "127.0.0.1", ""},
		{"localhost-cert.pem", "::1", ""},
		{"localhost-cert.pem", "127.0.0.2", "IP: 127.0.0.2 is not in the cert's list: 127.0.0.1, ::1"},
		{"localhost-cert.pem", "a.b.example.com", "Host: a.b.example.com. is not in the cert's altnames: DNS:localhost, DNS:*.example.com, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"},
		{"ipcn-cert.pem", "localhost", ""},
		{"multi-cert.pem", "multi.example", ""},
		{"multi-cert.pem", "multi1", "Host: multi1. is not in the cert's altnames: DNS:multi.example"},
	} {
		der := readFixtureDER(t, tc.file)
		if der == nil {
			continue
		}
		cert, err := newPeerCertificate(der[0])
		if err != nil {
			t.Fatal(err)
		}
		err = CheckServerIdentity(tc.host, cert)
		var got string
		if err != nil {
			got = err.(*Error).Reason
		}
		if got != tc.reason {
			t.Errorf("%s %s: reason %q, want %q", tc.file, tc.host, got, tc.reason)
		}
	}
}

func TestCheckServerIdentityMultiCN(t *testing.T) {
	// Only SubjectValues holds the second CN.
	cert := &PeerCertificate{
		Subject:       map[string]string{"CN": "multi1"},
		SubjectValues: map[string][]string{"CN": {"multi1", "multi2"}},
	}
	if err := CheckServerIdentity("multi2", cert); err != nil {
		t.Fatal(err)
	}
	err := CheckServerIdentity("multi3", cert)
	if err == nil || err.(*Error).Reason != "Host: multi3. is not cert's CN: multi1,multi2" {
		t.Fatalf("got %v", err)
	}
}

func TestCanonicalizeIP(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1":                           "127.0.0.1",
		"0:0:0:0:0:0:0:1":                     "::1",
		"0:0:0:0:0:0:0:0":                     "::",
		"1:0:0:0:0:0:0:0":                     "1::",
		"0:0:0:0:0:FFFF:7F00:1":               "::ffff:127.0.0.1",
		"0:0:0:0:0:0:7F00:1":                  "::127.0.0.1",
		"0:0:0:0:0:0:0:2":                     "::2",
		"1:0:0:1:0:0:0:1":                     "1:0:0:1::1",
		"1:0:0:2:2:0:0:1":                     "1::2:2:0:0:1",
		"1:2:3:4:5:6:7:0":                     "1:2:3:4:5:6:7:0",
		"fe80::1%eth0":                        "fe80::1",
		"::ffff:1.2.3.4":                      "::ffff:1.2.3.4",
		"1::2::3":                             ipUnparsed,
		"1.2.3":                               ipUnparsed,
		"1.2.3.4.5":                           ipUnparsed,
		"01.2.3.4":                            ipUnparsed,
		"256.1.1.1":                           ipUnparsed,
		"":                                    ipUnparsed,
		":1":                                  ipUnparsed,
		"1:":                                  ipUnparsed,
		"12345::":                             ipUnparsed,
		"1:2:3:4:5:6:7:8:9":                   ipUnparsed,
		"1:2:3:4:5:6:7::":                     "1:2:3:4:5:6:7:0",
		"1:2:3:4:5:6:1.2.3.4":                 "1:2:3:4:5:6:102:304",
		"1:2:3:4:5:6:7:1.2.3.4":               ipUnparsed,
		"127.0.0.1\x00junk":                   "127.0.0.1",
		"::" + strings.Repeat("1", 44) + "%x": ipUnparsed,
	} {
		if got := canonicalizeIP(in); got != want {
			t.Errorf("canonicalizeIP(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzCheckServerIdentity checks that CheckServerIdentity never panics and
// never accepts a host that shares no letters-and-digits name with the
// certificate: a match needs the host, with wildcards and dots aside, to
// end with some name's last label.
func FuzzCheckServerIdentity(f *testing.F) {
	f.Add("a.com", "a.com", "DNS:a.com")
	f.Add("b.a.com", "*.a.com", "DNS:*.a.com, IP Address:127.0.0.1")
	f.Add("127.0.0.1", "x", "IP Address:127.0.0.1")
	f.Add("::1", "", "IP Address:0:0:0:0:0:0:0:1")
	f.Add("a.com.", "A.COM", `DNS:"a,b.com", DNS:a.com`)
	f.Add("xn--bcher-kva.example.com", "*.example.com", "")
	f.Add("a.com", "", `DNS:"bad`)
	f.Fuzz(func(t *testing.T, host, cn, san string) {
		cert := &PeerCertificate{
			Subject:        map[string]string{"CN": cn},
			SubjectAltName: san,
		}
		err := CheckServerIdentity(host, cert)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error", err)
			}
			if e.Code != codeAltnameInvalid && e.Code != codeAltnameFormat {
				t.Fatalf("code %q", e.Code)
			}
			if e.Code == codeAltnameInvalid && e.Message != msgAltnameInvalid+e.Reason {
				t.Fatalf("message %q", e.Message)
			}
			return
		}
		// Accepted: an IP host needs an "IP Address:" entry; a name host's
		// last label (lower-cased, trailing dot dropped) equals the last
		// label of a DNS entry or of the CN, so it occurs in their text
		// (unless the SAN spells it with JSON escapes).
		h := strings.ToLower(strings.TrimSuffix(host, "."))
		if isIP(h) {
			if !strings.Contains(san, "IP Address:") {
				t.Fatalf("IP host %q accepted without an IP SAN (%q)", host, san)
			}
			return
		}
		label := h[strings.LastIndexByte(h, '.')+1:]
		if strings.Contains(strings.ToLower(cn), label) || strings.Contains(strings.ToLower(san), label) || strings.Contains(san, `\`) {
			return
		}
		t.Fatalf("host %q accepted by unrelated cert CN=%q SAN=%q", host, cn, san)
	})
}
