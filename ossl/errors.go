package ossl

/*
#include "shim.h"
*/
import "C"

import (
	"fmt"
	"strings"
)

// An ErrorEntry is one entry of OpenSSL's error queue.
type ErrorEntry struct {
	Code    uint32 // the packed code, e.g. 0x0A0000B9
	Library string // e.g. "SSL routines"
	Reason  string // e.g. "no cipher match"
	Data    string // extra text OpenSSL attached, if any
	lib     int
}

// An Error is a failed OpenSSL call with the error queue it left behind,
// oldest entry first.
type Error struct {
	Op      string // the OpenSSL function, e.g. "SSL_CTX_set_cipher_list"
	Entries []ErrorEntry
}

// newError copies a drained queue. It never returns an Error without an
// explanation: an empty queue is reported as such by Error().
func newError(op string, q *C.ossl_errs) *Error {
	e := &Error{Op: op}
	for i := 0; i < int(q.n); i++ {
		code := q.code[i]
		ent := ErrorEntry{Code: uint32(code), lib: int(C.ossl_err_lib(code))}
		if s := C.ERR_lib_error_string(code); s != nil {
			ent.Library = C.GoString(s)
		}
		if s := C.ERR_reason_error_string(code); s != nil {
			ent.Reason = C.GoString(s)
		} else {
			ent.Reason = fmt.Sprintf("reason(%d)", uint32(C.ossl_err_reason(code)))
		}
		ent.Data = C.GoString(&q.data[i][0])
		e.Entries = append(e.Entries, ent)
	}
	return e
}

// Error formats the oldest entry the way Node.js does, for example
// "error:0A0000B9:SSL routines::no cipher match".
func (e *Error) Error() string {
	if len(e.Entries) == 0 {
		return "ossl: " + e.Op + " failed (empty error queue)"
	}
	f := e.Entries[0]
	return fmt.Sprintf("error:%08X:%s::%s", f.Code, f.Library, f.Reason)
}

// Reason is the oldest entry's reason text ("no cipher match"), Node's
// err.reason; "" when the queue was empty.
func (e *Error) Reason() string {
	if len(e.Entries) == 0 {
		return ""
	}
	return e.Entries[0].Reason
}

// LibraryName is the oldest entry's library text ("SSL routines").
func (e *Error) LibraryName() string {
	if len(e.Entries) == 0 {
		return ""
	}
	return e.Entries[0].Library
}

// Code returns the Node.js error code for the oldest entry, for example
// "ERR_SSL_NO_CIPHER_MATCH", "ERR_OSSL_PEM_NO_START_LINE" or
// "ERR_OSSL_BAD_DECRYPT". Like Node it is built from the reason text:
// ERR_SSL_ for the SSL library, ERR_OSSL_<LIB>_ for the libraries Node
// names, ERR_OSSL_ for the others.
func (e *Error) Code() string {
	if len(e.Entries) == 0 {
		return "ERR_OSSL_UNKNOWN"
	}
	return nodeCode(e.Entries[0].lib, e.Entries[0].Reason)
}

func nodeCode(lib int, reason string) string {
	r := strings.ToUpper(strings.ReplaceAll(reason, " ", "_"))
	if lib == int(C.ERR_LIB_SSL) {
		return "ERR_SSL_" + r
	}
	if p, ok := nodeLibPrefix[lib]; ok {
		return "ERR_OSSL_" + p + "_" + r
	}
	return "ERR_OSSL_" + r
}

// nodeLibPrefix is Node's table of libraries that get their own code
// prefix (src/crypto/crypto_util.cc, OSSL_ERROR_CODES_MAP).
var nodeLibPrefix = map[int]string{
	int(C.ERR_LIB_SYS): "SYS", int(C.ERR_LIB_BN): "BN", int(C.ERR_LIB_RSA): "RSA",
	int(C.ERR_LIB_DH): "DH", int(C.ERR_LIB_EVP): "EVP", int(C.ERR_LIB_BUF): "BUF",
	int(C.ERR_LIB_OBJ): "OBJ", int(C.ERR_LIB_PEM): "PEM", int(C.ERR_LIB_DSA): "DSA",
	int(C.ERR_LIB_X509): "X509", int(C.ERR_LIB_ASN1): "ASN1", int(C.ERR_LIB_CONF): "CONF",
	int(C.ERR_LIB_CRYPTO): "CRYPTO", int(C.ERR_LIB_EC): "EC", int(C.ERR_LIB_BIO): "BIO",
	int(C.ERR_LIB_PKCS7): "PKCS7", int(C.ERR_LIB_X509V3): "X509V3", int(C.ERR_LIB_PKCS12): "PKCS12",
	int(C.ERR_LIB_RAND): "RAND", int(C.ERR_LIB_DSO): "DSO", int(C.ERR_LIB_ENGINE): "ENGINE",
	int(C.ERR_LIB_OCSP): "OCSP", int(C.ERR_LIB_UI): "UI", int(C.ERR_LIB_COMP): "COMP",
	int(C.ERR_LIB_ECDSA): "ECDSA", int(C.ERR_LIB_ECDH): "ECDH", int(C.ERR_LIB_OSSL_STORE): "OSSL_STORE",
	int(C.ERR_LIB_FIPS): "FIPS", int(C.ERR_LIB_CMS): "CMS", int(C.ERR_LIB_TS): "TS",
	int(C.ERR_LIB_HMAC): "HMAC", int(C.ERR_LIB_CT): "CT", int(C.ERR_LIB_ASYNC): "ASYNC",
	int(C.ERR_LIB_KDF): "KDF", int(C.ERR_LIB_SM2): "SM2", int(C.ERR_LIB_USER): "USER",
}
