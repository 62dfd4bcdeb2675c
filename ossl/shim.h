/* shim.h declares every C function package ossl calls. All C lives in
 * shim.c; every fallible function clears the thread's error queue before it
 * starts and drains it into an ossl_errs before it returns, because the
 * queue belongs to the OS thread and a goroutine may move between threads
 * between two cgo calls. */
#ifndef NODETLS_OSSL_SHIM_H
#define NODETLS_OSSL_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/opensslv.h>

#if OPENSSL_VERSION_NUMBER < 0x30000000L
#error "nodetls needs OpenSSL 3.0 or newer"
#endif

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define OSSL_MAX_ERRS 8
#define OSSL_DATA_LEN 160

/* ossl_errs is a copy of the error queue, oldest entry first. */
typedef struct {
	int n;
	unsigned long code[OSSL_MAX_ERRS];
	char data[OSSL_MAX_ERRS][OSSL_DATA_LEN];
} ossl_errs;

/* Operations of ossl_ssl_step. */
enum {
	OSSL_OP_NONE = 0, /* feed and drain only */
	OSSL_OP_HANDSHAKE = 1,
	OSSL_OP_READ = 2,
	OSSL_OP_WRITE = 3,
	OSSL_OP_SHUTDOWN = 4,
	/* OSSL_OP_READ that leaves unconsumed input with the caller: the
	 * caller passes in[consumed:] to the next step instead of the read
	 * BIO copying it. */
	OSSL_OP_READ_PARTIAL = 5,
};

/* ossl_step reports one ossl_ssl_step call. */
typedef struct {
	int ret;            /* the operation's return value */
	int sslerr;         /* SSL_get_error of ret, SSL_ERROR_NONE on success */
	size_t done;        /* plaintext bytes read or written */
	size_t consumed;    /* bytes of in the read BIO took */
	size_t outlen;      /* ciphertext bytes drained into out */
	size_t outpending;  /* ciphertext still waiting in the write BIO */
	int init_finished;  /* SSL_is_init_finished */
	int shutdown;       /* SSL_get_shutdown */
	int has_pending;    /* SSL_has_pending or unread bytes in the read BIO */
	int renegotiating;  /* a handshake started after the first one completed */
	int hs_starts;      /* handshakes started so far, renegotiations included */
	int new_sessions;   /* clients: new sessions kept for Go (ossl_ssl_take_sessions) */
	ossl_errs errs;
} ossl_step;

void ossl_drain(ossl_errs *e);
unsigned long ossl_err_lib(unsigned long code);
unsigned long ossl_err_reason(unsigned long code);
int ossl_load_legacy(ossl_errs *e);

/* SSL_CTX */
SSL_CTX *ossl_ctx_new(int method, ossl_errs *e);
size_t ossl_ctx_cipher_names(SSL_CTX *ctx, char *buf, size_t cap);
int ossl_ctx_set_cipher_list(SSL_CTX *ctx, const char *s, ossl_errs *e);
int ossl_ctx_set_ciphersuites(SSL_CTX *ctx, const char *s, ossl_errs *e);
int ossl_ctx_set_groups_list(SSL_CTX *ctx, const char *s, ossl_errs *e);
int ossl_ctx_set_proto_versions(SSL_CTX *ctx, int min, int max, ossl_errs *e);
int ossl_ctx_get_min_proto(SSL_CTX *ctx);
int ossl_ctx_get_max_proto(SSL_CTX *ctx);
uint64_t ossl_ctx_set_options(SSL_CTX *ctx, uint64_t op);
uint64_t ossl_ctx_clear_options(SSL_CTX *ctx, uint64_t op);
uint64_t ossl_ctx_get_options(SSL_CTX *ctx);
int ossl_ctx_set_security_level(SSL_CTX *ctx, int level);
int ossl_ctx_get_security_level(SSL_CTX *ctx);
int ossl_ctx_use_cert_chain(SSL_CTX *ctx, const char *pem, size_t n, ossl_errs *e);
int ossl_ctx_use_key(SSL_CTX *ctx, const char *pem, size_t n, const char *pass, size_t passlen, int havepass, ossl_errs *e);
int ossl_ctx_add_ca(SSL_CTX *ctx, const char *pem, size_t n);
int ossl_ctx_set_default_verify_paths(SSL_CTX *ctx, ossl_errs *e);
int ossl_ctx_set_dh(SSL_CTX *ctx, const char *pem, size_t n, int *bits, ossl_errs *e);
int ossl_ctx_set_dh_auto(SSL_CTX *ctx, ossl_errs *e);
int ossl_ctx_use_pkcs12(SSL_CTX *ctx, const char *der, size_t n, const char *pass, size_t passlen, int havepass, ossl_errs *e);
int ossl_ctx_set_session_id_context(SSL_CTX *ctx, const unsigned char *sid, size_t n, ossl_errs *e);
long ossl_ctx_set_timeout(SSL_CTX *ctx, long t);
int ossl_ctx_count_certs(SSL_CTX *ctx);
int ossl_ctx_use_root_store(SSL_CTX *ctx, ossl_errs *e);
int ossl_ctx_build_chains(SSL_CTX *ctx);
int ossl_ctx_add_crl(SSL_CTX *ctx, const char *pem, size_t n, ossl_errs *e);
int ossl_ctx_store_issuers(SSL_CTX *ctx, const unsigned char *in, size_t inlen, unsigned char *buf,
			   size_t cap, size_t *used);

/* SSL */
SSL *ossl_ssl_new(SSL_CTX *ctx, int server, ossl_errs *e);
int ossl_ssl_step(SSL *ssl, int op, const void *in, size_t inlen,
		  uintptr_t buf, size_t buflen, void *out, size_t outcap, ossl_step *r);
int ossl_ssl_set_host_name(SSL *ssl, const char *name, ossl_errs *e);
void ossl_ssl_set_verify(SSL *ssl, int mode);
int ossl_ssl_set_session_id_context(SSL *ssl, const unsigned char *sid, size_t n, ossl_errs *e);
int ossl_ssl_set_max_send_fragment(SSL *ssl, long n);
int ossl_ssl_free_buffers(SSL *ssl);
void ossl_ssl_free(SSL *ssl);
void ossl_ssl_want_sessions(SSL *ssl);
int ossl_ssl_renegotiate(SSL *ssl, ossl_errs *e);
int ossl_ssl_renegotiate_pending(SSL *ssl);
void ossl_ssl_enable_resume_hook(SSL *ssl);
size_t ossl_ssl_hello_session_id(SSL *ssl, unsigned char *buf);
int ossl_ssl_resume_hello(SSL *ssl, const unsigned char *der, size_t n);
size_t ossl_session_id(const unsigned char *der, size_t n, unsigned char *buf);
void ossl_ssl_pause_for_ocsp(SSL *ssl);
int ossl_ssl_ocsp_requested(SSL *ssl);
int ossl_ssl_request_ocsp(SSL *ssl);
int ossl_ssl_set_ocsp(SSL *ssl, const unsigned char *der, size_t n);
int ossl_ssl_ocsp(SSL *ssl, unsigned char *buf, size_t cap);
int ossl_ssl_own_cert(SSL *ssl, unsigned char *buf, size_t cap, size_t *used);
int ossl_ssl_switch_ctx(SSL *ssl, SSL_CTX *ctx, ossl_errs *e);
void ossl_ssl_resume(SSL *ssl);
int ossl_ssl_ticket(SSL *ssl, unsigned char *buf, size_t cap);
int ossl_ssl_take_sessions(SSL *ssl, unsigned char *buf, size_t cap, size_t *used);
void ossl_ssl_set_session_timeout(SSL *ssl, long seconds);
void ossl_ssl_set_ticket_keys(SSL *ssl, const unsigned char *keys);
int ossl_ssl_set_alpn(SSL *ssl, const unsigned char *wire, size_t n, ossl_errs *e);
int ossl_ssl_set_npn(SSL *ssl, const unsigned char *wire, size_t n);
size_t ossl_ssl_alpn_selected(SSL *ssl, char *buf, size_t cap);
size_t ossl_ssl_npn_result(SSL *ssl, char *buf, size_t cap);
void ossl_ssl_pause_for_sni(SSL *ssl);
int ossl_ssl_get_session(SSL *ssl, unsigned char *buf, size_t cap);
int ossl_ssl_set_session(SSL *ssl, const unsigned char *der, size_t n, ossl_errs *e);
long ossl_ssl_get_verify_result(SSL *ssl);
const char *ossl_ssl_get_version(SSL *ssl);
const char *ossl_ssl_cipher_name(SSL *ssl);
const char *ossl_ssl_cipher_version(SSL *ssl);
const char *ossl_ssl_get_servername(SSL *ssl);
int ossl_ssl_session_reused(SSL *ssl);
/* ossl_ssl_peer_tmp_key fills type (EVP_PKEY_EC, EVP_PKEY_DH, EVP_PKEY_X25519...),
 * name and bits; returns 0 when the key exchange had no ephemeral key. */
int ossl_ssl_peer_tmp_key(SSL *ssl, int *type, char *name, size_t namecap, int *bits);
/* ossl_ssl_peer_chain copies the DER of the peer certificate and of the
 * chain it sent, leaf first, into buf as [uint32 len][der]...; returns the
 * number of certificates, or -needed when buf is too small. */
int ossl_ssl_peer_chain(SSL *ssl, unsigned char *buf, size_t cap, size_t *used);

size_t ossl_heap_in_use(void);

/* X509 (CA parsing for the trust store and tests) */
int ossl_count_pem_certs(const char *pem, size_t n);

/* OCSP (package ocsp). Every call takes DER and parses afresh, so no OCSP
 * object outlives a call. */

/* ossl_tm is a broken-down UTC time; set is 0 when the field is absent. */
typedef struct {
	int set, year, mon, mday, hour, min, sec; /* year as is (2026), mon 1-12 */
} ossl_tm;

typedef struct {
	int status;      /* OCSP_RESPONSE_STATUS_* */
	int basic;       /* 1 when a basic response is present */
	ossl_tm produced_at;
	size_t nsingle;  /* single responses in the response */
} ossl_ocsp_info;

#define OSSL_OCSP_MAX_SERIAL 64
#define OSSL_OCSP_MAX_HASH 64

typedef struct {
	int cert_status; /* V_OCSP_CERTSTATUS_* */
	int reason;      /* OCSP_REVOKED_STATUS_*, -1 when none */
	ossl_tm this_update, next_update, revoked_at;
	char hash_alg[32]; /* the CertID's hash, OpenSSL's short name ("SHA1") */
	unsigned char name_hash[OSSL_OCSP_MAX_HASH], key_hash[OSSL_OCSP_MAX_HASH];
	size_t name_hash_len, key_hash_len;
	unsigned char serial[OSSL_OCSP_MAX_SERIAL]; /* magnitude, big-endian */
	size_t serial_len;
	int serial_neg;
} ossl_ocsp_single;

/* Results other than 1 that are not OpenSSL errors. */
enum {
	OSSL_OCSP_TOO_LARGE = -2, /* a serial or hash longer than its field */
	OSSL_OCSP_TRAILING = -3,  /* bytes after the DER */
	OSSL_OCSP_NO_BASIC = -4,  /* verify/find on a response without a basic response */
	OSSL_OCSP_BAD_CERT = -5,  /* a certificate given does not parse (the reason is in e) */
	OSSL_OCSP_BAD_TIME = -6,  /* a time in the response is not a valid time */
};

int ossl_ocsp_request(const unsigned char *cert, size_t certlen, const unsigned char *issuer, size_t issuerlen,
		      unsigned char **out, size_t *outlen, ossl_errs *e);
int ossl_ocsp_urls(const unsigned char *cert, size_t certlen, char **out, size_t *outlen, ossl_errs *e);
int ossl_ocsp_parse(const unsigned char *der, size_t n, ossl_ocsp_info *info, ossl_ocsp_single *singles,
		    size_t cap, ossl_errs *e);
int ossl_ocsp_find(const unsigned char *der, size_t n, const unsigned char *cert, size_t certlen,
		   const unsigned char *issuer, size_t issuerlen, int *index, ossl_errs *e);
int ossl_ocsp_verify(const unsigned char *der, size_t n, const unsigned char *issuer, size_t issuerlen,
		     const unsigned char *trusted, size_t trustedlen, int64_t now, ossl_errs *e);
void ossl_free(void *p);

#endif
