// Package ossl is the only cgo package of nodetls: thin, typed wrappers over
// libssl and libcrypto (OpenSSL 3.0 or newer), with no Node.js policy.
//
// Rules that hold for every function here:
//
//   - All C lives in shim.c and shim.h. Every fallible call clears the
//     thread's error queue before it starts and drains it into an *Error
//     inside the same C call: the queue belongs to the OS thread, and a
//     goroutine may move between threads between two cgo calls.
//   - Every C object has one Go owner (Ctx, SSL) with an explicit Free. A
//     runtime cleanup frees what is forgotten and counts it in Leaked, which
//     tests treat as a failure. Live counts the objects not yet freed.
//   - An SSL is not safe for concurrent use: callers serialise every call on
//     one SSL (package bridge does). A Ctx is safe to share once configured.
//   - Deprecated OpenSSL API does not compile here (OPENSSL_API_COMPAT=30000,
//     OPENSSL_NO_DEPRECATED), and OpenSSL older than 3.0 is refused by an
//     #error in shim.h.
package ossl

//go:generate go run gen_const.go
