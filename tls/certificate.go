package tls

import (
	"bytes"
	"crypto/elliptic"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// PeerCertificate is a certificate as Node's getPeerCertificate() describes
// it (Node 20, OpenSSL 3). Strings are in the exact form Node prints them.
//
// It marshals to JSON with Node's keys and shapes: subject and issuer are
// objects whose repeated attributes are arrays (from SubjectValues and
// IssuerValues), pubkey and raw are base64, absent fields are left out.
// The order of the keys inside subject and issuer is a fixed conventional
// one (C, ST, L, O, OU, CN, ...), not necessarily the certificate's.
type PeerCertificate struct {
	Subject, Issuer             map[string]string   // {"C": ..., "ST": ..., "CN": ...}; the first value of a repeated attribute
	SubjectValues, IssuerValues map[string][]string // every value, in certificate order
	SubjectAltName              string              // Node's form: "DNS:a.example, IP Address:127.0.0.1"
	InfoAccess                  map[string][]string
	Modulus, Exponent           string // RSA keys
	Bits                        int
	ASN1Curve, NISTCurve        string // EC keys
	Pubkey                      []byte
	CA                          bool
	ValidFrom, ValidTo          string // "Nov 11 09:52:22 2009 GMT"
	Fingerprint                 string // SHA-1, upper-case hex with ':'
	Fingerprint256              string
	Fingerprint512              string
	SerialNumber                string           // upper-case hex
	ExtKeyUsage                 []string         // OIDs
	Raw                         []byte           // DER
	IssuerCertificate           *PeerCertificate // detailed only; nil at the self-signed root (Node loops to itself; Go must stay JSON-safe)
}

// MarshalJSON writes the certificate with Node's keys, in Node's order.
// "ca" is written whenever the value describes a certificate (Raw is set),
// as Node always has it.
func (c PeerCertificate) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	put := func(key string, v any) error {
		enc, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		k, _ := json.Marshal(key)
		b.Write(k)
		b.WriteByte(':')
		b.Write(enc)
		return nil
	}
	var err error
	check := func(e error) {
		if err == nil {
			err = e
		}
	}
	if c.Subject != nil || c.SubjectValues != nil {
		check(put("subject", nameJSON(c.Subject, c.SubjectValues)))
	}
	if c.Issuer != nil || c.IssuerValues != nil {
		check(put("issuer", nameJSON(c.Issuer, c.IssuerValues)))
	}
	if c.SubjectAltName != "" {
		check(put("subjectaltname", c.SubjectAltName))
	}
	if c.InfoAccess != nil {
		check(put("infoAccess", c.InfoAccess))
	}
	if c.CA || len(c.Raw) > 0 {
		check(put("ca", c.CA))
	}
	if c.Modulus != "" {
		check(put("modulus", c.Modulus))
		if c.Bits != 0 {
			check(put("bits", c.Bits))
		}
		if c.Exponent != "" {
			check(put("exponent", c.Exponent))
		}
		if c.Pubkey != nil {
			check(put("pubkey", c.Pubkey))
		}
	} else {
		if c.Exponent != "" {
			check(put("exponent", c.Exponent))
		}
		if c.Bits != 0 {
			check(put("bits", c.Bits))
		}
		if c.Pubkey != nil {
			check(put("pubkey", c.Pubkey))
		}
	}
	if c.ASN1Curve != "" {
		check(put("asn1Curve", c.ASN1Curve))
	}
	if c.NISTCurve != "" {
		check(put("nistCurve", c.NISTCurve))
	}
	if c.ValidFrom != "" {
		check(put("valid_from", c.ValidFrom))
	}
	if c.ValidTo != "" {
		check(put("valid_to", c.ValidTo))
	}
	if c.Fingerprint != "" {
		check(put("fingerprint", c.Fingerprint))
	}
	if c.Fingerprint256 != "" {
		check(put("fingerprint256", c.Fingerprint256))
	}
	if c.Fingerprint512 != "" {
		check(put("fingerprint512", c.Fingerprint512))
	}
	if c.ExtKeyUsage != nil {
		check(put("ext_key_usage", c.ExtKeyUsage))
	}
	if c.SerialNumber != "" {
		check(put("serialNumber", c.SerialNumber))
	}
	if c.Raw != nil {
		check(put("raw", c.Raw))
	}
	if c.IssuerCertificate != nil {
		check(put("issuerCertificate", c.IssuerCertificate))
	}
	if err != nil {
		return nil, err
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// nameJSON renders a subject or issuer as Node's object: a single value is a
// string, repeated values an array in certificate order.
func nameJSON(first map[string]string, all map[string][]string) json.RawMessage {
	keys := make([]string, 0, len(all)+len(first))
	for k := range all {
		keys = append(keys, k)
	}
	for k := range first {
		if _, ok := all[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := nameKeyRank(keys[i]), nameKeyRank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kj, _ := json.Marshal(k)
		b.Write(kj)
		b.WriteByte(':')
		var v []byte
		if vals, ok := all[k]; ok && len(vals) != 1 {
			if vals == nil {
				vals = []string{}
			}
			v, _ = json.Marshal(vals)
		} else if ok {
			v, _ = json.Marshal(vals[0])
		} else {
			v, _ = json.Marshal(first[k])
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// nameKeyOrder is the conventional order of name attributes in JSON.
var nameKeyOrder = []string{"DC", "C", "ST", "L", "street", "postalCode", "O", "OU", "title", "CN", "GN", "SN", "initials", "pseudonym", "generationQualifier", "UID", "serialNumber", "emailAddress"}

func nameKeyRank(k string) int {
	for i, s := range nameKeyOrder {
		if s == k {
			return i
		}
	}
	return len(nameKeyOrder)
}

// Object identifiers used below, in dotted form.
const (
	oidRSAEncryption       = "1.2.840.113549.1.1.1"
	oidRSAPSS              = "1.2.840.113549.1.1.10"
	oidECPublicKey         = "1.2.840.10045.2.1"
	oidEd25519             = "1.3.101.112"
	oidEd448               = "1.3.101.113"
	oidDSA                 = "1.2.840.10040.4.1"
	oidExtSubjectKeyID     = "2.5.29.14"
	oidExtKeyUsage         = "2.5.29.15"
	oidExtSAN              = "2.5.29.17"
	oidExtBasicConstr      = "2.5.29.19"
	oidExtNameConstr       = "2.5.29.30"
	oidExtCRLDP            = "2.5.29.31"
	oidExtAuthKeyID        = "2.5.29.35"
	oidExtExtKeyUsage      = "2.5.29.37"
	oidExtInfoAccess       = "1.3.6.1.5.5.7.1.1"
	oidExtIPAddrBlocks     = "1.3.6.1.5.5.7.1.7"
	oidExtASIdentifiers    = "1.3.6.1.5.5.7.1.8"
	oidExtProxyCertInfo    = "1.3.6.1.5.5.7.1.14"
	oidExtNetscapeCertType = "2.16.840.1.113730.1.1"
)

// nameShortNames maps attribute types to the names OpenSSL 3.0 gives them
// (OBJ_nid2sn: the short name, or the long name where there is no short
// one), the keys of Node's subject and issuer objects. It holds every
// object OpenSSL knows in the arcs used for name attributes (X.520,
// PKCS #9, the pilot/COSINE attributes, the EV jurisdiction attributes,
// RFC 3039 personal data, the Russian identifiers); other types appear as
// dotted OIDs.
var nameShortNames = map[string]string{
	"0.9.2342.19200300.100.1.1":  "UID",
	"0.9.2342.19200300.100.1.2":  "textEncodedORAddress",
	"0.9.2342.19200300.100.1.3":  "mail",
	"0.9.2342.19200300.100.1.4":  "info",
	"0.9.2342.19200300.100.1.5":  "favouriteDrink",
	"0.9.2342.19200300.100.1.6":  "roomNumber",
	"0.9.2342.19200300.100.1.7":  "photo",
	"0.9.2342.19200300.100.1.8":  "userClass",
	"0.9.2342.19200300.100.1.9":  "host",
	"0.9.2342.19200300.100.1.10": "manager",
	"0.9.2342.19200300.100.1.11": "documentIdentifier",
	"0.9.2342.19200300.100.1.12": "documentTitle",
	"0.9.2342.19200300.100.1.13": "documentVersion",
	"0.9.2342.19200300.100.1.14": "documentAuthor",
	"0.9.2342.19200300.100.1.15": "documentLocation",
	"0.9.2342.19200300.100.1.20": "homeTelephoneNumber",
	"0.9.2342.19200300.100.1.21": "secretary",
	"0.9.2342.19200300.100.1.22": "otherMailbox",
	"0.9.2342.19200300.100.1.23": "lastModifiedTime",
	"0.9.2342.19200300.100.1.24": "lastModifiedBy",
	"0.9.2342.19200300.100.1.25": "DC",
	"0.9.2342.19200300.100.1.26": "aRecord",
	"0.9.2342.19200300.100.1.27": "pilotAttributeType27",
	"0.9.2342.19200300.100.1.28": "mXRecord",
	"0.9.2342.19200300.100.1.29": "nSRecord",
	"0.9.2342.19200300.100.1.30": "sOARecord",
	"0.9.2342.19200300.100.1.31": "cNAMERecord",
	"0.9.2342.19200300.100.1.37": "associatedDomain",
	"0.9.2342.19200300.100.1.38": "associatedName",
	"0.9.2342.19200300.100.1.39": "homePostalAddress",
	"0.9.2342.19200300.100.1.40": "personalTitle",
	"0.9.2342.19200300.100.1.41": "mobileTelephoneNumber",
	"0.9.2342.19200300.100.1.42": "pagerTelephoneNumber",
	"0.9.2342.19200300.100.1.43": "friendlyCountryName",
	"0.9.2342.19200300.100.1.44": "uid",
	"0.9.2342.19200300.100.1.45": "organizationalStatus",
	"0.9.2342.19200300.100.1.46": "janetMailbox",
	"0.9.2342.19200300.100.1.47": "mailPreferenceOption",
	"0.9.2342.19200300.100.1.48": "buildingName",
	"0.9.2342.19200300.100.1.49": "dSAQuality",
	"0.9.2342.19200300.100.1.50": "singleLevelQuality",
	"0.9.2342.19200300.100.1.51": "subtreeMinimumQuality",
	"0.9.2342.19200300.100.1.52": "subtreeMaximumQuality",
	"0.9.2342.19200300.100.1.53": "personalSignature",
	"0.9.2342.19200300.100.1.54": "dITRedirect",
	"0.9.2342.19200300.100.1.55": "audio",
	"0.9.2342.19200300.100.1.56": "documentPublisher",
	"1.2.643.3.131.1.1":          "INN",
	"1.2.643.100.1":              "OGRN",
	"1.2.643.100.3":              "SNILS",
	"1.2.643.100.5":              "OGRNIP",
	"1.2.643.100.111":            "subjectSignTool",
	"1.2.643.100.112":            "issuerSignTool",
	"1.2.643.100.113":            "classSignTool",
	"1.2.840.113549.1.9.1":       "emailAddress",
	"1.2.840.113549.1.9.2":       "unstructuredName",
	"1.2.840.113549.1.9.3":       "contentType",
	"1.2.840.113549.1.9.4":       "messageDigest",
	"1.2.840.113549.1.9.5":       "signingTime",
	"1.2.840.113549.1.9.6":       "countersignature",
	"1.2.840.113549.1.9.7":       "challengePassword",
	"1.2.840.113549.1.9.8":       "unstructuredAddress",
	"1.2.840.113549.1.9.9":       "extendedCertificateAttributes",
	"1.2.840.113549.1.9.14":      "extReq",
	"1.2.840.113549.1.9.15":      "SMIME-CAPS",
	"1.2.840.113549.1.9.16":      "SMIME",
	"1.2.840.113549.1.9.20":      "friendlyName",
	"1.2.840.113549.1.9.21":      "localKeyID",
	"1.3.6.1.4.1.311.60.2.1.1":   "jurisdictionL",
	"1.3.6.1.4.1.311.60.2.1.2":   "jurisdictionST",
	"1.3.6.1.4.1.311.60.2.1.3":   "jurisdictionC",
	"1.3.6.1.5.5.7.9.1":          "id-pda-dateOfBirth",
	"1.3.6.1.5.5.7.9.2":          "id-pda-placeOfBirth",
	"1.3.6.1.5.5.7.9.3":          "id-pda-gender",
	"1.3.6.1.5.5.7.9.4":          "id-pda-countryOfCitizenship",
	"1.3.6.1.5.5.7.9.5":          "id-pda-countryOfResidence",
	"2.5.4.3":                    "CN",
	"2.5.4.4":                    "SN",
	"2.5.4.5":                    "serialNumber",
	"2.5.4.6":                    "C",
	"2.5.4.7":                    "L",
	"2.5.4.8":                    "ST",
	"2.5.4.9":                    "street",
	"2.5.4.10":                   "O",
	"2.5.4.11":                   "OU",
	"2.5.4.12":                   "title",
	"2.5.4.13":                   "description",
	"2.5.4.14":                   "searchGuide",
	"2.5.4.15":                   "businessCategory",
	"2.5.4.16":                   "postalAddress",
	"2.5.4.17":                   "postalCode",
	"2.5.4.18":                   "postOfficeBox",
	"2.5.4.19":                   "physicalDeliveryOfficeName",
	"2.5.4.20":                   "telephoneNumber",
	"2.5.4.21":                   "telexNumber",
	"2.5.4.22":                   "teletexTerminalIdentifier",
	"2.5.4.23":                   "facsimileTelephoneNumber",
	"2.5.4.24":                   "x121Address",
	"2.5.4.25":                   "internationaliSDNNumber",
	"2.5.4.26":                   "registeredAddress",
	"2.5.4.27":                   "destinationIndicator",
	"2.5.4.28":                   "preferredDeliveryMethod",
	"2.5.4.29":                   "presentationAddress",
	"2.5.4.30":                   "supportedApplicationContext",
	"2.5.4.31":                   "member",
	"2.5.4.32":                   "owner",
	"2.5.4.33":                   "roleOccupant",
	"2.5.4.34":                   "seeAlso",
	"2.5.4.35":                   "userPassword",
	"2.5.4.36":                   "userCertificate",
	"2.5.4.37":                   "cACertificate",
	"2.5.4.38":                   "authorityRevocationList",
	"2.5.4.39":                   "certificateRevocationList",
	"2.5.4.40":                   "crossCertificatePair",
	"2.5.4.41":                   "name",
	"2.5.4.42":                   "GN",
	"2.5.4.43":                   "initials",
	"2.5.4.44":                   "generationQualifier",
	"2.5.4.45":                   "x500UniqueIdentifier",
	"2.5.4.46":                   "dnQualifier",
	"2.5.4.47":                   "enhancedSearchGuide",
	"2.5.4.48":                   "protocolInformation",
	"2.5.4.49":                   "distinguishedName",
	"2.5.4.50":                   "uniqueMember",
	"2.5.4.51":                   "houseIdentifier",
	"2.5.4.52":                   "supportedAlgorithms",
	"2.5.4.53":                   "deltaRevocationList",
	"2.5.4.54":                   "dmdName",
	"2.5.4.65":                   "pseudonym",
	"2.5.4.72":                   "role",
	"2.5.4.97":                   "organizationIdentifier",
	"2.5.4.98":                   "c3",
	"2.5.4.99":                   "n3",
	"2.5.4.100":                  "dnsName",
}

// accessMethodNames are OpenSSL's long names of the id-ad arc, what
// i2t_ASN1_OBJECT prints before " - " in infoAccess keys; other methods
// print as dotted OIDs.
var accessMethodNames = map[string]string{
	"1.3.6.1.5.5.7.48.1":    "OCSP",
	"1.3.6.1.5.5.7.48.1.1":  "Basic OCSP Response",
	"1.3.6.1.5.5.7.48.1.2":  "OCSP Nonce",
	"1.3.6.1.5.5.7.48.1.3":  "OCSP CRL ID",
	"1.3.6.1.5.5.7.48.1.4":  "Acceptable OCSP Responses",
	"1.3.6.1.5.5.7.48.1.5":  "OCSP No Check",
	"1.3.6.1.5.5.7.48.1.6":  "OCSP Archive Cutoff",
	"1.3.6.1.5.5.7.48.1.7":  "OCSP Service Locator",
	"1.3.6.1.5.5.7.48.1.8":  "Extended OCSP Status",
	"1.3.6.1.5.5.7.48.1.9":  "valid",
	"1.3.6.1.5.5.7.48.1.10": "path",
	"1.3.6.1.5.5.7.48.1.11": "Trust Root",
	"1.3.6.1.5.5.7.48.2":    "CA Issuers",
	"1.3.6.1.5.5.7.48.3":    "AD Time Stamping",
	"1.3.6.1.5.5.7.48.4":    "ad dvcs",
	"1.3.6.1.5.5.7.48.5":    "CA Repository",
	"1.3.6.1.5.5.7.48.10":   "RPKI Manifest",
	"1.3.6.1.5.5.7.48.11":   "Signed Object",
	"1.3.6.1.5.5.7.48.13":   "RPKI Notify",
}

// namedCurves describes the prime curves OpenSSL names: short name, NIST
// name, order bits (what Node reports as bits) and, for curves Go's
// crypto/elliptic lacks, the field prime and coefficients a and b (hex).
var namedCurves = map[string]struct {
	sn, nist string
	bits     int
	p, a, b  string
}{
	"1.2.840.10045.3.1.1": {"prime192v1", "P-192", 192,
		"fffffffffffffffffffffffffffffffeffffffffffffffff",
		"fffffffffffffffffffffffffffffffefffffffffffffffc",
		"64210519e59c80e70fa7e9ab72243049feb8deecc146b9b1"},
	"1.3.132.0.33":        {"secp224r1", "P-224", 224, "", "", ""},
	"1.2.840.10045.3.1.7": {"prime256v1", "P-256", 256, "", "", ""},
	"1.3.132.0.34":        {"secp384r1", "P-384", 384, "", "", ""},
	"1.3.132.0.35":        {"secp521r1", "P-521", 521, "", "", ""},
	"1.3.132.0.10": {"secp256k1", "", 256,
		"fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f", "0", "7"},
	"1.3.36.3.3.2.8.1.1.7": {"brainpoolP256r1", "", 256,
		"a9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013481d1f6e5377",
		"7d5a0975fc2c3057eef67530417affe7fb8055c126dc5c6ce94a4b44f330b5d9",
		"26dc5c6ce94a4b44f330b5d9bbd77cbf958416295cf7e1ce6bccdc18ff8c07b6"},
	"1.3.36.3.3.2.8.1.1.11": {"brainpoolP384r1", "", 384,
		"8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b412b1da197fb71123acd3a729901d1a71874700133107ec53",
		"7bc382c63d8c150c3c72080ace05afa0c2bea28e4fb22787139165efba91f90f8aa5814a503ad4eb04a8c7dd22ce2826",
		"04a8c7dd22ce28268b39b55416f0447c2fb77de107dcd2a62e880ea53eeb62d57cb4390295dbc9943ab78696fa504c11"},
	"1.3.36.3.3.2.8.1.1.13": {"brainpoolP512r1", "", 512,
		"aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca703308717d4d9b009bc66842aecda12ae6a380e62881ff2f2d82c68528aa6056583a48f3",
		"7830a3318b603b89e2327145ac234cc594cbdd8d3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94ca",
		"3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94cadc083e67984050b75ebae5dd2809bd638016f723"},
}

// curveParams returns the field prime and the coefficients of y² = x³ + ax + b.
func curveParams(oid string) (p, a, b *big.Int, ok bool) {
	var std elliptic.Curve
	switch oid {
	case "1.3.132.0.33":
		std = elliptic.P224()
	case "1.2.840.10045.3.1.7":
		std = elliptic.P256()
	case "1.3.132.0.34":
		std = elliptic.P384()
	case "1.3.132.0.35":
		std = elliptic.P521()
	}
	if std != nil {
		cp := std.Params()
		return cp.P, new(big.Int).Sub(cp.P, big.NewInt(3)), cp.B, true
	}
	info, known := namedCurves[oid]
	if !known || info.p == "" {
		return nil, nil, nil, false
	}
	p, _ = new(big.Int).SetString(info.p, 16)
	a, _ = new(big.Int).SetString(info.a, 16)
	b, _ = new(big.Int).SetString(info.b, 16)
	return p, a, b, true
}

// ecPublicPoint decodes an encoded point (compressed, uncompressed or hybrid)
// on the named curve and returns it uncompressed, as Node reports the key
// (OpenSSL 3 hands Node the key in its default, uncompressed, form). ok is
// false when OpenSSL would refuse the key.
func ecPublicPoint(curve string, enc []byte) ([]byte, bool) {
	p, a, b, ok := curveParams(curve)
	if !ok || len(enc) == 0 {
		return nil, false
	}
	size := (p.BitLen() + 7) / 8
	x, y := new(big.Int), new(big.Int)
	switch enc[0] {
	case 2, 3:
		if len(enc) != 1+size {
			return nil, false
		}
		x.SetBytes(enc[1:])
	case 4, 6, 7:
		if len(enc) != 1+2*size {
			return nil, false
		}
		x.SetBytes(enc[1 : 1+size])
		y.SetBytes(enc[1+size:])
	default:
		return nil, false
	}
	if x.Cmp(p) >= 0 || y.Cmp(p) >= 0 {
		return nil, false
	}
	// rhs = x³ + ax + b mod p
	rhs := new(big.Int).Exp(x, big.NewInt(3), p)
	rhs.Add(rhs, new(big.Int).Mul(a, x))
	rhs.Add(rhs, b)
	rhs.Mod(rhs, p)
	switch enc[0] {
	case 2, 3:
		if y.ModSqrt(rhs, p) == nil {
			return nil, false
		}
		if y.Bit(0) != uint(enc[0]&1) {
			if y.Sign() == 0 {
				return nil, false
			}
			y.Sub(p, y)
		}
	default:
		if new(big.Int).Exp(y, big.NewInt(2), p).Cmp(rhs) != 0 {
			return nil, false
		}
		if enc[0] != 4 && y.Bit(0) != uint(enc[0]&1) {
			return nil, false
		}
	}
	out := make([]byte, 1+2*size)
	out[0] = 4
	x.FillBytes(out[1 : 1+size])
	y.FillBytes(out[1+size:])
	return out, true
}

// newPeerCertificate describes a DER certificate as Node 20's
// getPeerCertificate() does (X509ToObject plus translatePeerCertificate).
// IssuerCertificate is left nil.
func newPeerCertificate(der []byte) (*PeerCertificate, error) {
	raw, tbs, off, err := splitCertificate(der)
	if err != nil {
		return nil, err
	}
	exts, _ := certExtensions(tbs, off)
	c := &PeerCertificate{}

	c.Subject, c.SubjectValues = nameMaps(tbs[off+4])
	c.Issuer, c.IssuerValues = nameMaps(tbs[off+2])

	// Node reads these texts into JavaScript strings as UTF-8.
	if e := firstExtension(exts, oidExtSAN); e != nil {
		s, _ := subjectAltNameString(e.Value)
		c.SubjectAltName = jsString(s)
	}
	if e := firstExtension(exts, oidExtInfoAccess); e != nil {
		if s, ok := infoAccessString(e.Value); ok {
			c.InfoAccess = translateInfoAccess(jsString(s))
		}
	}
	c.CA = checkCA(exts)
	setPublicKey(c, tbs[off+5])

	validity, err := structure(tbs[off+3])
	if err == nil && len(validity) == 2 {
		c.ValidFrom = asn1TimePrint(validity[0])
		c.ValidTo = asn1TimePrint(validity[1])
	}

	s1, s256, s512 := sha1.Sum(raw), sha256.Sum256(raw), sha512.Sum512(raw)
	c.Fingerprint = fingerprint(s1[:])
	c.Fingerprint256 = fingerprint(s256[:])
	c.Fingerprint512 = fingerprint(s512[:])

	if ext, ok := uniqueExtension(exts, oidExtExtKeyUsage); ok && ext != nil {
		if oids, ok := parseOIDSequence(ext.Value); ok {
			c.ExtKeyUsage = oids
		}
	}
	c.SerialNumber = serialHex(tbs[off].Bytes)
	c.Raw = append([]byte(nil), raw...)
	return c, nil
}

// splitCertificate returns the certificate's encoding as OpenSSL gives it
// back (i2d_X509: the TBSCertificate as received, the signature algorithm
// and value re-encoded), the TBSCertificate fields and the index of the
// serial number among them (1 when a version is present, else 0). It fails
// where OpenSSL's d2i_X509 fails.
func splitCertificate(der []byte) (raw []byte, tbs []asn1.RawValue, off int, err error) {
	top, _, err := parseTLV(der)
	if err != nil {
		return nil, nil, 0, err
	}
	parts, err := structure(top)
	if err != nil || len(parts) != 3 || !algorithmOK(parts[1]) {
		return nil, nil, 0, errors.New("tls: malformed certificate")
	}
	sig, unused, ok := bitString(parts[2])
	if !ok {
		return nil, nil, 0, errors.New("tls: malformed signature")
	}
	if tbs, err = structure(parts[0]); err != nil {
		return nil, nil, 0, err
	}
	bad := errors.New("tls: malformed TBSCertificate")
	if len(tbs) > 0 && tbs[0].Class == asn1.ClassContextSpecific && tbs[0].Tag == 0 {
		v, err := children(tbs[0])
		if err != nil || len(v) != 1 || !integerOK(v[0]) {
			return nil, nil, 0, errors.New("tls: malformed certificate version")
		}
		off = 1
	}
	if len(tbs) < off+6 || !integerOK(tbs[off]) || !algorithmOK(tbs[off+1]) {
		return nil, nil, 0, bad
	}
	validity, err := structure(tbs[off+3])
	if err != nil || len(validity) != 2 {
		return nil, nil, 0, bad
	}
	for _, t := range validity {
		if t.Class != asn1.ClassUniversal || (t.Tag != asn1.TagUTCTime && t.Tag != asn1.TagGeneralizedTime) {
			return nil, nil, 0, bad
		}
		if _, ok := primitiveContent(t); !ok {
			return nil, nil, 0, bad
		}
	}
	spki, err := structure(tbs[off+5])
	if err != nil || len(spki) != 2 || !algorithmOK(spki[0]) {
		return nil, nil, 0, bad
	}
	if _, _, ok := bitString(spki[1]); !ok {
		return nil, nil, 0, bad
	}
	// Then issuerUniqueID [1], subjectUniqueID [2], extensions [3], each
	// optional, in that order.
	next := 1
	for _, f := range tbs[off+6:] {
		if f.Class != asn1.ClassContextSpecific || f.Tag < next || f.Tag > 3 || (f.Tag == 3 && !f.IsCompound) {
			return nil, nil, 0, bad
		}
		if f.Tag < 3 {
			if _, _, ok := bitString(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagBitString, IsCompound: f.IsCompound, Bytes: f.Bytes}); !ok {
				return nil, nil, 0, bad
			}
		}
		next = f.Tag + 1
	}
	if _, ok := certExtensions(tbs, off); !ok {
		return nil, nil, 0, errors.New("tls: malformed extensions")
	}
	// OpenSSL cannot read a certificate whose names it cannot decode.
	for _, i := range []int{off + 2, off + 4} {
		if _, _, _, ok := nameEntries(tbs[i]); !ok {
			return nil, nil, 0, errors.New("tls: malformed name")
		}
	}
	body := append([]byte(nil), parts[0].FullBytes...)
	body = append(body, reencodeAlgorithm(parts[1])...)
	body = append(body, derTLV(asn1.TagBitString, append([]byte{unused}, sig...))...)
	return derTLV(0x30, body), tbs, off, nil
}

// reencodeAlgorithm is i2d of an X509_ALGOR: the OID as received, the
// parameters as OpenSSL writes an ASN1_TYPE back (NULL and BOOLEAN
// normalised, strings and bit strings in primitive form, the rest as
// received).
func reencodeAlgorithm(v asn1.RawValue) []byte {
	parts, _ := structure(v)
	out := derTLV(asn1.TagOID, parts[0].Bytes)
	if len(parts) == 2 {
		p := parts[1]
		switch {
		case p.Class != asn1.ClassUniversal:
			out = append(out, p.FullBytes...)
		case p.Tag == asn1.TagNull:
			out = append(out, 0x05, 0x00)
		case p.Tag == asn1.TagBoolean:
			b := byte(0)
			if len(p.Bytes) == 1 && p.Bytes[0] != 0 {
				b = 0xff
			}
			out = append(out, 0x01, 0x01, b)
		case p.Tag == asn1.TagBitString:
			bits, unused, ok := bitString(p)
			if !ok {
				out = append(out, p.FullBytes...)
			} else {
				out = append(out, derTLV(asn1.TagBitString, append([]byte{unused}, bits...))...)
			}
		case p.IsCompound && p.Tag != asn1.TagSequence && p.Tag != asn1.TagSet && p.Tag < 31:
			if c, ok := primitiveContent(p); ok {
				out = append(out, derTLV(byte(p.Tag), c)...)
			} else {
				out = append(out, p.FullBytes...)
			}
		default:
			out = append(out, p.FullBytes...)
		}
	}
	return derTLV(0x30, out)
}

// algorithmOK checks an AlgorithmIdentifier: SEQUENCE { OID, parameters
// OPTIONAL }.
func algorithmOK(v asn1.RawValue) bool {
	parts, err := structure(v)
	if err != nil || len(parts) < 1 || len(parts) > 2 {
		return false
	}
	_, ok := oidText(parts[0])
	return ok && (len(parts) == 1 || anyOK(parts[1]))
}

// anyOK reports whether OpenSSL decodes a value of type ANY: universal
// types are checked as that type, others are kept as they are.
func anyOK(v asn1.RawValue) bool {
	if v.Class != asn1.ClassUniversal {
		return true
	}
	switch v.Tag {
	case asn1.TagBoolean:
		return !v.IsCompound && len(v.Bytes) == 1
	case asn1.TagInteger, asn1.TagEnum:
		return integerOK(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagInteger, IsCompound: v.IsCompound, Bytes: v.Bytes})
	case asn1.TagNull:
		return !v.IsCompound && len(v.Bytes) == 0
	case asn1.TagOID:
		_, ok := oidText(v)
		return ok
	case asn1.TagBitString:
		_, _, ok := bitString(v)
		return ok
	case asn1.TagSequence, asn1.TagSet:
		return v.IsCompound
	}
	_, ok := primitiveContent(v)
	return ok
}

// algorithmOID returns an AlgorithmIdentifier's OID in dotted form.
func algorithmOID(v asn1.RawValue) string {
	parts, err := structure(v)
	if err != nil || len(parts) < 1 {
		return ""
	}
	s, _ := oidText(parts[0])
	return s
}

// integerOK is OpenSSL's check of an INTEGER's encoding (c2i_ibuf): not
// empty, no redundant leading 0x00 or 0xff byte.
func integerOK(v asn1.RawValue) bool {
	if v.Class != asn1.ClassUniversal || v.Tag != asn1.TagInteger || v.IsCompound || len(v.Bytes) == 0 {
		return false
	}
	b := v.Bytes
	if len(b) == 1 {
		return true
	}
	pad := b[0] == 0
	if b[0] == 0xff {
		for _, c := range b[1:] {
			if c != 0 {
				pad = true
				break
			}
		}
	}
	return !pad || (b[0]&0x80 != 0) != (b[1]&0x80 != 0)
}

// parseTLV reads one BER value with a definite length, as OpenSSL does
// (long or non-minimal length forms are accepted; indefinite lengths are
// not).
func parseTLV(b []byte) (asn1.RawValue, []byte, error) {
	var rv asn1.RawValue
	errShort := errors.New("tls: truncated ASN.1 value")
	if len(b) < 2 {
		return rv, nil, errShort
	}
	i := 0
	rv.Class = int(b[0] >> 6)
	rv.IsCompound = b[0]&0x20 != 0
	rv.Tag = int(b[0] & 0x1f)
	i++
	if rv.Tag == 0x1f {
		rv.Tag = 0
		for {
			if i >= len(b) || rv.Tag > 1<<23 {
				return rv, nil, errShort
			}
			c := b[i]
			i++
			rv.Tag = rv.Tag<<7 | int(c&0x7f)
			if c&0x80 == 0 {
				break
			}
		}
	}
	if i >= len(b) {
		return rv, nil, errShort
	}
	n := int(b[i])
	i++
	if n&0x80 != 0 {
		k := n & 0x7f
		if k == 0 || k > 4 {
			return rv, nil, errors.New("tls: unsupported ASN.1 length")
		}
		n = 0
		for ; k > 0; k-- {
			if i >= len(b) {
				return rv, nil, errShort
			}
			n = n<<8 | int(b[i])
			i++
		}
		if n > 1<<30 {
			return rv, nil, errShort
		}
	}
	if len(b)-i < n {
		return rv, nil, errShort
	}
	rv.Bytes = b[i : i+n]
	rv.FullBytes = b[:i+n]
	return rv, b[i+n:], nil
}

// primitiveContent returns the content of a string-like value; a
// constructed (BER) encoding is reassembled from its parts, as OpenSSL
// does.
func primitiveContent(v asn1.RawValue) ([]byte, bool) {
	if !v.IsCompound {
		return v.Bytes, true
	}
	var out []byte
	var collect func(b []byte, depth int) bool
	collect = func(b []byte, depth int) bool {
		if depth > 5 {
			return false
		}
		parts, err := splitTLVs(b)
		if err != nil {
			return false
		}
		for _, p := range parts {
			if p.IsCompound {
				if !collect(p.Bytes, depth+1) {
					return false
				}
			} else {
				out = append(out, p.Bytes...)
			}
		}
		return true
	}
	if !collect(v.Bytes, 0) {
		return nil, false
	}
	return out, true
}

// oidText returns an OBJECT IDENTIFIER in dotted form, or ok false when
// OpenSSL would reject its encoding.
func oidText(v asn1.RawValue) (string, bool) {
	if v.Class != asn1.ClassUniversal || v.Tag != asn1.TagOID || v.IsCompound {
		return "", false
	}
	return oidContentText(v.Bytes)
}

// oidContentText decodes OBJECT IDENTIFIER content octets to dotted form
// (arcs of any size), rejecting what c2i_ASN1_OBJECT rejects: no content, a
// last octet with the continuation bit, a sub-identifier starting 0x80.
func oidContentText(b []byte) (string, bool) {
	if len(b) == 0 || b[len(b)-1]&0x80 != 0 {
		return "", false
	}
	var sb strings.Builder
	first := true
	v := new(big.Int)
	start := true
	for _, c := range b {
		if start && c == 0x80 {
			return "", false
		}
		start = false
		v.Lsh(v, 7)
		v.Or(v, big.NewInt(int64(c&0x7f)))
		if c&0x80 != 0 {
			continue
		}
		if first {
			first = false
			switch {
			case v.Cmp(big.NewInt(40)) < 0:
				sb.WriteString("0.")
			case v.Cmp(big.NewInt(80)) < 0:
				sb.WriteString("1.")
				v.Sub(v, big.NewInt(40))
			default:
				sb.WriteString("2.")
				v.Sub(v, big.NewInt(80))
			}
			sb.WriteString(v.String())
		} else {
			sb.WriteByte('.')
			sb.WriteString(v.String())
		}
		v.SetInt64(0)
		start = true
	}
	return sb.String(), true
}

// oidInts converts a dotted OID to asn1.ObjectIdentifier; nil when an arc
// does not fit an int.
func oidInts(s string) asn1.ObjectIdentifier {
	var out asn1.ObjectIdentifier
	for _, p := range strings.Split(s, ".") {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil
		}
		out = append(out, n)
	}
	return out
}

// truncateC is a C string written into a buffer of size n.
func truncateC(s string, n int) string {
	if len(s) > n-1 {
		return s[:n-1]
	}
	return s
}

// children returns the values inside a constructed value (an explicit tag,
// a context-tagged SEQUENCE).
func children(rv asn1.RawValue) ([]asn1.RawValue, error) {
	if !rv.IsCompound {
		return nil, errors.New("tls: not a constructed value")
	}
	return splitTLVs(rv.Bytes)
}

func splitTLVs(b []byte) ([]asn1.RawValue, error) {
	var out []asn1.RawValue
	for len(b) > 0 {
		v, rest, err := parseTLV(b)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		b = rest
	}
	return out, nil
}

// structure returns the fields of a SEQUENCE type; OpenSSL requires its
// constructed bit.
func structure(rv asn1.RawValue) ([]asn1.RawValue, error) {
	if rv.Class != asn1.ClassUniversal || rv.Tag != asn1.TagSequence {
		return nil, errors.New("tls: not a SEQUENCE")
	}
	return children(rv)
}

// elements returns the items of a SEQUENCE OF (asn1.TagSequence) or SET OF
// (asn1.TagSet); OpenSSL does not check their constructed bit.
func elements(rv asn1.RawValue, tag int) ([]asn1.RawValue, error) {
	if rv.Class != asn1.ClassUniversal || rv.Tag != tag {
		return nil, errors.New("tls: unexpected tag")
	}
	return splitTLVs(rv.Bytes)
}

// derTLV encodes a value with a one-byte tag.
func derTLV(tag byte, content []byte) []byte {
	out := []byte{tag}
	n := len(content)
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	default:
		var l []byte
		for m := n; m > 0; m >>= 8 {
			l = append([]byte{byte(m)}, l...)
		}
		out = append(out, 0x80|byte(len(l)))
		out = append(out, l...)
	}
	return append(out, content...)
}

// certExtensions returns the extensions in certificate order (an OID that
// does not fit asn1.ObjectIdentifier leaves Id nil); ok is false when the
// extensions field is malformed.
func certExtensions(tbs []asn1.RawValue, off int) ([]pkix.Extension, bool) {
	for _, f := range tbs[off+6:] {
		if f.Class != asn1.ClassContextSpecific || f.Tag != 3 {
			continue
		}
		inner, err := children(f)
		if err != nil || len(inner) != 1 {
			return nil, false
		}
		list, err := elements(inner[0], asn1.TagSequence)
		if err != nil {
			return nil, false
		}
		exts := make([]pkix.Extension, 0, len(list))
		for _, e := range list {
			parts, err := structure(e)
			if err != nil || len(parts) < 2 || len(parts) > 3 {
				return nil, false
			}
			oid, ok := oidText(parts[0])
			if !ok {
				return nil, false
			}
			ext := pkix.Extension{Id: oidInts(oid)}
			v := parts[1]
			if len(parts) == 3 {
				if v.Class != asn1.ClassUniversal || v.Tag != asn1.TagBoolean || v.IsCompound || len(v.Bytes) != 1 {
					return nil, false
				}
				ext.Critical = v.Bytes[0] != 0
				v = parts[2]
			}
			if v.Class != asn1.ClassUniversal || v.Tag != asn1.TagOctetString {
				return nil, false
			}
			if ext.Value, ok = primitiveContent(v); !ok {
				return nil, false
			}
			exts = append(exts, ext)
		}
		return exts, true
	}
	return nil, true
}

// firstExtension is X509_get_ext_by_NID: the first extension of that type.
func firstExtension(exts []pkix.Extension, oid string) *pkix.Extension {
	for i := range exts {
		if exts[i].Id.String() == oid {
			return &exts[i]
		}
	}
	return nil
}

// uniqueExtension is how X509_get_ext_d2i finds an extension: ok is false
// when it occurs more than once (OpenSSL then ignores it).
func uniqueExtension(exts []pkix.Extension, oid string) (*pkix.Extension, bool) {
	var found *pkix.Extension
	for i := range exts {
		if exts[i].Id.String() == oid {
			if found != nil {
				return nil, false
			}
			found = &exts[i]
		}
	}
	return found, true
}

// nameEntries flattens a Name into its attributes in certificate order: the
// dotted attribute types, the values, and the index of the RDN each belongs
// to. ok is false where OpenSSL's decoder fails.
func nameEntries(name asn1.RawValue) (types []string, values []asn1.RawValue, set []int, ok bool) {
	rdns, err := elements(name, asn1.TagSequence)
	if err != nil {
		return nil, nil, nil, false
	}
	for i, rdn := range rdns {
		atvs, err := elements(rdn, asn1.TagSet)
		if err != nil {
			return nil, nil, nil, false
		}
		for _, atv := range atvs {
			parts, err := structure(atv)
			if err != nil || len(parts) != 2 {
				return nil, nil, nil, false
			}
			oid, ok := oidText(parts[0])
			if !ok || !nameValueOK(parts[1]) {
				return nil, nil, nil, false
			}
			types = append(types, oid)
			values = append(values, parts[1])
			set = append(set, i)
		}
	}
	return types, values, set, true
}

// nameValueOK is what OpenSSL's decoder accepts as an attribute value
// (ASN1_PRINTABLE: universal types in B_ASN1_PRINTABLE, strings possibly in
// constructed form) and, for the string types it compares names by, can
// convert to UTF-8 (x509_name_canon).
func nameValueOK(v asn1.RawValue) bool {
	if v.Class != asn1.ClassUniversal {
		return false
	}
	switch v.Tag {
	case asn1.TagSequence:
		return v.IsCompound
	case asn1.TagBitString:
		_, _, ok := bitString(v)
		return ok
	case 7, 8, 9, 11, 13, 14, 15, 29, asn1.TagNumericString:
		_, ok := primitiveContent(v)
		return ok
	case asn1.TagUTF8String, asn1.TagPrintableString, asn1.TagT61String, asn1.TagIA5String, 28, asn1.TagBMPString:
		_, ok := asn1StringToUTF8(v)
		return ok
	}
	return false
}

// attributeName is the key Node uses for an attribute type: OpenSSL's name,
// else the dotted OID (in Node's 80-byte buffer).
func attributeName(oid string) string {
	if n, ok := nameShortNames[oid]; ok {
		return n
	}
	return truncateC(oid, 80)
}

// nameMaps builds Node's subject/issuer object: both maps are nil when
// OpenSSL cannot turn some value into UTF-8 (Node's subject is then
// undefined).
func nameMaps(name asn1.RawValue) (map[string]string, map[string][]string) {
	types, values, _, ok := nameEntries(name)
	if !ok {
		return nil, nil
	}
	first := map[string]string{}
	all := map[string][]string{}
	for i, t := range types {
		v, ok := asn1StringToUTF8(values[i])
		if !ok {
			return nil, nil
		}
		k := attributeName(t)
		if _, seen := first[k]; !seen {
			first[k] = v
		}
		all[k] = append(all[k], v)
	}
	return first, all
}

// asn1StringToUTF8 is ASN1_STRING_to_UTF8: the string types OpenSSL knows,
// converted to UTF-8 (the 8-bit types as Latin-1).
func asn1StringToUTF8(v asn1.RawValue) (string, bool) {
	if v.Class != asn1.ClassUniversal {
		return "", false
	}
	b, ok := primitiveContent(v)
	if !ok {
		return "", false
	}
	switch v.Tag {
	case asn1.TagUTF8String:
		if !utf8.Valid(b) {
			return "", false
		}
		return string(b), true
	case asn1.TagNumericString, asn1.TagPrintableString, asn1.TagT61String,
		asn1.TagIA5String, asn1.TagUTCTime, asn1.TagGeneralizedTime, 26: // 26: VisibleString
		return latin1ToUTF8(b), true
	case 28: // UniversalString: UCS-4
		if len(b)%4 != 0 {
			return "", false
		}
		var sb strings.Builder
		for i := 0; i < len(b); i += 4 {
			r := rune(binary.BigEndian.Uint32(b[i:]))
			if r > utf8.MaxRune || (r >= 0xd800 && r < 0xe000) {
				return "", false
			}
			sb.WriteRune(r)
		}
		return sb.String(), true
	case asn1.TagBMPString: // UCS-2
		if len(b)%2 != 0 {
			return "", false
		}
		var sb strings.Builder
		for i := 0; i < len(b); i += 2 {
			r := rune(binary.BigEndian.Uint16(b[i:]))
			if utf16.IsSurrogate(r) {
				return "", false
			}
			sb.WriteRune(r)
		}
		return sb.String(), true
	}
	return "", false
}

func latin1ToUTF8(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

// jsString is what V8 makes of bytes read as UTF-8 (String::NewFromUtf8):
// each maximal ill-formed subsequence becomes U+FFFD (the WHATWG decoder).
func jsString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	needed, seen := 0, 0
	var cp rune
	lower, upper := byte(0x80), byte(0xbf)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if needed == 0 {
			switch {
			case c < 0x80:
				b.WriteByte(c)
			case c >= 0xc2 && c <= 0xdf:
				needed, cp = 1, rune(c&0x1f)
			case c >= 0xe0 && c <= 0xef:
				if c == 0xe0 {
					lower = 0xa0
				}
				if c == 0xed {
					upper = 0x9f
				}
				needed, cp = 2, rune(c&0xf)
			case c >= 0xf0 && c <= 0xf4:
				if c == 0xf0 {
					lower = 0x90
				}
				if c == 0xf4 {
					upper = 0x8f
				}
				needed, cp = 3, rune(c&0x7)
			default:
				b.WriteRune(utf8.RuneError)
			}
			continue
		}
		if c < lower || c > upper {
			needed, seen, cp = 0, 0, 0
			lower, upper = 0x80, 0xbf
			b.WriteRune(utf8.RuneError)
			i-- // read this byte again
			continue
		}
		lower, upper = 0x80, 0xbf
		cp = cp<<6 | rune(c&0x3f)
		if seen++; seen == needed {
			b.WriteRune(cp)
			needed, seen, cp = 0, 0, 0
		}
	}
	if needed != 0 {
		b.WriteRune(utf8.RuneError)
	}
	return b.String()
}

// subjectAltNameString is Node's subjectaltname: every GeneralName printed
// by PrintGeneralName, joined by ", ". ok is false when the extension does
// not decode (Node then reports null). Like OpenSSL, it ignores bytes after
// the value.
func subjectAltNameString(ext []byte) (string, bool) {
	seq, _, err := parseTLV(ext)
	if err != nil {
		return "", false
	}
	names, err := elements(seq, asn1.TagSequence)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	for i, gn := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		s, ok := printGeneralName(gn)
		if !ok {
			return "", false
		}
		b.WriteString(s)
	}
	return b.String(), true
}

// infoAccessString is Node's raw infoAccess text: "<method> - <name>" lines.
func infoAccessString(ext []byte) (string, bool) {
	seq, _, err := parseTLV(ext)
	if err != nil {
		return "", false
	}
	descs, err := elements(seq, asn1.TagSequence)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	for i, d := range descs {
		parts, err := structure(d)
		if err != nil || len(parts) != 2 {
			return "", false
		}
		oid, ok := oidText(parts[0])
		if !ok {
			return "", false
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		method, ok := accessMethodNames[oid]
		if !ok {
			method = truncateC(oid, 80) // i2t_ASN1_OBJECT into an 80-byte buffer
		}
		b.WriteString(method + " - ")
		s, ok := printGeneralName(parts[1])
		if !ok {
			return "", false
		}
		b.WriteString(s)
	}
	return b.String(), true
}

var infoAccessLine = regexp.MustCompile(`([^\n:]*):([^\n]*)(?:\n|$)`)

// translateInfoAccess is translatePeerCertificate's parsing of the
// infoAccess text into {key: [values]}.
func translateInfoAccess(s string) map[string][]string {
	m := map[string][]string{}
	for _, g := range infoAccessLine.FindAllStringSubmatch(s, -1) {
		key, val := g[1], g[2]
		if strings.HasPrefix(val, `"`) {
			var u string
			if json.Unmarshal([]byte(val), &u) == nil {
				val = u
			}
		}
		m[key] = append(m[key], val)
	}
	return m
}

// printGeneralName is Node 20's PrintGeneralName; ok is false where
// OpenSSL's decoder rejects the GeneralName.
func printGeneralName(gn asn1.RawValue) (string, bool) {
	if gn.Class != asn1.ClassContextSpecific {
		return "", false
	}
	ia5 := func() ([]byte, bool) {
		return primitiveContent(gn)
	}
	switch gn.Tag {
	case 0: // otherName: SEQUENCE { type-id OID, value [0] EXPLICIT ANY }
		parts, err := children(gn)
		if err != nil || len(parts) != 2 {
			return "", false
		}
		oid, ok := oidText(parts[0])
		if !ok || parts[1].Class != asn1.ClassContextSpecific || parts[1].Tag != 0 {
			return "", false
		}
		inner, err := children(parts[1])
		if err != nil || len(inner) != 1 {
			return "", false
		}
		v := inner[0]
		if !anyOK(v) {
			return "", false
		}
		prefix, unicode := "", true
		switch oid {
		case "1.3.6.1.5.5.7.8.9":
			prefix = "SmtpUTF8Mailbox"
		case "1.3.6.1.5.5.7.8.5":
			prefix = "XmppAddr"
		case "1.3.6.1.5.5.7.8.7":
			prefix, unicode = "SRVName", false
		case "1.3.6.1.4.1.311.20.2.3":
			prefix = "UPN"
		case "1.3.6.1.5.5.7.8.8":
			prefix = "NAIRealm"
		}
		want := asn1.TagUTF8String
		if !unicode {
			want = asn1.TagIA5String
		}
		if prefix == "" || v.Class != asn1.ClassUniversal || v.Tag != want {
			return "othername:<unsupported>", true
		}
		c, ok := primitiveContent(v)
		if !ok {
			return "", false
		}
		return "othername:" + printAltName(c, unicode, prefix), true
	case 1:
		c, ok := ia5()
		return "email:" + printAltName(c, false, ""), ok
	case 2:
		c, ok := ia5()
		return "DNS:" + printAltName(c, false, ""), ok
	case 3: // ORAddress, kept as an encoded SEQUENCE by OpenSSL
		return "X400Name:<unsupported>", gn.IsCompound
	case 4:
		inner, err := children(gn)
		if err != nil || len(inner) != 1 {
			return "", false
		}
		s, ok := nameRFC2253(inner[0])
		if !ok {
			return "", false
		}
		return "DirName:" + printAltName([]byte(s), true, ""), true
	case 5:
		return "EdiPartyName:<unsupported>", ediPartyNameOK(gn)
	case 6:
		c, ok := ia5()
		return "URI:" + printAltName(c, false, ""), ok
	case 7:
		b, ok := ia5()
		if !ok {
			return "", false
		}
		switch len(b) {
		case 4:
			return fmt.Sprintf("IP Address:%d.%d.%d.%d", b[0], b[1], b[2], b[3]), true
		case 16:
			var s strings.Builder
			s.WriteString("IP Address:")
			for j := 0; j < 8; j++ {
				if j > 0 {
					s.WriteByte(':')
				}
				fmt.Fprintf(&s, "%X", int(b[2*j])<<8|int(b[2*j+1]))
			}
			return s.String(), true
		}
		return fmt.Sprintf("IP Address:<invalid length=%d>", len(b)), true
	case 8:
		if gn.IsCompound {
			return "", false
		}
		oid, ok := oidContentText(gn.Bytes)
		if !ok {
			return "", false
		}
		return "Registered ID:" + truncateC(oid, 256), true
	}
	return "", false
}

// ediPartyNameOK reports whether OpenSSL decodes an EDIPartyName:
// SEQUENCE { nameAssigner [0] DirectoryString OPTIONAL, partyName [1]
// DirectoryString }, both tags explicit.
func ediPartyNameOK(gn asn1.RawValue) bool {
	fields, err := children(gn)
	if err != nil || len(fields) == 0 || len(fields) > 2 {
		return false
	}
	for i, f := range fields {
		want := 1
		if len(fields) == 2 && i == 0 {
			want = 0
		}
		if f.Class != asn1.ClassContextSpecific || f.Tag != want {
			return false
		}
		inner, err := children(f)
		if err != nil || len(inner) != 1 {
			return false
		}
		v := inner[0]
		if v.Class != asn1.ClassUniversal {
			return false
		}
		switch v.Tag {
		case asn1.TagPrintableString, asn1.TagT61String, asn1.TagBMPString, 28, asn1.TagUTF8String:
		default:
			return false
		}
	}
	return true
}

// printAltName is Node's PrintAltName: a "safe" name is written as is,
// anything else as a JSON string (with the prefix inside the quotes).
func printAltName(name []byte, utf8Mode bool, prefix string) string {
	safe := true
	for _, c := range name {
		switch {
		case c == '"' || c == '\\' || c == ',' || c == '\'':
			safe = false
		case utf8Mode && (c < ' ' || c == 0x7f):
			safe = false
		case !utf8Mode && (c < ' ' || c > '~'):
			safe = false
		}
		if !safe {
			break
		}
	}
	var b strings.Builder
	if safe {
		if prefix != "" {
			b.WriteString(prefix + ":")
		}
		b.Write(name)
		return b.String()
	}
	b.WriteByte('"')
	if prefix != "" {
		b.WriteString(prefix + ":")
	}
	const hex = "0123456789abcdef"
	for _, c := range name {
		switch {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '"':
			b.WriteString(`\"`)
		case (c >= ' ' && c != ',' && c <= '~') || (utf8Mode && c&0x80 != 0):
			b.WriteByte(c)
		default:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		}
	}
	b.WriteByte('"')
	return b.String()
}

// rfc2253CharType is OpenSSL's char_type table (crypto/asn1/charmap.h) for
// the flags that matter here: 1 = escape with a backslash, 0x20 = escape
// when first, 0x40 = escape when last.
func rfc2253Escape(c byte, first, last bool) bool {
	switch c {
	case '"', '+', ',', ';', '<', '>', '\\':
		return true
	case '#':
		return first
	case ' ':
		return first || last
	}
	return false
}

// nameRFC2253 is X509_NAME_print_ex with Node's flags
// (XN_FLAG_RFC2253 without ASN1_STRFLGS_ESC_MSB and ASN1_STRFLGS_ESC_CTRL):
// RDNs in reverse order separated by ",", multi-valued ones by "+", short
// names, values converted to UTF-8 with RFC 2253 escapes, unknown types and
// attributes as "#" and the hex DER.
func nameRFC2253(name asn1.RawValue) (string, bool) {
	types, values, set, ok := nameEntries(name)
	if !ok {
		return "", false
	}
	var b strings.Builder
	prev := -1
	for i := len(types) - 1; i >= 0; i-- {
		if prev != -1 {
			if prev == set[i] {
				b.WriteByte('+')
			} else {
				b.WriteByte(',')
			}
		}
		prev = set[i]
		s := truncateC(types[i], 80)
		short, known := nameShortNames[types[i]]
		if known {
			s = short
		}
		b.WriteString(s)
		b.WriteByte('=')
		v := values[i]
		if !known || !isStringTag(v) {
			b.WriteByte('#')
			fmt.Fprintf(&b, "%X", dumpDER(v))
			continue
		}
		if v.Tag == asn1.TagUTF8String {
			// Printed byte by byte, without conversion.
			c8, _ := primitiveContent(v)
			for j, c := range c8 {
				if rfc2253Escape(c, j == 0, j == len(c8)-1) {
					b.WriteByte('\\')
				}
				b.WriteByte(c)
			}
			continue
		}
		str, ok := asn1StringToUTF8(v)
		if !ok {
			return "", false
		}
		runes := []rune(str)
		for j, r := range runes {
			if r < 0x80 && rfc2253Escape(byte(r), j == 0, j == len(runes)-1) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
	}
	return b.String(), true
}

// isStringTag reports whether OpenSSL prints the value as a string
// (tag2nbyte is not -1).
func isStringTag(v asn1.RawValue) bool {
	if v.Class != asn1.ClassUniversal {
		return false
	}
	switch v.Tag {
	case asn1.TagUTF8String, asn1.TagNumericString, asn1.TagPrintableString,
		asn1.TagT61String, asn1.TagIA5String, asn1.TagUTCTime,
		asn1.TagGeneralizedTime, 26, 28, asn1.TagBMPString:
		return true
	}
	return false
}

// dumpDER is the DER OpenSSL dumps for a value it prints as "#hex": the
// value as received, strings re-encoded in primitive form.
func dumpDER(v asn1.RawValue) []byte {
	if v.Class == asn1.ClassUniversal && v.IsCompound && v.Tag != asn1.TagSequence && v.Tag != asn1.TagSet && v.Tag < 31 {
		if c, ok := primitiveContent(v); ok {
			return derTLV(byte(v.Tag), c)
		}
	}
	return v.FullBytes
}

// parseOIDSequence decodes a SEQUENCE OF OBJECT IDENTIFIER.
func parseOIDSequence(b []byte) ([]string, bool) {
	seq, _, err := parseTLV(b)
	if err != nil {
		return nil, false
	}
	items, err := elements(seq, asn1.TagSequence)
	if err != nil {
		return nil, false
	}
	out := []string{}
	for _, it := range items {
		oid, ok := oidText(it)
		if !ok {
			return nil, false
		}
		out = append(out, truncateC(oid, 256))
	}
	return out, true
}

// setPublicKey fills the RSA (modulus, bits, exponent, pubkey) or EC (bits,
// pubkey, asn1Curve, nistCurve) fields, as X509ToObject does; other key
// types, and keys OpenSSL cannot decode, get none.
func setPublicKey(c *PeerCertificate, spki asn1.RawValue) {
	parts, err := structure(spki)
	if err != nil || len(parts) != 2 {
		return
	}
	alg, err := structure(parts[0])
	if err != nil || len(alg) < 1 {
		return
	}
	oid, _ := oidText(alg[0])
	key, _, ok := bitString(parts[1])
	if !ok {
		return
	}
	switch oid {
	case oidRSAEncryption:
		n, e, ok := parseRSAPublicKey(key)
		if !ok {
			return
		}
		c.Modulus = strings.ToUpper(n.Text(16))
		c.Bits = n.BitLen()
		if e.BitLen() <= 64 {
			c.Exponent = "0x" + strconv.FormatUint(e.Uint64(), 16)
		} else {
			c.Exponent = "0xffffffffffffffff" // BN_get_word's error value
		}
		c.Pubkey = rsaSPKI(n, e)
	case oidECPublicKey:
		if len(alg) != 2 {
			return
		}
		curve, _ := oidText(alg[1])
		info, ok := namedCurves[curve]
		if !ok {
			return
		}
		point, ok := ecPublicPoint(curve, key)
		if !ok {
			return
		}
		c.Bits = info.bits
		c.Pubkey = point
		c.ASN1Curve = info.sn
		c.NISTCurve = info.nist
	}
}

// parseRSAPublicKey decodes RSAPublicKey ::= SEQUENCE { n, e INTEGER } as
// OpenSSL's BIGNUM type does: the content octets as an unsigned number.
func parseRSAPublicKey(b []byte) (n, e *big.Int, ok bool) {
	seq, _, err := parseTLV(b)
	if err != nil {
		return nil, nil, false
	}
	items, err := structure(seq)
	if err != nil || len(items) != 2 {
		return nil, nil, false
	}
	for _, it := range items {
		if it.Class != asn1.ClassUniversal || it.Tag != asn1.TagInteger || it.IsCompound {
			return nil, nil, false
		}
	}
	return new(big.Int).SetBytes(items[0].Bytes), new(big.Int).SetBytes(items[1].Bytes), true
}

// rsaSPKI is i2d_RSA_PUBKEY: a SubjectPublicKeyInfo with rsaEncryption and
// NULL parameters.
func rsaSPKI(n, e *big.Int) []byte {
	integer := func(x *big.Int) []byte {
		b := x.Bytes()
		if len(b) == 0 || b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return derTLV(asn1.TagInteger, b)
	}
	key := derTLV(0x30, append(integer(n), integer(e)...))
	alg := derTLV(0x30, []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00})
	return derTLV(0x30, append(alg, derTLV(asn1.TagBitString, append([]byte{0}, key...))...))
}

// twosComplement decodes an INTEGER's content octets.
func twosComplement(b []byte) *big.Int {
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return n
}

// serialHex is BN_bn2hex of the serial number: upper-case hex in whole
// bytes (so "0A1B", not "A1B"), leading zero bytes dropped, "0" for zero,
// a '-' before negative numbers.
func serialHex(content []byte) string {
	n := twosComplement(content)
	if n.Sign() == 0 {
		return "0"
	}
	mag := new(big.Int).Abs(n).Bytes()
	s := strings.ToUpper(fmt.Sprintf("%X", mag))
	if n.Sign() < 0 {
		return "-" + s
	}
	return s
}

// fingerprint is Node's digest form: upper-case hex pairs joined by ':'.
func fingerprint(b []byte) string {
	const hex = "0123456789ABCDEF"
	out := make([]byte, 0, 3*len(b))
	for i, c := range b {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, hex[c>>4], hex[c&0xf])
	}
	return string(out)
}

var monthNames = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// asn1TimePrint is OpenSSL 3.0's ASN1_TIME_print: "Dec  4 15:14:49 2026 GMT"
// (day padded to two columns, GeneralizedTime fractions kept, a +hhmm/-hhmm
// offset applied; every time it accepts ends in " GMT"), or "Bad time
// value".
func asn1TimePrint(v asn1.RawValue) string {
	t, frac, ok := parseASN1Time(v)
	if !ok {
		return "Bad time value"
	}
	return fmt.Sprintf("%s %2d %02d:%02d:%02d%s %d GMT", monthNames[t.Month()-1], t.Day(),
		t.Hour(), t.Minute(), t.Second(), frac, t.Year())
}

// parseASN1Time parses a UTCTime or GeneralizedTime as OpenSSL 3.0's
// ossl_asn1_time_to_tm does in its lenient mode (seconds optional in
// UTCTime, fractions in GeneralizedTime, 'Z' or a +hhmm/-hhmm offset). frac
// is the fraction as ASN1_TIME_print shows it (".123"), from the fixed
// position OpenSSL reads it at.
func parseASN1Time(v asn1.RawValue) (t time.Time, frac string, ok bool) {
	if v.Class != asn1.ClassUniversal {
		return t, "", false
	}
	a, ok := primitiveContent(v)
	if !ok {
		return t, "", false
	}
	var end, btz, minLen int
	gen := false
	switch v.Tag {
	case asn1.TagUTCTime:
		end, btz, minLen = 6, 5, 11
	case asn1.TagGeneralizedTime:
		end, btz, minLen, gen = 7, 6, 13, true
	default:
		return t, "", false
	}
	l := len(a)
	if l < minLen {
		return t, "", false
	}
	mins := [9]int{0, 0, 1, 1, 0, 0, 0, 0, 0}
	maxs := [9]int{99, 99, 12, 31, 23, 59, 59, 12, 59}
	mdays := [12]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	year, mon, day, hour, minute, sec := 0, 0, 0, 0, 0, 0
	o := 0
	digit := func(i int) bool { return i < l && a[i] >= '0' && a[i] <= '9' }
	for i := 0; i < end; i++ {
		if i == btz && o < l && (a[o] == 'Z' || a[o] == '+' || a[o] == '-') {
			break
		}
		if !digit(o) || !digit(o+1) {
			return t, "", false
		}
		n := int(a[o]-'0')*10 + int(a[o+1]-'0')
		o += 2
		if o == l {
			return t, "", false
		}
		i2 := i
		if !gen {
			i2 = i + 1
		}
		if n < mins[i2] || n > maxs[i2] {
			return t, "", false
		}
		switch i2 {
		case 0:
			year = n * 100
		case 1:
			if gen {
				year += n
			} else if n < 50 {
				year = 2000 + n
			} else {
				year = 1900 + n
			}
		case 2:
			mon = n
		case 3:
			md := mdays[mon-1]
			if mon == 2 && (year%4 == 0 && (year%100 != 0 || year%400 == 0)) {
				md++
			}
			if n > md {
				return t, "", false
			}
			day = n
		case 4:
			hour = n
		case 5:
			minute = n
		case 6:
			sec = n
		}
	}
	if gen && a[o] == '.' {
		o++
		if o == l {
			return t, "", false
		}
		start := o
		for o < l && a[o] >= '0' && a[o] <= '9' {
			o++
		}
		if o == start || o == l {
			return t, "", false
		}
	}
	var offset int
	switch a[o] {
	case 'Z':
		o++
	case '+', '-':
		sign := -1
		if a[o] == '-' {
			sign = 1
		}
		o++
		if o+4 != l {
			return t, "", false
		}
		for i := end; i < end+2; i++ {
			if !digit(o) || !digit(o+1) {
				return t, "", false
			}
			n := int(a[o]-'0')*10 + int(a[o+1]-'0')
			i2 := i
			if !gen {
				i2 = i + 1
			}
			if n < mins[i2] || n > maxs[i2] {
				return t, "", false
			}
			if i == end {
				offset = n * 3600
			} else {
				offset += n * 60
			}
			o += 2
		}
		offset *= sign
	default:
		return t, "", false
	}
	if o != l {
		return t, "", false
	}
	t = time.Date(year, time.Month(mon), day, hour, minute, sec, 0, time.UTC).Add(time.Duration(offset) * time.Second)
	if gen && l > 15 && a[14] == '.' {
		f := 1
		for 14+f < l && a[14+f] >= '0' && a[14+f] <= '9' {
			f++
		}
		frac = string(a[14 : 14+f])
	}
	return t, frac, true
}

// extensionsValid mirrors the EXFLAG_INVALID part of OpenSSL 3.0's
// ossl_x509v3_cache_extensions: a duplicated or undecodable extension that
// OpenSSL caches makes the certificate unusable for X509_check_ca and
// X509_check_issued.
func extensionsValid(exts []pkix.Extension) bool {
	for _, oid := range []string{oidExtBasicConstr, oidExtKeyUsage, oidExtExtKeyUsage,
		oidExtSubjectKeyID, oidExtAuthKeyID, oidExtSAN, oidExtNameConstr, oidExtCRLDP,
		oidExtNetscapeCertType, oidExtProxyCertInfo, oidExtIPAddrBlocks, oidExtASIdentifiers} {
		e, ok := uniqueExtension(exts, oid)
		if !ok {
			return false
		}
		if e == nil {
			continue
		}
		switch oid {
		case oidExtBasicConstr:
			if _, _, ok := basicConstraints(e.Value); !ok {
				return false
			}
		case oidExtKeyUsage:
			if ku, ok := keyUsageBits(e.Value); !ok || ku == 0 {
				return false
			}
		case oidExtNetscapeCertType:
			if _, ok := keyUsageBits(e.Value); !ok {
				return false
			}
		case oidExtExtKeyUsage:
			if _, ok := parseOIDSequence(e.Value); !ok {
				return false
			}
		case oidExtSubjectKeyID:
			if _, ok := octetString(e.Value); !ok {
				return false
			}
		case oidExtAuthKeyID:
			if !akidOK(e.Value) {
				return false
			}
		case oidExtSAN:
			if _, ok := subjectAltNameString(e.Value); !ok {
				return false
			}
		case oidExtNameConstr:
			if !nameConstraintsOK(e.Value) {
				return false
			}
		case oidExtCRLDP:
			if !crlDistributionPointsOK(e.Value) {
				return false
			}
		default: // SEQUENCE-shaped extensions checked for their outer form only
			v, _, err := parseTLV(e.Value)
			if err != nil {
				return false
			}
			if _, err := structure(v); err != nil {
				return false
			}
		}
	}
	return true
}

// octetString decodes a DER OCTET STRING (ignoring bytes after it).
func octetString(b []byte) ([]byte, bool) {
	v, _, err := parseTLV(b)
	if err != nil || v.Class != asn1.ClassUniversal || v.Tag != asn1.TagOctetString {
		return nil, false
	}
	return primitiveContent(v)
}

// akidOK reports whether an AuthorityKeyIdentifier decodes: SEQUENCE {
// [0] keyIdentifier, [1] authorityCertIssuer GeneralNames, [2] serial },
// each optional, in that order.
func akidOK(b []byte) bool {
	seq, _, err := parseTLV(b)
	if err != nil {
		return false
	}
	fields, err := structure(seq)
	if err != nil {
		return false
	}
	next := 0
	for _, f := range fields {
		if f.Class != asn1.ClassContextSpecific || f.Tag < next || f.Tag > 2 {
			return false
		}
		next = f.Tag + 1
		switch f.Tag {
		case 0:
			if _, ok := primitiveContent(f); !ok {
				return false
			}
		case 2:
			if !integerOK(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagInteger, IsCompound: f.IsCompound, Bytes: f.Bytes}) {
				return false
			}
		case 1:
			gns, err := splitTLVs(f.Bytes)
			if err != nil {
				return false
			}
			for _, gn := range gns {
				if _, ok := printGeneralName(gn); !ok {
					return false
				}
			}
		}
	}
	return true
}

// nameConstraintsOK reports whether a NameConstraints extension decodes:
// SEQUENCE { [0] GeneralSubtrees OPTIONAL, [1] GeneralSubtrees OPTIONAL },
// a GeneralSubtree being SEQUENCE { GeneralName, [0] min, [1] max }.
func nameConstraintsOK(b []byte) bool {
	seq, _, err := parseTLV(b)
	if err != nil {
		return false
	}
	fields, err := structure(seq)
	if err != nil {
		return false
	}
	for _, f := range fields {
		if f.Class != asn1.ClassContextSpecific || f.Tag > 1 {
			return false
		}
		subtrees, err := splitTLVs(f.Bytes)
		if err != nil {
			return false
		}
		for _, st := range subtrees {
			parts, err := structure(st)
			if err != nil || len(parts) == 0 {
				return false
			}
			if _, ok := printGeneralName(parts[0]); !ok {
				return false
			}
		}
	}
	return true
}

// crlDistributionPointsOK reports whether a CRLDistributionPoints extension
// decodes: SEQUENCE OF DistributionPoint { [0] DistributionPointName
// (explicit: [0] fullName GeneralNames or [1] a relative name), [1] reasons,
// [2] cRLIssuer GeneralNames }, each optional, in that order.
func crlDistributionPointsOK(b []byte) bool {
	seq, _, err := parseTLV(b)
	if err != nil {
		return false
	}
	dps, err := elements(seq, asn1.TagSequence)
	if err != nil {
		return false
	}
	generalNames := func(content []byte) bool {
		gns, err := splitTLVs(content)
		if err != nil {
			return false
		}
		for _, gn := range gns {
			if _, ok := printGeneralName(gn); !ok {
				return false
			}
		}
		return true
	}
	for _, dp := range dps {
		fields, err := structure(dp)
		if err != nil {
			return false
		}
		next := 0
		for _, f := range fields {
			if f.Class != asn1.ClassContextSpecific || f.Tag < next || f.Tag > 2 {
				return false
			}
			next = f.Tag + 1
			switch f.Tag {
			case 0:
				inner, err := children(f)
				if err != nil || len(inner) != 1 || inner[0].Class != asn1.ClassContextSpecific {
					return false
				}
				switch inner[0].Tag {
				case 0:
					if !generalNames(inner[0].Bytes) {
						return false
					}
				case 1:
					rdn := asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, Bytes: inner[0].Bytes}
					name := asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, Bytes: derTLV(0x31, rdn.Bytes)}
					if _, _, _, ok := nameEntries(name); !ok {
						return false
					}
				default:
					return false
				}
			case 1:
				if _, _, ok := bitString(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagBitString, IsCompound: f.IsCompound, Bytes: f.Bytes}); !ok {
					return false
				}
			case 2:
				if !generalNames(f.Bytes) {
					return false
				}
			}
		}
	}
	return true
}

// basicConstraints decodes BasicConstraints; a negative pathLen is invalid.
func basicConstraints(b []byte) (isCA bool, present bool, ok bool) {
	seq, _, err := parseTLV(b)
	if err != nil {
		return false, false, false
	}
	items, err := structure(seq)
	if err != nil {
		return false, false, false
	}
	if len(items) > 0 && items[0].Class == asn1.ClassUniversal && items[0].Tag == asn1.TagBoolean {
		if len(items[0].Bytes) != 1 || items[0].IsCompound {
			return false, false, false
		}
		isCA = items[0].Bytes[0] != 0
		items = items[1:]
	}
	if len(items) > 0 && items[0].Class == asn1.ClassUniversal && items[0].Tag == asn1.TagInteger {
		if !integerOK(items[0]) || items[0].Bytes[0]&0x80 != 0 { // negative pathLen
			return false, false, false
		}
		items = items[1:]
	}
	if len(items) != 0 {
		return false, false, false
	}
	return isCA, true, true
}

// keyUsageBits returns OpenSSL's ex_kusage: the first two bytes of the bit
// string, first byte low.
func keyUsageBits(b []byte) (int, bool) {
	v, _, err := parseTLV(b)
	if err != nil {
		return 0, false
	}
	bs, _, ok := bitString(v)
	if !ok {
		return 0, false
	}
	ku := 0
	if len(bs) > 0 {
		ku = int(bs[0])
	}
	if len(bs) > 1 {
		ku |= int(bs[1]) << 8
	}
	return ku, true
}

const kuKeyCertSign = 0x04

// kuRejects is OpenSSL's ku_reject: a keyUsage is present without the bit.
func kuRejects(exts []pkix.Extension, bit int) bool {
	e, _ := uniqueExtension(exts, oidExtKeyUsage)
	if e == nil {
		return false
	}
	ku, _ := keyUsageBits(e.Value)
	return ku&bit == 0
}

// checkCA is X509_check_ca(cert) == 1: basicConstraints with cA TRUE and no
// keyUsage that lacks keyCertSign.
func checkCA(exts []pkix.Extension) bool {
	if !extensionsValid(exts) || kuRejects(exts, kuKeyCertSign) {
		return false
	}
	e, _ := uniqueExtension(exts, oidExtBasicConstr)
	if e == nil {
		return false
	}
	isCA, _, _ := basicConstraints(e.Value)
	return isCA
}

// nameCanon is OpenSSL's canonical name encoding (x509_name_canon), which
// X509_NAME_cmp compares: string values as UTF-8, lower-cased ASCII,
// trimmed and with inner white space collapsed; the attributes of one RDN
// sorted.
func nameCanon(name asn1.RawValue) ([]byte, bool) {
	types, values, set, ok := nameEntries(name)
	if !ok {
		return nil, false
	}
	var out []byte
	for i := 0; i < len(types); {
		j := i
		var rdn [][]byte
		for ; j < len(types) && set[j] == set[i]; j++ {
			v := values[j]
			val := dumpDER(v)
			if canonTag(v) {
				s, ok := asn1StringToUTF8(v)
				if !ok {
					return nil, false
				}
				val = derTLV(asn1.TagUTF8String, canonString(s))
			}
			rdn = append(rdn, derTLV(0x30, append(derTLV(asn1.TagOID, []byte(types[j])), val...)))
		}
		sort.Slice(rdn, func(a, b int) bool { return bytes.Compare(rdn[a], rdn[b]) < 0 })
		out = append(out, derTLV(0x31, bytes.Join(rdn, nil))...)
		i = j
	}
	return out, true
}

// canonTag reports whether the value's type is in ASN1_MASK_CANON.
func canonTag(v asn1.RawValue) bool {
	if v.Class != asn1.ClassUniversal {
		return false
	}
	switch v.Tag {
	case asn1.TagUTF8String, asn1.TagBMPString, 28, asn1.TagPrintableString,
		asn1.TagT61String, asn1.TagIA5String, 26:
		return true
	}
	return false
}

func canonString(s string) []byte {
	isSpace := func(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }
	b := []byte(s)
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c >= 0x80:
			out = append(out, c)
			i++
		case isSpace(c):
			out = append(out, ' ')
			for i < len(b) && isSpace(b[i]) {
				i++
			}
		default:
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			out = append(out, c)
			i++
		}
	}
	return out
}

func namesEqual(a, b asn1.RawValue) bool {
	ca, ok1 := nameCanon(a)
	cb, ok2 := nameCanon(b)
	return ok1 && ok2 && bytes.Equal(ca, cb)
}

// keyFamily names the public key type of a SubjectPublicKeyInfo, or "" when
// OpenSSL could not decode the key.
func keyFamily(spki asn1.RawValue) string {
	parts, err := structure(spki)
	if err != nil || len(parts) != 2 {
		return ""
	}
	alg, err := structure(parts[0])
	if err != nil || len(alg) < 1 {
		return ""
	}
	oid, _ := oidText(alg[0])
	key, _, ok := bitString(parts[1])
	if !ok {
		return ""
	}
	switch oid {
	case oidRSAEncryption:
		if _, _, ok := parseRSAPublicKey(key); ok {
			return "RSA"
		}
	case oidRSAPSS:
		if _, _, ok := parseRSAPublicKey(key); ok {
			return "RSA-PSS"
		}
	case oidECPublicKey:
		return "EC"
	case oidEd25519:
		return "ED25519"
	case oidEd448:
		return "ED448"
	case oidDSA:
		return "DSA"
	}
	return ""
}

// signatureKeyFamily maps a signature algorithm to the key type that makes
// it (OBJ_find_sigid_algs); "" when OpenSSL does not know the algorithm.
func signatureKeyFamily(alg asn1.RawValue) string {
	switch algorithmOID(alg) {
	case "1.2.840.113549.1.1.2", "1.2.840.113549.1.1.3", "1.2.840.113549.1.1.4",
		"1.2.840.113549.1.1.5", "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12",
		"1.2.840.113549.1.1.13", "1.2.840.113549.1.1.14", "1.2.840.113549.1.1.15",
		"1.2.840.113549.1.1.16", "1.3.14.3.2.29", "2.16.840.1.101.3.4.3.13",
		"2.16.840.1.101.3.4.3.14", "2.16.840.1.101.3.4.3.15", "2.16.840.1.101.3.4.3.16":
		return "RSA"
	case "1.2.840.113549.1.1.10":
		return "RSA-PSS"
	case "1.2.840.10045.4.1", "1.2.840.10045.4.3.1", "1.2.840.10045.4.3.2",
		"1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4", "2.16.840.1.101.3.4.3.9",
		"2.16.840.1.101.3.4.3.10", "2.16.840.1.101.3.4.3.11", "2.16.840.1.101.3.4.3.12":
		return "EC"
	case "1.3.101.112":
		return "ED25519"
	case "1.3.101.113":
		return "ED448"
	case "1.2.840.10040.4.3", "2.16.840.1.101.3.4.3.1", "2.16.840.1.101.3.4.3.2":
		return "DSA"
	}
	return ""
}

// likelyIssued is OpenSSL 3.0's ossl_x509_likely_issued(issuer, subject):
// the issuer's subject is the subject's issuer (X509_NAME_cmp), the
// subject's authorityKeyIdentifier does not contradict the issuer, and the
// subject's signature algorithm fits the issuer's key. It does not check the
// signature, as OpenSSL does not here.
func likelyIssued(issuer, subject []byte) bool {
	_, itbs, ioff, err := splitCertificate(issuer)
	if err != nil {
		return false
	}
	_, stbs, soff, err := splitCertificate(subject)
	if err != nil {
		return false
	}
	if !namesEqual(itbs[ioff+4], stbs[soff+2]) {
		return false
	}
	iexts, ok1 := certExtensions(itbs, ioff)
	sexts, ok2 := certExtensions(stbs, soff)
	if !ok1 || !ok2 || !extensionsValid(iexts) || !extensionsValid(sexts) {
		return false
	}
	if !checkAKID(itbs, ioff, iexts, sexts) {
		return false
	}
	key := keyFamily(itbs[ioff+5])
	sig := signatureKeyFamily(stbs[soff+1])
	if key == "" || sig == "" {
		return false
	}
	return key == sig || (sig == "RSA-PSS" && key == "RSA")
}

// checkAKID is X509_check_akid(issuer, subject's AKID).
func checkAKID(itbs []asn1.RawValue, ioff int, iexts, sexts []pkix.Extension) bool {
	akid, _ := uniqueExtension(sexts, oidExtAuthKeyID)
	if akid == nil {
		return true
	}
	seq, _, err := parseTLV(akid.Value)
	if err != nil {
		return false
	}
	fields, err := structure(seq)
	if err != nil {
		return false
	}
	for _, f := range fields {
		if f.Class != asn1.ClassContextSpecific {
			continue
		}
		switch f.Tag {
		case 0: // keyIdentifier
			if ski, _ := uniqueExtension(iexts, oidExtSubjectKeyID); ski != nil {
				id, ok1 := octetString(ski.Value)
				kid, ok2 := primitiveContent(f)
				if ok1 && ok2 && !bytes.Equal(id, kid) {
					return false
				}
			}
		case 1: // authorityCertIssuer: the first directoryName counts
			gns, err := splitTLVs(f.Bytes)
			if err != nil {
				return false
			}
			for _, gn := range gns {
				if gn.Class == asn1.ClassContextSpecific && gn.Tag == 4 {
					inner, err := children(gn)
					if err != nil || len(inner) != 1 {
						return false
					}
					if !namesEqual(inner[0], itbs[ioff+2]) {
						return false
					}
					break
				}
			}
		case 2: // authorityCertSerialNumber
			if twosComplement(f.Bytes).Cmp(twosComplement(itbs[ioff].Bytes)) != 0 {
				return false
			}
		}
	}
	return true
}

// checkIssued is X509_check_issued(issuer, subject) == X509_V_OK:
// likelyIssued, and a keyUsage of the issuer, if any, allows keyCertSign.
func checkIssued(issuer, subject []byte) bool {
	if !likelyIssued(issuer, subject) {
		return false
	}
	_, tbs, off, err := splitCertificate(issuer)
	if err != nil {
		return false
	}
	exts, _ := certExtensions(tbs, off)
	return !kuRejects(exts, kuKeyCertSign)
}

// certTimes returns the parsed validity period.
func certTimes(der []byte) (notBefore, notAfter time.Time, ok bool) {
	_, tbs, off, err := splitCertificate(der)
	if err != nil {
		return
	}
	v, err := structure(tbs[off+3])
	if err != nil || len(v) != 2 {
		return
	}
	nb, _, ok1 := parseASN1Time(v[0])
	na, _, ok2 := parseASN1Time(v[1])
	return nb, na, ok1 && ok2
}

// storeIssuer is X509_STORE_CTX_get1_issuer over the local trusted
// certificates: the first candidate that likely issued cert and is valid
// now, else the matching one that expires last; -1 when none matches.
func storeIssuer(store [][]byte, cert []byte, now time.Time) int {
	best := -1
	var bestAfter time.Time
	for i, ca := range store {
		if !likelyIssued(ca, cert) {
			continue
		}
		nb, na, ok := certTimes(ca)
		if ok && !now.Before(nb) && !now.After(na) {
			return i
		}
		if best < 0 || (ok && na.After(bestAfter)) {
			best, bestAfter = i, na
		}
	}
	return best
}

// buildPeerChain describes the peer's certificates as getPeerCertificate
// does. chain[0] is the leaf, the rest the chain the peer presented (any
// order). Without detailed only the leaf is described; with detailed,
// IssuerCertificate links each certificate to its issuer among the
// presented ones. It returns nil when chain is empty or the leaf cannot be
// parsed.
func buildPeerChain(chain [][]byte, detailed bool) *PeerCertificate {
	if len(chain) == 0 {
		return nil
	}
	if !detailed {
		c, err := newPeerCertificate(chain[0])
		if err != nil {
			return nil
		}
		return c
	}
	return buildPeerChainWithStore(chain, nil)
}

// buildPeerChainWithStore is getPeerCertificate(true) with the local trust
// store: like buildPeerChain, and once the presented certificates run out
// the issuers are looked up in extra (local trusted CA certificates, DER),
// as Node does with its SecureContext's store. The chain ends with a nil
// IssuerCertificate at a self-issued certificate (where Node points the
// certificate at itself) or where no issuer is found.
func buildPeerChainWithStore(chain [][]byte, extra [][]byte) *PeerCertificate {
	if len(chain) == 0 {
		return nil
	}
	leaf, err := newPeerCertificate(chain[0])
	if err != nil {
		return nil
	}
	cur, obj := chain[0], leaf

	// AddIssuerChainToObject: repeatedly take the first remaining presented
	// certificate that issued the current one. Node's loop ends when none
	// is found, and also when the one found was the last in the list (it
	// compares the index with the list's length after removing the
	// certificate): with a chain sent as leaf, root, intermediate, Node
	// stops at the intermediate.
	rest := append([][]byte(nil), chain[1:]...)
	for {
		found := -1
		for i, ca := range rest {
			if !checkIssued(ca, cur) {
				continue
			}
			next, err := newPeerCertificate(ca)
			if err != nil {
				continue
			}
			obj.IssuerCertificate, obj = next, next
			cur = ca
			rest = append(rest[:i], rest[i+1:]...)
			found = i
			break
		}
		if found < 0 || found == len(rest) {
			break
		}
	}

	// GetLastIssuedCert: continue in the local store until a self-issued
	// certificate. Node stops when the store hands back the certificate it
	// asked about; a loop through several store certificates (which would
	// never end in Node) is cut when a certificate comes round again.
	now := time.Now()
	curStore := -1
	used := map[int]bool{}
	for !checkIssued(cur, cur) {
		i := storeIssuer(extra, cur, now)
		if i < 0 {
			break
		}
		next, err := newPeerCertificate(extra[i])
		if err != nil {
			break
		}
		obj.IssuerCertificate, obj = next, next
		if i == curStore || used[i] {
			break
		}
		used[i] = true
		cur, curStore = extra[i], i
	}
	return leaf
}

// bitString decodes a BIT STRING as OpenSSL does: at most 7 unused bits,
// which are cleared (Go's decoder rejects them when set); a constructed
// encoding is reassembled.
func bitString(v asn1.RawValue) (bits []byte, unused byte, ok bool) {
	if v.Class != asn1.ClassUniversal || v.Tag != asn1.TagBitString {
		return nil, 0, false
	}
	c, ok := primitiveContent(v)
	if !ok || len(c) == 0 || c[0] > 7 {
		return nil, 0, false
	}
	unused = c[0]
	bits = append([]byte(nil), c[1:]...)
	if len(bits) > 0 {
		bits[len(bits)-1] &= 0xff << unused
	} else {
		unused = 0
	}
	return bits, unused, true
}
