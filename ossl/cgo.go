package ossl

/*
#cgo pkg-config: libssl libcrypto
#cgo CFLAGS: -Wall -Werror -O2 -DOPENSSL_API_COMPAT=30000 -DOPENSSL_NO_DEPRECATED
#include "shim.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

func init() {
	// The library we run against must be the major version we compiled
	// against: the shim relies on OpenSSL 3 structures and semantics.
	if got, want := uint64(C.OpenSSL_version_num())>>28, uint64(C.OPENSSL_VERSION_NUMBER)>>28; got != want {
		panic(fmt.Sprintf("ossl: built against OpenSSL major version %d, running with %d", want, got))
	}
}

// Version returns the linked library's version text, such as
// "OpenSSL 3.0.19 27 Jan 2026".
//
// Corresponds to OpenSSL_version(OPENSSL_VERSION).
func Version() string {
	return C.GoString(C.OpenSSL_version(C.OPENSSL_VERSION))
}

// cBytes returns a C view of a Go byte slice for the length of one call.
func cBytes(b []byte) (*C.char, C.size_t) {
	if len(b) == 0 {
		// OpenSSL refuses NULL buffers even for zero lengths.
		return (*C.char)(unsafe.Pointer(&emptyByte)), 0
	}
	return (*C.char)(unsafe.Pointer(unsafe.SliceData(b))), C.size_t(len(b))
}

var emptyByte byte

func cBool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// CHeapInUse returns the bytes of C heap in use, for leak tests: OpenSSL
// frees certificates, stores and sessions with its own objects, which no
// Go counter sees.
//
// Corresponds to glibc's mallinfo2.
func CHeapInUse() int64 { return int64(C.ossl_heap_in_use()) }
