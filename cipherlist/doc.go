// Package cipherlist will hold OpenSSL cipher-string handling: Node's
// default suite, the check that names unknown tokens, the expansion of a
// cipher string to the suites OpenSSL would use, and the split of TLS 1.3
// names from the rest.
//
// BUG(nodetls): not implemented yet: this package is a placeholder. Today
// package tls splits TLS 1.3 names itself and hands cipher strings to
// OpenSSL unchanged, and tls.Ciphers lists the supported names.
package cipherlist
