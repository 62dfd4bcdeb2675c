package ossl

/*
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"encoding/binary"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// A Ctx owns one SSL_CTX. Create it with NewCtx and release it with Free.
// A Ctx is safe for concurrent use once configured; configure it from one
// goroutine only, before any SSL uses it.
type Ctx struct {
	mu      sync.Mutex // guards p against a concurrent Free
	p       *C.SSL_CTX
	cleanup runtime.Cleanup
}

// Methods for NewCtx.
const (
	MethodTLS       = 0 // TLS_method: either role
	MethodTLSServer = 1 // TLS_server_method
	MethodTLSClient = 2 // TLS_client_method
)

// NewCtx returns a context of the given method set up as Node's SecureContext::Init
// sets one up: SSLv2/SSLv3 off, client renegotiation allowed, automatic
// chain building, Node's session cache mode, security level 1, and the
// window TLSv1.2..TLSv1.3.
//
// Corresponds to SSL_CTX_new.
func NewCtx(method int) (*Ctx, error) {
	var q C.ossl_errs
	p := C.ossl_ctx_new(C.int(method), &q)
	if p == nil {
		return nil, newError("SSL_CTX_new", &q)
	}
	c := &Ctx{p: p}
	live.Add(1)
	// A context may legitimately be left to the collector (Node frees
	// unreferenced contexts the same way), so this cleanup is no leak.
	c.cleanup = runtime.AddCleanup(c, func(p *C.SSL_CTX) {
		live.Add(-1)
		C.SSL_CTX_free(p)
	}, p)
	return c, nil
}

// Free drops this owner's reference to the SSL_CTX. SSLs made from it keep
// their own reference. Calling Free more than once is harmless.
//
// Corresponds to SSL_CTX_free.
func (c *Ctx) Free() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.p == nil {
		return
	}
	c.cleanup.Stop()
	C.SSL_CTX_free(c.p)
	c.p = nil
	live.Add(-1)
}

// Freed reports whether Free was called.
func (c *Ctx) Freed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.p == nil
}

func (c *Ctx) ptr() *C.SSL_CTX {
	if c.p == nil {
		panic("ossl: use of freed Ctx")
	}
	return c.p
}

func withCString(s string, f func(*C.char)) {
	cs := C.CString(s)
	defer C.free(unsafe.Pointer(cs))
	f(cs)
}

// SetCipherList sets the TLS 1.2-and-earlier cipher list.
//
// Corresponds to SSL_CTX_set_cipher_list.
func (c *Ctx) SetCipherList(list string) error {
	var q C.ossl_errs
	var ok C.int
	withCString(list, func(s *C.char) { ok = C.ossl_ctx_set_cipher_list(c.ptr(), s, &q) })
	runtime.KeepAlive(c)
	if ok != 1 {
		return newError("SSL_CTX_set_cipher_list", &q)
	}
	return nil
}

// SetCipherSuites sets the TLS 1.3 cipher suites.
//
// Corresponds to SSL_CTX_set_ciphersuites.
func (c *Ctx) SetCipherSuites(list string) error {
	var q C.ossl_errs
	var ok C.int
	withCString(list, func(s *C.char) { ok = C.ossl_ctx_set_ciphersuites(c.ptr(), s, &q) })
	runtime.KeepAlive(c)
	if ok != 1 {
		return newError("SSL_CTX_set_ciphersuites", &q)
	}
	return nil
}

// SetGroupsList sets the key-exchange groups ("prime256v1", "P-256:X25519").
//
// Corresponds to SSL_CTX_set1_groups_list.
func (c *Ctx) SetGroupsList(list string) error {
	var q C.ossl_errs
	var ok C.int
	withCString(list, func(s *C.char) { ok = C.ossl_ctx_set_groups_list(c.ptr(), s, &q) })
	runtime.KeepAlive(c)
	if ok != 1 {
		return newError("SSL_CTX_set1_groups_list", &q)
	}
	return nil
}

// SetProtoVersions sets the protocol window; 0 means no bound.
//
// Corresponds to SSL_CTX_set_min_proto_version and SSL_CTX_set_max_proto_version.
func (c *Ctx) SetProtoVersions(min, max int) error {
	var q C.ossl_errs
	ok := C.ossl_ctx_set_proto_versions(c.ptr(), C.int(min), C.int(max), &q)
	runtime.KeepAlive(c)
	if ok != 1 {
		return newError("SSL_CTX_set_min_proto_version", &q)
	}
	return nil
}

// ProtoVersions returns the protocol window.
//
// Corresponds to SSL_CTX_get_min_proto_version and SSL_CTX_get_max_proto_version.
func (c *Ctx) ProtoVersions() (min, max int) {
	min, max = int(C.ossl_ctx_get_min_proto(c.ptr())), int(C.ossl_ctx_get_max_proto(c.ptr()))
	runtime.KeepAlive(c)
	return min, max
}

// SetOptions adds SSL_OP_* bits and returns the new set.
//
// Corresponds to SSL_CTX_set_options.
func (c *Ctx) SetOptions(op uint64) uint64 {
	r := uint64(C.ossl_ctx_set_options(c.ptr(), C.uint64_t(op)))
	runtime.KeepAlive(c)
	return r
}

// ClearOptions removes SSL_OP_* bits and returns the new set.
//
// Corresponds to SSL_CTX_clear_options.
func (c *Ctx) ClearOptions(op uint64) uint64 {
	r := uint64(C.ossl_ctx_clear_options(c.ptr(), C.uint64_t(op)))
	runtime.KeepAlive(c)
	return r
}

// Options returns the SSL_OP_* bits.
//
// Corresponds to SSL_CTX_get_options.
func (c *Ctx) Options() uint64 {
	r := uint64(C.ossl_ctx_get_options(c.ptr()))
	runtime.KeepAlive(c)
	return r
}

// SetSecurityLevel sets the security level (0 to 5).
//
// Corresponds to SSL_CTX_set_security_level.
func (c *Ctx) SetSecurityLevel(level int) {
	C.ossl_ctx_set_security_level(c.ptr(), C.int(level))
	runtime.KeepAlive(c)
}

// SecurityLevel returns the security level.
//
// Corresponds to SSL_CTX_get_security_level.
func (c *Ctx) SecurityLevel() int {
	r := int(C.ossl_ctx_get_security_level(c.ptr()))
	runtime.KeepAlive(c)
	return r
}

// UseCertificateChain loads a PEM chain, leaf first, into the slot of the
// leaf's key type.
//
// Corresponds to SSL_CTX_use_certificate and SSL_CTX_add1_chain_cert.
func (c *Ctx) UseCertificateChain(pem []byte) error {
	var q C.ossl_errs
	p, n := cBytes(pem)
	ok := C.ossl_ctx_use_cert_chain(c.ptr(), p, n, &q)
	runtime.KeepAlive(c)
	runtime.KeepAlive(pem)
	if ok != 1 {
		return newError("SSL_CTX_use_certificate", &q)
	}
	return nil
}

// UsePrivateKey loads a PEM private key, decrypting it with passphrase
// when havePass is set; it must match the certificate already in its slot.
//
// Corresponds to PEM_read_bio_PrivateKey and SSL_CTX_use_PrivateKey.
func (c *Ctx) UsePrivateKey(pem []byte, passphrase string, havePass bool) error {
	var q C.ossl_errs
	p, n := cBytes(pem)
	pp, pn := cBytes([]byte(passphrase))
	ok := C.ossl_ctx_use_key(c.ptr(), p, n, pp, pn, cBool(havePass), &q)
	runtime.KeepAlive(c)
	runtime.KeepAlive(pem)
	if ok != 1 {
		return newError("SSL_CTX_use_PrivateKey", &q)
	}
	return nil
}

// UsePKCS12 loads a PFX's certificate, key and extra certificates; the
// extra certificates are trusted too, as in Node. Legacy (RC2-40) files
// load the legacy provider on first use.
//
// Corresponds to d2i_PKCS12_bio and PKCS12_parse.
func (c *Ctx) UsePKCS12(der []byte, passphrase string, havePass bool) error {
	var q C.ossl_errs
	p, n := cBytes(der)
	pass := C.CString(passphrase)
	defer C.free(unsafe.Pointer(pass))
	ok := C.ossl_ctx_use_pkcs12(c.ptr(), p, n, pass, C.size_t(len(passphrase)), cBool(havePass), &q)
	runtime.KeepAlive(c)
	runtime.KeepAlive(der)
	if ok != 1 {
		return newError("PKCS12_parse", &q)
	}
	return nil
}

// AddCA trusts every PEM certificate in pem and names it in a server's
// CertificateRequest. Text that is not a certificate is skipped. It returns
// how many certificates were added.
//
// Corresponds to X509_STORE_add_cert and SSL_CTX_add_client_CA.
func (c *Ctx) AddCA(pem []byte) int {
	p, n := cBytes(pem)
	r := int(C.ossl_ctx_add_ca(c.ptr(), p, n))
	runtime.KeepAlive(c)
	runtime.KeepAlive(pem)
	return r
}

// SetDefaultVerifyPaths trusts the system's certificate store.
//
// Corresponds to SSL_CTX_set_default_verify_paths.
func (c *Ctx) SetDefaultVerifyPaths() error {
	var q C.ossl_errs
	ok := C.ossl_ctx_set_default_verify_paths(c.ptr(), &q)
	runtime.KeepAlive(c)
	if ok != 1 {
		return newError("SSL_CTX_set_default_verify_paths", &q)
	}
	return nil
}

// SetDHParams reads PEM DH parameters and, when they are 1024 bits or
// more, enables DHE with them. parsed is false when pem holds no DH
// parameters; bits is their size when parsed.
//
// Corresponds to PEM_read_bio_Parameters and SSL_CTX_set0_tmp_dh_pkey.
func (c *Ctx) SetDHParams(pem []byte) (parsed bool, bits int, err error) {
	var q C.ossl_errs
	var cbits C.int
	p, n := cBytes(pem)
	r := C.ossl_ctx_set_dh(c.ptr(), p, n, &cbits, &q)
	runtime.KeepAlive(c)
	runtime.KeepAlive(pem)
	switch r {
	case -1:
		return false, 0, nil
	case 0:
		return true, int(cbits), newError("SSL_CTX_set0_tmp_dh_pkey", &q)
	}
	return true, int(cbits), nil
}

// SetDHAuto enables DHE with OpenSSL's built-in groups.
//
// Corresponds to SSL_CTX_set_dh_auto.
func (c *Ctx) SetDHAuto() error {
	var q C.ossl_errs
	ok := C.ossl_ctx_set_dh_auto(c.ptr(), &q)
	runtime.KeepAlive(c)
	if ok != 1 {
		return newError("SSL_CTX_set_dh_auto", &q)
	}
	return nil
}

// SetSessionIDContext sets the session ID context (at most 32 bytes).
//
// Corresponds to SSL_CTX_set_session_id_context.
func (c *Ctx) SetSessionIDContext(sid []byte) error {
	var q C.ossl_errs
	p, n := cBytes(sid)
	ok := C.ossl_ctx_set_session_id_context(c.ptr(), (*C.uchar)(unsafe.Pointer(p)), n, &q)
	runtime.KeepAlive(c)
	runtime.KeepAlive(sid)
	if ok != 1 {
		return newError("SSL_CTX_set_session_id_context", &q)
	}
	return nil
}

// SetTimeout sets the session lifetime in seconds.
//
// Corresponds to SSL_CTX_set_timeout.
func (c *Ctx) SetTimeout(seconds int) {
	C.ossl_ctx_set_timeout(c.ptr(), C.long(seconds))
	runtime.KeepAlive(c)
}

// CertificateCount returns how many certificate slots hold a certificate.
//
// Corresponds to SSL_CTX_set_current_cert and SSL_CTX_get0_certificate.
func (c *Ctx) CertificateCount() int {
	r := int(C.ossl_ctx_count_certs(c.ptr()))
	runtime.KeepAlive(c)
	return r
}

// CipherNames returns the names of the ciphers an SSL made from c would
// offer, in preference order (TLS 1.3 suites first).
//
// Corresponds to SSL_get_ciphers and SSL_CIPHER_get_name.
func (c *Ctx) CipherNames() []string {
	buf := make([]byte, 4096)
	for {
		n := int(C.ossl_ctx_cipher_names(c.ptr(), (*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf))))
		runtime.KeepAlive(c)
		if n > len(buf) {
			buf = make([]byte, n)
			continue
		}
		var names []string
		for _, s := range strings.Split(string(buf[:n]), ":") {
			if s != "" {
				names = append(names, s)
			}
		}
		return names
	}
}

// UseRootStore makes the context trust the system store, loaded once per
// process and shared. The shared store must not be changed: use
// SetDefaultVerifyPaths for a context that adds certificates or CRLs.
//
// Corresponds to X509_STORE_set_default_paths and SSL_CTX_set1_cert_store.
func (c *Ctx) UseRootStore() error {
	var q C.ossl_errs
	ok := C.ossl_ctx_use_root_store(c.ptr(), &q)
	runtime.KeepAlive(c)
	if ok != 1 {
		return newError("X509_STORE_set_default_paths", &q)
	}
	return nil
}

// BuildChains builds, once, the chain that automatic chaining would build
// on every handshake for each certificate without a chain, then turns
// automatic chaining off. Call it after the store and certificates are
// final. It returns how many chains were built.
//
// Corresponds to SSL_CTX_build_cert_chain and SSL_MODE_NO_AUTO_CHAIN.
func (c *Ctx) BuildChains() int {
	r := int(C.ossl_ctx_build_chains(c.ptr()))
	runtime.KeepAlive(c)
	return r
}

// AddCRL adds the first PEM CRL of pem to the context's trust store and
// turns on revocation checking for the whole chain. The store must be the
// context's own (SetDefaultVerifyPaths or AddCA), not the shared root store.
//
// Corresponds to PEM_read_bio_X509_CRL, X509_STORE_add_crl and X509_STORE_set_flags.
func (c *Ctx) AddCRL(pem []byte) error {
	var q C.ossl_errs
	p, n := cBytes(pem)
	ok := C.ossl_ctx_add_crl(c.ptr(), p, n, &q)
	runtime.KeepAlive(c)
	runtime.KeepAlive(pem)
	if ok != 1 {
		return newError("PEM_read_bio_X509_CRL", &q)
	}
	return nil
}

// StoreIssuers walks up from each certificate (DER) through the trust
// store and returns the DER of every issuer found there, the way Node
// completes a peer certificate's issuer chain from its local store.
//
// Corresponds to X509_STORE_CTX_get1_issuer.
func (c *Ctx) StoreIssuers(chain [][]byte) [][]byte {
	var in []byte
	for _, der := range chain {
		in = binary.BigEndian.AppendUint32(in, uint32(len(der)))
		in = append(in, der...)
	}
	if len(in) == 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.p == nil {
		return nil
	}
	buf := make([]byte, 8192)
	for {
		var used C.size_t
		n := C.ossl_ctx_store_issuers(c.p, (*C.uchar)(unsafe.Pointer(&in[0])), C.size_t(len(in)),
			(*C.uchar)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), &used)
		if n < 0 {
			buf = make([]byte, int(used))
			continue
		}
		return splitDER(buf[:int(used)], int(n))
	}
}
