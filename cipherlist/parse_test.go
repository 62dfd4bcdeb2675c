package cipherlist_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/nodetls/nodetls/cipherlist"
)

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		in           string
		tls12, tls13 string
		empty        bool
	}{
		{in: cipherlist.Default, tls12: cipherlist.Default},
		{in: "TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256", tls12: "ECDHE-RSA-AES128-GCM-SHA256", tls13: "TLS_AES_128_GCM_SHA256"},
		{in: "HIGH:TLS_AES_256_GCM_SHA384:!aNULL:TLS_AES_128_GCM_SHA256", tls12: "HIGH:!aNULL", tls13: "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"},
		{in: "!TLS_AES_128_GCM_SHA256:HIGH", tls12: "HIGH", tls13: "!TLS_AES_128_GCM_SHA256"},
		{in: "TLS_AES_128_GCM_SHA256", tls13: "TLS_AES_128_GCM_SHA256"},
		{in: ":HIGH::MEDIUM:", tls12: "HIGH:MEDIUM"},
		{in: "ECDHE+AESGCM", tls12: "ECDHE+AESGCM"},
		// Only ':' separates, and only an exact "TLS_" or "!TLS_" prefix counts.
		{in: "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384", tls13: "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384"},
		{in: "HIGH,TLS_AES_128_GCM_SHA256", tls12: "HIGH,TLS_AES_128_GCM_SHA256"},
		{in: " TLS_AES_128_GCM_SHA256", tls12: " TLS_AES_128_GCM_SHA256"},
		{in: "tls_aes_128_gcm_sha256", tls12: "tls_aes_128_gcm_sha256"},
		{in: "-TLS_AES_128_GCM_SHA256:+TLS_X", tls12: "-TLS_AES_128_GCM_SHA256:+TLS_X"},
		{in: "TLS_", tls13: "TLS_"},
		{in: " ", tls12: " "},
		{in: "", empty: true},
		{in: ":", empty: true},
		{in: ":::", empty: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			tls12, tls13, err := cipherlist.Split(tc.in)
			if tc.empty {
				if !errors.Is(err, cipherlist.ErrEmpty) || tls12 != "" || tls13 != "" {
					t.Fatalf("Split(%q) = %q, %q, %v; want ErrEmpty", tc.in, tls12, tls13, err)
				}
				return
			}
			if err != nil || tls12 != tc.tls12 || tls13 != tc.tls13 {
				t.Fatalf("Split(%q) = %q, %q, %v; want %q, %q, nil", tc.in, tls12, tls13, err, tc.tls12, tc.tls13)
			}
		})
	}
}

// tok builds the expected Token at pos.
func tok(pos int, text string, op byte, name string) cipherlist.Token {
	return cipherlist.Token{Text: text, Pos: pos, Op: op, Name: name}
}

func TestTokens(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []cipherlist.Token
	}{
		{"", nil},
		{":: ,;", nil},
		{"A:B", []cipherlist.Token{tok(0, "A", 0, "A"), tok(2, "B", 0, "B")}},
		{"HIGH,MEDIUM LOW;eNULL", []cipherlist.Token{tok(0, "HIGH", 0, "HIGH"), tok(5, "MEDIUM", 0, "MEDIUM"), tok(12, "LOW", 0, "LOW"), tok(16, "eNULL", 0, "eNULL")}},
		{"!aNULL:-RSA:+SHA1", []cipherlist.Token{tok(0, "!aNULL", '!', "aNULL"), tok(7, "-RSA", '-', "RSA"), tok(12, "+SHA1", '+', "SHA1")}},
		{"ECDHE-RSA-AES128-GCM-SHA256", []cipherlist.Token{tok(0, "ECDHE-RSA-AES128-GCM-SHA256", 0, "ECDHE-RSA-AES128-GCM-SHA256")}},
		{"ECDHE+AESGCM:!kRSA+SHA1", []cipherlist.Token{tok(0, "ECDHE+AESGCM", 0, "ECDHE+AESGCM"), tok(13, "!kRSA+SHA1", '!', "kRSA+SHA1")}},
		{"+AES+SHA1", []cipherlist.Token{tok(0, "+AES+SHA1", '+', "AES+SHA1")}},
		{"--X", []cipherlist.Token{tok(0, "--X", '-', "-X")}},
		{"@STRENGTH:@SECLEVEL=2", []cipherlist.Token{tok(0, "@STRENGTH", '@', "STRENGTH"), tok(10, "@SECLEVEL=2", '@', "SECLEVEL=2")}},
		// A directive ignores the rest of its rule, as OpenSSL does.
		{"@STRENGTH+X!Y:Z", []cipherlist.Token{tok(0, "@STRENGTH+X!Y", '@', "STRENGTH"), tok(14, "Z", 0, "Z")}},
		{"@", []cipherlist.Token{tok(0, "@", '@', "")}},
		// '!' and '@' after a complete name start a new rule.
		{"ECDHE!AESGCM", []cipherlist.Token{tok(0, "ECDHE", 0, "ECDHE"), tok(5, "!AESGCM", '!', "AESGCM")}},
		{"HIGH@STRENGTH", []cipherlist.Token{tok(0, "HIGH", 0, "HIGH"), tok(4, "@STRENGTH", '@', "STRENGTH")}},
		// What OpenSSL cannot read keeps its text up to the next separator.
		{"AES_128:B", []cipherlist.Token{tok(0, "AES_128", 0, "AES_128"), tok(8, "B", 0, "B")}},
		{"TLS_AES_128_GCM_SHA256", []cipherlist.Token{tok(0, "TLS_AES_128_GCM_SHA256", 0, "TLS_AES_128_GCM_SHA256")}},
		{"A+:B", []cipherlist.Token{tok(0, "A+", 0, "A+"), tok(3, "B", 0, "B")}},
		{"A+!B", []cipherlist.Token{tok(0, "A+!B", 0, "A+!B")}},
		{"!", []cipherlist.Token{tok(0, "!", '!', "")}},
		{"!:HIGH", []cipherlist.Token{tok(0, "!", '!', ""), tok(2, "HIGH", 0, "HIGH")}},
		{"*", []cipherlist.Token{tok(0, "*", 0, "*")}},
		{"HIGH\tMEDIUM", []cipherlist.Token{tok(0, "HIGH\tMEDIUM", 0, "HIGH\tMEDIUM")}},
		{"HIGH\x00X", []cipherlist.Token{tok(0, "HIGH\x00X", 0, "HIGH\x00X")}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := cipherlist.Tokens(tc.in); !slices.Equal(got, tc.want) {
				t.Fatalf("Tokens(%q) =\n\t%+v\nwant\n\t%+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestTokenParts(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"ECDHE+AESGCM", []string{"ECDHE", "AESGCM"}},
		{"!kRSA+SHA1+AES", []string{"kRSA", "SHA1", "AES"}},
		{"HIGH", []string{"HIGH"}},
		{"@STRENGTH", nil},
	} {
		toks := cipherlist.Tokens(tc.in)
		if len(toks) != 1 {
			t.Fatalf("Tokens(%q) = %+v, want one", tc.in, toks)
		}
		if got := toks[0].Parts(); !slices.Equal(got, tc.want) {
			t.Errorf("Tokens(%q)[0].Parts() = %q, want %q", tc.in, got, tc.want)
		}
	}
}
