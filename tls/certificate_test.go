package tls

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/nodetls/nodetls/internal/testpki"
)

// peerCertGolden is testdata/node/peercert.json, written by peercert.js from
// Node 20's getPeerCertificate() / X509Certificate#toLegacyObject().
func loadPeerCertGolden(t testing.TB) (doc struct {
	Node    string `json:"node"`
	OpenSSL string `json:"openssl"`
	Cases   []struct {
		Name        string          `json:"name"`
		Source      string          `json:"source"`
		Note        string          `json:"note"`
		Chain       []string        `json:"chain"`
		Store       []string        `json:"store"`
		ParseError  string          `json:"parseError"`
		Abbreviated json.RawMessage `json:"abbreviated"`
		Detailed    json.RawMessage `json:"detailed"`
		CycleAt     *int            `json:"cycleAt"`
	} `json:"cases"`
}) {
	t.Helper()
	data, err := os.ReadFile("testdata/node/peercert.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func decodeDERs(t testing.TB, b64 []string) [][]byte {
	t.Helper()
	var out [][]byte
	for _, s := range b64 {
		d, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// readFixtureDER returns the certificates of a fixture PEM file.
func readFixtureDER(t testing.TB, name string) [][]byte {
	t.Helper()
	data := testpki.Read(t, name)
	var out [][]byte
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return out
		}
		if b.Type == "CERTIFICATE" {
			out = append(out, b.Bytes)
		}
	}
}

// nodeKeys are the keys Node's certificate objects have; the comparison
// fails on any other, so a key Node adds is noticed.
var nodeKeys = map[string]bool{
	"subject": true, "issuer": true, "subjectaltname": true, "infoAccess": true, "ca": true,
	"modulus": true, "bits": true, "exponent": true, "pubkey": true, "asn1Curve": true,
	"nistCurve": true, "valid_from": true, "valid_to": true, "fingerprint": true,
	"fingerprint256": true, "fingerprint512": true, "ext_key_usage": true,
	"serialNumber": true, "raw": true, "issuerCertificate": true,
}

// compareCert compares got with Node's object field by field and returns
// the differences. Node's null or "" subjectaltname and null infoAccess
// (an extension that does not decode, or holds no names) are Go's empty
// values.
func compareCert(path string, got *PeerCertificate, want map[string]json.RawMessage) []string {
	var diffs []string
	diff := func(field string, g, w any) {
		if !reflect.DeepEqual(g, w) {
			diffs = append(diffs, fmt.Sprintf("%s.%s: got %#v, want %#v", path, field, g, w))
		}
	}
	if got == nil {
		return []string{path + ": got nil certificate"}
	}
	for k := range want {
		if !nodeKeys[k] {
			diffs = append(diffs, fmt.Sprintf("%s: Node key %q unknown to the comparison", path, k))
		}
	}
	str := func(k string) string {
		var s string
		if raw, ok := want[k]; ok {
			_ = json.Unmarshal(raw, &s) // null stays ""
		}
		return s
	}
	name := func(k string, first map[string]string, all map[string][]string) {
		raw, ok := want[k]
		if !ok || string(raw) == "null" {
			diff(k, first == nil && all == nil, true)
			return
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			diffs = append(diffs, fmt.Sprintf("%s.%s: %v", path, k, err))
			return
		}
		wantFirst := map[string]string{}
		wantAll := map[string][]string{}
		for attr, v := range obj {
			var s string
			if json.Unmarshal(v, &s) == nil {
				wantFirst[attr], wantAll[attr] = s, []string{s}
				continue
			}
			var list []string
			if err := json.Unmarshal(v, &list); err != nil {
				diffs = append(diffs, fmt.Sprintf("%s.%s.%s: %v", path, k, attr, err))
				continue
			}
			wantFirst[attr], wantAll[attr] = list[0], list
		}
		diff(k+" (first values)", first, wantFirst)
		diff(k+" (all values)", all, wantAll)
	}
	name("subject", got.Subject, got.SubjectValues)
	name("issuer", got.Issuer, got.IssuerValues)
	diff("subjectaltname", got.SubjectAltName, str("subjectaltname"))

	var infoAccess map[string][]string
	if raw, ok := want["infoAccess"]; ok {
		_ = json.Unmarshal(raw, &infoAccess)
	}
	diff("infoAccess", got.InfoAccess, infoAccess)

	var ca bool
	_ = json.Unmarshal(want["ca"], &ca)
	diff("ca", got.CA, ca)
	diff("modulus", got.Modulus, str("modulus"))
	diff("exponent", got.Exponent, str("exponent"))
	var bits int
	if raw, ok := want["bits"]; ok {
		_ = json.Unmarshal(raw, &bits)
	}
	diff("bits", got.Bits, bits)
	diff("asn1Curve", got.ASN1Curve, str("asn1Curve"))
	diff("nistCurve", got.NISTCurve, str("nistCurve"))
	diff("pubkey", base64.StdEncoding.EncodeToString(got.Pubkey), str("pubkey"))
	diff("valid_from", got.ValidFrom, str("valid_from"))
	diff("valid_to", got.ValidTo, str("valid_to"))
	diff("fingerprint", got.Fingerprint, str("fingerprint"))
	diff("fingerprint256", got.Fingerprint256, str("fingerprint256"))
	diff("fingerprint512", got.Fingerprint512, str("fingerprint512"))
	var eku []string
	if raw, ok := want["ext_key_usage"]; ok {
		_ = json.Unmarshal(raw, &eku)
	}
	diff("ext_key_usage", got.ExtKeyUsage, eku)
	diff("serialNumber", got.SerialNumber, str("serialNumber"))
	diff("raw", base64.StdEncoding.EncodeToString(got.Raw), str("raw"))

	if raw, ok := want["issuerCertificate"]; ok {
		var next map[string]json.RawMessage
		if err := json.Unmarshal(raw, &next); err != nil {
			return append(diffs, fmt.Sprintf("%s.issuerCertificate: %v", path, err))
		}
		if got.IssuerCertificate == nil {
			return append(diffs, fmt.Sprintf("%s.issuerCertificate: got nil, want CN %s", path, next["subject"]))
		}
		diffs = append(diffs, compareCert(path+".issuerCertificate", got.IssuerCertificate, next)...)
	} else if got.IssuerCertificate != nil {
		diffs = append(diffs, fmt.Sprintf("%s.issuerCertificate: got subject %v, want none", path, got.IssuerCertificate.Subject))
	}
	return diffs
}

func unmarshalObject(t testing.TB, raw json.RawMessage) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPeerCertificateNode(t *testing.T) {
	doc := loadPeerCertGolden(t)
	t.Logf("golden from node %s, OpenSSL %s: %d cases", doc.Node, doc.OpenSSL, len(doc.Cases))
	compared := 0
	for _, tc := range doc.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			chain := decodeDERs(t, tc.Chain)
			if tc.ParseError != "" {
				// OpenSSL refuses the certificate (no peer can present it);
				// so does the builder.
				if c, err := newPeerCertificate(chain[0]); err == nil {
					t.Errorf("newPeerCertificate accepted what OpenSSL refuses (%s): subject %v", tc.ParseError, c.Subject)
				}
				return
			}
			got, err := newPeerCertificate(chain[0])
			if err != nil {
				t.Fatalf("newPeerCertificate: %v", err)
			}
			for _, d := range compareCert("leaf", got, unmarshalObject(t, tc.Abbreviated)) {
				t.Error(d)
			}
			compared++
			if tc.Detailed == nil {
				return
			}
			if short := buildPeerChain(chain, false); short == nil || short.IssuerCertificate != nil {
				t.Errorf("buildPeerChain(false) = %v", short)
			} else {
				for _, d := range compareCert("short", short, unmarshalObject(t, tc.Abbreviated)) {
					t.Error(d)
				}
			}
			store := decodeDERs(t, tc.Store)
			full := buildPeerChainWithStore(chain, store)
			for _, d := range compareCert("detailed", full, unmarshalObject(t, tc.Detailed)) {
				t.Error(d)
			}
			compared++
			if len(store) == 0 {
				for _, d := range compareCert("buildPeerChain(true)", buildPeerChain(chain, true), unmarshalObject(t, tc.Detailed)) {
					t.Error(d)
				}
			}
			// The cycle Node makes at a self-issued root ends in nil here.
			depth := 0
			last := full
			for last.IssuerCertificate != nil {
				last, depth = last.IssuerCertificate, depth+1
			}
			if tc.CycleAt != nil && *tc.CycleAt != depth {
				t.Errorf("Node's cycle is at depth %d, our chain ends at %d", *tc.CycleAt, depth)
			}
		})
	}
	t.Logf("%d certificate objects compared", compared)
}

// TestPeerCertificateJSON checks that MarshalJSON gives Node's JSON: the
// same data, and the same key order at the top level.
func TestPeerCertificateJSON(t *testing.T) {
	doc := loadPeerCertGolden(t)
	for _, tc := range doc.Cases {
		if tc.ParseError != "" {
			continue
		}
		want := tc.Detailed
		chain := decodeDERs(t, tc.Chain)
		var got *PeerCertificate
		if want == nil {
			want = tc.Abbreviated
			got, _ = newPeerCertificate(chain[0])
		} else {
			got = buildPeerChainWithStore(chain, decodeDERs(t, tc.Store))
		}
		enc, err := json.Marshal(got)
		if err != nil {
			t.Fatalf("%s: %v", tc.Name, err)
		}
		var g, w any
		_ = json.Unmarshal(enc, &g)
		_ = json.Unmarshal(want, &w)
		normalizeNodeJSON(w)
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s: JSON differs\n got  %s\n want %s", tc.Name, enc, want)
		}
		if gk, wk := topKeys(t, enc), topKeys(t, want); !reflect.DeepEqual(gk, wk) {
			t.Errorf("%s: key order\n got  %v\n want %v", tc.Name, gk, wk)
		}
		// Value and pointer marshal the same.
		enc2, _ := json.Marshal(*got)
		if !bytes.Equal(enc, enc2) {
			t.Errorf("%s: value and pointer JSON differ", tc.Name)
		}
	}
}

// normalizeNodeJSON removes what Go cannot represent: a null or empty
// subjectaltname and a null infoAccess, recursively.
func normalizeNodeJSON(v any) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	if s, ok := m["subjectaltname"]; ok && (s == nil || s == "") {
		delete(m, "subjectaltname")
	}
	if s, ok := m["infoAccess"]; ok && s == nil {
		delete(m, "infoAccess")
	}
	if s, ok := m["subject"]; ok && s == nil {
		delete(m, "subject")
	}
	if s, ok := m["issuer"]; ok && s == nil {
		delete(m, "issuer")
	}
	normalizeNodeJSON(m["issuerCertificate"])
}

func topKeys(t testing.TB, data []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
		if k == "subjectaltname" && (string(skip) == "null" || string(skip) == `""`) {
			continue
		}
		keys = append(keys, k.(string))
	}
	return keys
}

// TestPeerCertificateFixtures runs the builder over the current fixture
// files. The golden cases carry their own DER, so they pass even after
// testdata/gen.sh made new keys; this test says when the golden file no
// longer describes the fixtures (rerun peercert.js then).
func TestPeerCertificateFixtures(t *testing.T) {
	doc := loadPeerCertGolden(t)
	golden := map[string]bool{}
	for _, tc := range doc.Cases {
		for _, c := range tc.Chain {
			golden[c] = true
		}
	}
	for _, f := range []string{
		"agent1-cert.pem", "agent2-cert.pem", "agent3-cert.pem", "agent4-cert.pem", "agent6-chain.pem",
		"ca1-cert.pem", "ca2-cert.pem", "ca3-cert.pem", "localhost-cert.pem", "ipcn-cert.pem",
		"multi-cert.pem", "client1-cert.pem", "ec-cert.pem", "ec-leaf-cert.pem", "ed25519-cert.pem",
		"expired-cert.pem", "notyet-cert.pem", "revoked-cert.pem", "rsa1024-cert.pem", "pass-cert.pem",
	} {
		for _, der := range readFixtureDER(t, f) {
			c, err := newPeerCertificate(der)
			if err != nil {
				t.Errorf("%s: %v", f, err)
				continue
			}
			if c.Subject["CN"] == "" || c.Fingerprint256 == "" || c.SerialNumber == "" || c.ValidFrom == "" {
				t.Errorf("%s: incomplete %+v", f, c)
			}
			if !golden[base64.StdEncoding.EncodeToString(der)] {
				t.Logf("%s is not in peercert.json (fixtures regenerated? rerun tls/testdata/node/peercert.js)", f)
			}
		}
	}

	// The documented fixture facts.
	agent1 := mustPeer(t, readFixtureDER(t, "agent1-cert.pem")[0])
	wantSubject := map[string]string{"C": "US", "ST": "CA", "L": "SF", "O": "Joyent", "OU": "Node.js", "CN": "agent1", "emailAddress": "ry@tinyclouds.org"}
	if !reflect.DeepEqual(agent1.Subject, wantSubject) {
		t.Errorf("agent1 subject %v", agent1.Subject)
	}
	wantAIA := map[string][]string{"OCSP - URI": {"http://ocsp.nodejs.org/"}, "CA Issuers - URI": {"http://ca.nodejs.org/ca.cert"}}
	if !reflect.DeepEqual(agent1.InfoAccess, wantAIA) {
		t.Errorf("agent1 infoAccess %v", agent1.InfoAccess)
	}
	if agent1.Exponent != "0x10001" || agent1.Bits != 2048 || len(agent1.Modulus) != 512 || agent1.CA {
		t.Errorf("agent1 key fields %q %d %d %v", agent1.Exponent, agent1.Bits, len(agent1.Modulus), agent1.CA)
	}
	if !reflect.DeepEqual(agent1.ExtKeyUsage, []string{"1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"}) {
		t.Errorf("agent1 EKU %v", agent1.ExtKeyUsage)
	}
	if len(agent1.Fingerprint) != 59 || len(agent1.Fingerprint256) != 95 || len(agent1.Fingerprint512) != 191 {
		t.Errorf("fingerprint lengths %d %d %d", len(agent1.Fingerprint), len(agent1.Fingerprint256), len(agent1.Fingerprint512))
	}
	localhost := mustPeer(t, readFixtureDER(t, "localhost-cert.pem")[0])
	if localhost.SubjectAltName != "DNS:localhost, DNS:*.example.com, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1" {
		t.Errorf("localhost SAN %q", localhost.SubjectAltName)
	}
	multi := mustPeer(t, readFixtureDER(t, "multi-cert.pem")[0])
	if !reflect.DeepEqual(multi.SubjectValues["OU"], []string{"a", "b"}) || !reflect.DeepEqual(multi.SubjectValues["CN"], []string{"multi1", "multi2"}) || multi.Subject["CN"] != "multi1" {
		t.Errorf("multi subject %v %v", multi.Subject, multi.SubjectValues)
	}
	ec := mustPeer(t, readFixtureDER(t, "ec-leaf-cert.pem")[0])
	if ec.ASN1Curve != "prime256v1" || ec.NISTCurve != "P-256" || ec.Bits != 256 || len(ec.Pubkey) != 65 || ec.Modulus != "" || ec.Exponent != "" {
		t.Errorf("ec-leaf key fields %+v", ec)
	}

	// agent6 -> ca3 -> ca1, ca1 trusted locally.
	chain := readFixtureDER(t, "agent6-chain.pem")
	ca1 := readFixtureDER(t, "ca1-cert.pem")
	got := buildPeerChainWithStore(chain, ca1)
	var cns []string
	for c := got; c != nil; c = c.IssuerCertificate {
		cns = append(cns, c.Subject["CN"])
	}
	if strings.Join(cns, ",") != "agent6,ca3,ca1" {
		t.Errorf("agent6 chain %v", cns)
	}
	if c := buildPeerChain(chain, true); c.IssuerCertificate == nil || c.IssuerCertificate.IssuerCertificate != nil {
		t.Errorf("agent6 chain without store should end at ca3")
	}
	if c := buildPeerChain(chain, false); c.IssuerCertificate != nil {
		t.Errorf("not detailed: IssuerCertificate set")
	}
	agent2 := buildPeerChainWithStore(readFixtureDER(t, "agent2-cert.pem"), nil)
	if agent2 == nil || agent2.IssuerCertificate != nil {
		t.Errorf("self-signed agent2: %v", agent2)
	}
	if buildPeerChain(nil, true) != nil || buildPeerChainWithStore([][]byte{[]byte("junk")}, nil) != nil {
		t.Errorf("empty or junk chain should give nil")
	}
}

func mustPeer(t testing.TB, der []byte) *PeerCertificate {
	t.Helper()
	c, err := newPeerCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPeerCertificateJSONShape(t *testing.T) {
	c := PeerCertificate{
		Subject:       map[string]string{"CN": "a", "OU": "x", "C": "US", "1.2.3.4": "z"},
		SubjectValues: map[string][]string{"CN": {"a", "b"}, "OU": {"x"}, "C": {"US"}, "1.2.3.4": {"z"}},
		Issuer:        map[string]string{"CN": "i"},
		Pubkey:        []byte{1, 2},
		Raw:           []byte{3},
	}
	b, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"subject":{"C":"US","OU":"x","CN":["a","b"],"1.2.3.4":"z"},"issuer":{"CN":"i"},"ca":false,"pubkey":"AQI=","raw":"Aw=="}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	if b, _ := json.Marshal(PeerCertificate{}); string(b) != "{}" {
		t.Errorf("zero value: %s", b)
	}
	var nilCert *PeerCertificate
	if b, _ := json.Marshal(nilCert); string(b) != "null" {
		t.Errorf("nil: %s", b)
	}
}

func TestASN1TimePrint(t *testing.T) {
	for in, want := range map[string]string{
		"\x17\x0d261204151449Z":         "Dec  4 15:14:49 2026 GMT",
		"\x17\x0d491231235959Z":         "Dec 31 23:59:59 2049 GMT",
		"\x17\x0d500101000000Z":         "Jan  1 00:00:00 1950 GMT",
		"\x17\x0b0101011200Z":           "Jan  1 12:00:00 2001 GMT",
		"\x17\x11010101120000+0130":     "Jan  1 10:30:00 2001 GMT",
		"\x18\x0f20500101000000Z":       "Jan  1 00:00:00 2050 GMT",
		"\x18\x1320500101000000.123Z":   "Jan  1 00:00:00.123 2050 GMT",
		"\x18\x0e20500101000000":        "Bad time value",
		"\x18\x0f20230230000000Z":       "Bad time value",
		"\x18\x0f20240229000000Z":       "Feb 29 00:00:00 2024 GMT",
		"\x18\x0f21000229000000Z":       "Bad time value",
		"\x17\x0c26120415144Z":          "Bad time value",
		"\x17\x0d2612041514499":         "Bad time value",
		"\x18\x1520500101000000.5-0500": "Jan  1 05:00:00.5 2050 GMT",
	} {
		v, _, err := parseTLV([]byte(in))
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if got := asn1TimePrint(v); got != want {
			t.Errorf("%q: got %q, want %q", in[2:], got, want)
		}
	}
}

func TestSerialHex(t *testing.T) {
	for in, want := range map[string]string{
		"\x0a\x0b\x0c": "0A0B0C", "\x00\x80": "80", "\x00": "0", "\x01": "01",
		"\xfb": "-05", "\xff\x00": "-0100", "\x7f\xff": "7FFF",
	} {
		if got := serialHex([]byte(in)); got != want {
			t.Errorf("serialHex(% x) = %q, want %q", in, got, want)
		}
	}
}

func TestNameKeyOrderStable(t *testing.T) {
	keys := append([]string(nil), nameKeyOrder...)
	sort.Strings(keys)
	for i := 1; i < len(keys); i++ {
		if keys[i] == keys[i-1] {
			t.Fatalf("duplicate %q", keys[i])
		}
	}
}

// FuzzPeerCertificate feeds arbitrary bytes to the builder: it must not
// panic, what it accepts must marshal to JSON, and chain building must end.
func FuzzPeerCertificate(f *testing.F) {
	doc := loadPeerCertGolden(f)
	for i, tc := range doc.Cases {
		if i%4 == 0 && len(tc.Chain) > 0 {
			f.Add(decodeDERs(f, tc.Chain)[0])
		}
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		c, err := newPeerCertificate(der)
		if err != nil {
			return
		}
		if _, err := json.Marshal(c); err != nil {
			t.Fatalf("MarshalJSON: %v", err)
		}
		if c.Raw == nil || c.Fingerprint == "" || c.SerialNumber == "" {
			t.Fatalf("accepted certificate without raw, fingerprint or serial: %+v", c)
		}
		chain := buildPeerChainWithStore([][]byte{der, der, der}, [][]byte{der, der})
		n := 0
		for p := chain; p != nil; p = p.IssuerCertificate {
			if n++; n > 10 {
				t.Fatal("chain does not end")
			}
		}
	})
}
