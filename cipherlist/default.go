package cipherlist

// Default is the default cipher list: Node.js v20's tls.DEFAULT_CIPHERS
// (checked against v20.20.2 with OpenSSL 3.0.19) without its first three
// names, TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256.
// Those are OpenSSL 3.0's default TLS 1.3 suites in the same order, and a
// list without TLS_* names leaves the TLS 1.3 suites at OpenSSL's default,
// so both strings resolve to the same suites (resolve_test.go checks it).
// The list is Node's as is, with its five rules that match nothing under
// OpenSSL 3.0: two suites OpenSSL never had (DHE-RSA-AES256-SHA384,
// ECDHE-RSA-AES256-SHA256) and three aliases it no longer has suites for
// (EXPORT, DES, RC4). Check reports them.
//
// Like crypto/tls's defaults.go, this is the one place to change the
// policy. Package tls's DefaultCiphers variable starts with this value;
// replacing that variable is the process-wide replacement of the default
// (node's --tls-cipher-list, and the echo tool's).
const Default = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:" +
	"ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-GCM-SHA384:" +
	"DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA256:DHE-RSA-AES128-SHA256:" +
	"ECDHE-RSA-AES256-SHA384:DHE-RSA-AES256-SHA384:ECDHE-RSA-AES256-SHA256:" +
	"DHE-RSA-AES256-SHA256:HIGH:" +
	"!aNULL:!eNULL:!EXPORT:!DES:!RC4:!MD5:!PSK:!SRP:!CAMELLIA"
