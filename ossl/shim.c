/* shim.c holds all of nodetls's C. Each exported function is a thin
 * wrapper over one OpenSSL operation (or a macro cgo cannot call) that
 * clears the error queue first and drains it into an ossl_errs before
 * returning, inside the same cgo call. */
#include <malloc.h>
#include <string.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/core_names.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include "shim.h"

void ossl_drain(ossl_errs *e)
{
	const char *data = NULL;
	int flags = 0;
	unsigned long code;

	if (e == NULL) {
		ERR_clear_error();
		return;
	}
	while ((code = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
		if (e->n >= OSSL_MAX_ERRS)
			continue; /* keep the oldest entries; Node reports the first */
		e->code[e->n] = code;
		e->data[e->n][0] = '\0';
		if (data != NULL && (flags & ERR_TXT_STRING))
			snprintf(e->data[e->n], OSSL_DATA_LEN, "%s", data);
		e->n++;
	}
}

unsigned long ossl_err_lib(unsigned long code) { return ERR_GET_LIB(code); }
unsigned long ossl_err_reason(unsigned long code) { return ERR_GET_REASON(code); }

/* ossl_load_legacy makes the legacy algorithms (RC2-40 PKCS#12 files)
 * available. The default provider is loaded too: loading any provider
 * explicitly stops OpenSSL from loading the default one implicitly. */
int ossl_load_legacy(ossl_errs *e)
{
	static OSSL_PROVIDER *legacy, *deflt;

	ERR_clear_error();
	if (deflt == NULL)
		deflt = OSSL_PROVIDER_load(NULL, "default");
	if (legacy == NULL)
		legacy = OSSL_PROVIDER_load(NULL, "legacy");
	if (legacy == NULL || deflt == NULL) {
		ossl_drain(e);
		return 0;
	}
	return 1;
}

/* verify_always_ok is Node's verify callback: it accepts every chain so
 * the handshake completes, and the result is judged afterwards from
 * SSL_get_verify_result (the last error OpenSSL saw wins). */
static int verify_always_ok(int ok, X509_STORE_CTX *c)
{
	(void)ok;
	(void)c;
	return 1;
}


/* conn_t is the per-SSL state the C callbacks need, kept in ex_data and
 * freed with the SSL: protocol lists in wire format and the certificate
 * callback pause. No Go memory or Go callback is involved: the callbacks
 * decide in C, and the SNI pause hands control back to Go by returning -1
 * from the certificate callback (Node's own mechanism). */
typedef struct {
	unsigned char *alpn; /* server: its ALPN list, in preference order */
	size_t alpnlen;
	unsigned char *npn; /* server: advertised NPN list; client: its own */
	size_t npnlen;
	int npn_status; /* client: OPENSSL_NPN_* of the selection; -1 none */
	char npn_selected[256];
	int cert_pause; /* 1: pause in the certificate callback when SNI was sent */
	int cert_state; /* 0: not yet; 1: paused; 2: done */
	int hs_starts;  /* handshakes started, renegotiations included */
	int has_ticket_keys;
	unsigned char ticket_keys[48]; /* 16 name, 16 HMAC, 16 AES (Node's layout) */
	long session_timeout; /* servers: seconds for new sessions; 0: the context's */
	int want_sessions;    /* clients: keep each new session for Go (Node's 'session') */
	int ocsp_pause;       /* servers: pause in the certificate callback when a status is requested */
	unsigned char *ocsp;  /* servers: the response to staple; clients: the one stapled */
	size_t ocsplen;
	int resume_hook;      /* servers: pause on a ClientHello session ID for Go's lookup */
	int hello_state;      /* 0: not yet; 1: paused; 2: done */
	unsigned char hello_id[SSL_MAX_SSL_SESSION_ID_LENGTH];
	size_t hello_idlen;
	unsigned char *resume; /* the session Go found for hello_id (DER) */
	size_t resumelen;
	unsigned char *sessions; /* [u32 len][DER]... not yet taken */
	size_t sessionslen;
	int nsessions;
} conn_t;

static int conn_idx = -1;
static CRYPTO_ONCE conn_once = CRYPTO_ONCE_STATIC_INIT;

static void conn_init(void) { conn_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL); }

static conn_t *ssl_conn(SSL *ssl) { return conn_idx < 0 ? NULL : SSL_get_ex_data(ssl, conn_idx); }

static int alpn_select_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
			  const unsigned char *in, unsigned int inlen, void *arg)
{
	conn_t *c = ssl_conn(ssl);
	unsigned char *o = NULL;

	(void)arg;
	if (c == NULL || c->alpn == NULL)
		return SSL_TLSEXT_ERR_NOACK; /* this server does no ALPN */
	/* The server's preference wins; no overlap is fatal (alert 120), as
	 * in Node 20. */
	if (SSL_select_next_proto(&o, outlen, c->alpn, (unsigned int)c->alpnlen, in, inlen) !=
	    OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	*out = o;
	return SSL_TLSEXT_ERR_OK;
}

static int npn_advertise_cb(SSL *ssl, const unsigned char **out, unsigned int *outlen, void *arg)
{
	conn_t *c = ssl_conn(ssl);

	(void)arg;
	if (c == NULL || c->npn == NULL || SSL_is_server(ssl) != 1)
		return SSL_TLSEXT_ERR_NOACK;
	*out = c->npn;
	*outlen = (unsigned int)c->npnlen;
	return SSL_TLSEXT_ERR_OK;
}

static int npn_select_cb(SSL *ssl, unsigned char **out, unsigned char *outlen,
			 const unsigned char *in, unsigned int inlen, void *arg)
{
	static unsigned char http11[] = "http/1.1";
	conn_t *c = ssl_conn(ssl);

	(void)arg;
	if (c == NULL)
		return SSL_TLSEXT_ERR_NOACK;
	if (c->npn == NULL) {
		/* Node v8: a client without a list still answers "http/1.1",
		 * and reports no protocol itself. */
		*out = http11;
		*outlen = 8;
		c->npn_status = OPENSSL_NPN_UNSUPPORTED;
		return SSL_TLSEXT_ERR_OK;
	}
	/* The server's list first: its order wins; without overlap OpenSSL
	 * falls back to the client's first protocol. */
	c->npn_status = SSL_select_next_proto(out, outlen, in, inlen, c->npn, (unsigned int)c->npnlen);
	if (c->npn_status == OPENSSL_NPN_NEGOTIATED)
		snprintf(c->npn_selected, sizeof c->npn_selected, "%.*s", (int)*outlen, (const char *)*out);
	return SSL_TLSEXT_ERR_OK;
}

/* info_cb counts handshake starts, for Node's renegotiation limit (the
 * policy is applied in Go from the count each step reports). */
static void info_cb(const SSL *ssl, int where, int ret)
{
	conn_t *c = ssl_conn((SSL *)ssl);

	(void)ret;
	if (c != NULL && (where & SSL_CB_HANDSHAKE_START))
		c->hs_starts++;
}

/* ctx_keys are the ticket keys of connections that were given none:
 * random, one set per process (Node makes them per context; a connection
 * of a server always gets its server's). */
static unsigned char ctx_keys[48];
static CRYPTO_ONCE ctx_keys_once = CRYPTO_ONCE_STATIC_INIT;
static void ctx_keys_init(void) { RAND_bytes(ctx_keys, sizeof ctx_keys); }

/* ticket_cb is Node's TicketCompatibilityCallback: 48-byte keys, AES-128-CBC
 * and HMAC-SHA256; an unknown key name means a full handshake. */
static int ticket_cb(SSL *ssl, unsigned char *name, unsigned char *iv, EVP_CIPHER_CTX *ectx,
		     EVP_MAC_CTX *hctx, int enc)
{
	conn_t *c = ssl_conn(ssl);
	const unsigned char *k;
	OSSL_PARAM params[3];

	if (c != NULL && c->has_ticket_keys) {
		k = c->ticket_keys;
	} else {
		CRYPTO_THREAD_run_once(&ctx_keys_once, ctx_keys_init);
		k = ctx_keys;
	}
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, (void *)(k + 16), 16);
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
	params[2] = OSSL_PARAM_construct_end();
	if (enc) {
		memcpy(name, k, 16);
		if (RAND_bytes(iv, 16) != 1 ||
		    EVP_EncryptInit_ex(ectx, EVP_aes_128_cbc(), NULL, k + 32, iv) != 1 ||
		    EVP_MAC_CTX_set_params(hctx, params) != 1)
			return -1;
		return 1;
	}
	if (memcmp(name, k, 16) != 0)
		return 0;
	if (EVP_MAC_CTX_set_params(hctx, params) != 1 ||
	    EVP_DecryptInit_ex(ectx, EVP_aes_128_cbc(), NULL, k + 32, iv) != 1)
		return -1;
	return 1;
}

/* new_session_cb keeps new sessions as DER for Go to take after the step:
 * a client's resumable ones (a TLS 1.2 handshake's, each TLS 1.3 ticket's),
 * a server's for an external store (Node's newSession). */
static int new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
	conn_t *c = ssl_conn(ssl);
	int n;
	unsigned char *nb, *p;

	if (c == NULL || !c->want_sessions)
		return 0;
	n = i2d_SSL_SESSION(sess, NULL);
	if (n <= 0) {
		ERR_clear_error();
		return 0;
	}
	nb = OPENSSL_realloc(c->sessions, c->sessionslen + 4 + (size_t)n);
	if (nb == NULL)
		return 0;
	c->sessions = nb;
	p = nb + c->sessionslen;
	p[0] = (unsigned char)(n >> 24);
	p[1] = (unsigned char)(n >> 16);
	p[2] = (unsigned char)(n >> 8);
	p[3] = (unsigned char)n;
	p += 4;
	i2d_SSL_SESSION(sess, &p);
	c->sessionslen += 4 + (size_t)n;
	c->nsessions++;
	return 0; /* OpenSSL keeps its own reference */
}

/* status_cb staples the response Go chose (servers) or keeps the one
 * stapled (clients, which always accept: Node hands it to JavaScript). */
static int status_cb(SSL *ssl, void *arg)
{
	conn_t *c = ssl_conn(ssl);
	const unsigned char *p = NULL;
	long n;
	unsigned char *copy;

	(void)arg;
	if (SSL_is_server(ssl)) {
		if (c == NULL || c->ocsp == NULL)
			return SSL_TLSEXT_ERR_NOACK;
		copy = OPENSSL_memdup(c->ocsp, c->ocsplen);
		if (copy == NULL)
			return SSL_TLSEXT_ERR_ALERT_FATAL;
		/* OpenSSL owns and frees the copy. */
		if (SSL_set_tlsext_status_ocsp_resp(ssl, copy, (long)c->ocsplen) != 1) {
			OPENSSL_free(copy);
			return SSL_TLSEXT_ERR_ALERT_FATAL;
		}
		return SSL_TLSEXT_ERR_OK;
	}
	n = SSL_get_tlsext_status_ocsp_resp(ssl, &p);
	if (c != NULL && p != NULL && n > 0) {
		OPENSSL_free(c->ocsp);
		OPENSSL_free(c->resume);
		c->ocsp = OPENSSL_memdup(p, (size_t)n);
		c->ocsplen = c->ocsp != NULL ? (size_t)n : 0;
	}
	return 1;
}

/* client_hello_cb pauses the handshake (SSL_ERROR_WANT_CLIENT_HELLO_CB)
 * once a ClientHello offers a session ID, so Go can look it up (Node's
 * resumeSession) without blocking in a C callback. */
static int client_hello_cb(SSL *ssl, int *al, void *arg)
{
	conn_t *c = ssl_conn(ssl);
	const unsigned char *id = NULL;
	size_t n;

	(void)al;
	(void)arg;
	if (c == NULL || !c->resume_hook || c->hello_state == 2)
		return SSL_CLIENT_HELLO_SUCCESS;
	n = SSL_client_hello_get0_session_id(ssl, &id);
	if (n == 0 || n > sizeof c->hello_id) {
		c->hello_state = 2;
		return SSL_CLIENT_HELLO_SUCCESS;
	}
	memcpy(c->hello_id, id, n);
	c->hello_idlen = n;
	c->hello_state = 1;
	return SSL_CLIENT_HELLO_RETRY;
}

/* get_session_cb hands OpenSSL the session Go found for the ClientHello's
 * session ID. */
static SSL_SESSION *get_session_cb(SSL *ssl, const unsigned char *id, int len, int *copy)
{
	conn_t *c = ssl_conn(ssl);
	const unsigned char *p;
	SSL_SESSION *s;

	*copy = 0; /* the reference d2i made is OpenSSL's */
	if (c == NULL || c->resume == NULL || (size_t)len != c->hello_idlen ||
	    memcmp(id, c->hello_id, (size_t)len) != 0)
		return NULL;
	p = c->resume;
	s = d2i_SSL_SESSION(NULL, &p, (long)c->resumelen);
	ERR_clear_error();
	return s;
}

static int cert_cb(SSL *ssl, void *arg)
{
	conn_t *c = ssl_conn(ssl);

	(void)arg;
	/* The session is made by now and its ticket not yet: a connection's
	 * own timeout (its server's) goes on it, and so into the ticket's
	 * lifetime hint. */
	if (c != NULL && c->session_timeout > 0 && SSL_is_server(ssl) && !SSL_session_reused(ssl) &&
	    SSL_get_session(ssl) != NULL)
		SSL_SESSION_set_timeout(SSL_get_session(ssl), c->session_timeout);
	if (c == NULL || c->cert_state == 2)
		return 1;
	/* SNI contexts and SNICallback apply only when SNI was sent, the OCSP
	 * hook only when the client asked for a status. */
	if (!(c->cert_pause && SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) != NULL) &&
	    !(c->ocsp_pause && SSL_get_tlsext_status_type(ssl) == TLSEXT_STATUSTYPE_ocsp))
		return 1;
	c->cert_state = 1;
	return -1; /* pause: SSL_ERROR_WANT_X509_LOOKUP; Go picks the context */
}

SSL_CTX *ossl_ctx_new(int method, ossl_errs *e)
{
	SSL_CTX *ctx;

	ERR_clear_error();
	ctx = SSL_CTX_new(method == 1 ? TLS_server_method() : method == 2 ? TLS_client_method() : TLS_method());
	if (ctx == NULL) {
		ossl_drain(e);
		return NULL;
	}
	/* Node's SecureContext::Init settings, in its order. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 |
				 SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
	SSL_CTX_clear_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
	/* No SSL_MODE_RELEASE_BUFFERS: freeing and reallocating the record
	 * buffers after every record halves bulk throughput. bridge frees
	 * them with SSL_free_buffers when a connection goes idle instead. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_SERVER |
					    SSL_SESS_CACHE_NO_INTERNAL |
					    SSL_SESS_CACHE_NO_AUTO_CLEAR);
	/* Node's bundled OpenSSL runs at level 1; Debian compiles in 2. */
	SSL_CTX_set_security_level(ctx, 1);
	SSL_CTX_set_read_ahead(ctx, 1);
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
	/* Every context gets the callbacks, so they survive an SNI switch;
	 * each reads the connection's own settings. */
	SSL_CTX_set_alpn_select_cb(ctx, alpn_select_cb, NULL);
	SSL_CTX_set_next_protos_advertised_cb(ctx, npn_advertise_cb, NULL);
	SSL_CTX_set_next_proto_select_cb(ctx, npn_select_cb, NULL);
	SSL_CTX_set_cert_cb(ctx, cert_cb, NULL);
	SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_cb);
	SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
	SSL_CTX_set_tlsext_status_cb(ctx, status_cb);
	SSL_CTX_set_client_hello_cb(ctx, client_hello_cb, NULL);
	SSL_CTX_sess_set_get_cb(ctx, get_session_cb);
	return ctx;
}

int ossl_ctx_set_cipher_list(SSL_CTX *ctx, const char *s, ossl_errs *e)
{
	ERR_clear_error();
	if (SSL_CTX_set_cipher_list(ctx, s) != 1) {
		ossl_drain(e);
		return 0;
	}
	return 1;
}

int ossl_ctx_set_ciphersuites(SSL_CTX *ctx, const char *s, ossl_errs *e)
{
	ERR_clear_error();
	if (SSL_CTX_set_ciphersuites(ctx, s) != 1) {
		ossl_drain(e);
		return 0;
	}
	return 1;
}

int ossl_ctx_set_groups_list(SSL_CTX *ctx, const char *s, ossl_errs *e)
{
	ERR_clear_error();
	if (SSL_CTX_set1_groups_list(ctx, s) != 1) {
		ossl_drain(e);
		return 0;
	}
	return 1;
}

int ossl_ctx_set_proto_versions(SSL_CTX *ctx, int min, int max, ossl_errs *e)
{
	ERR_clear_error();
	if (SSL_CTX_set_min_proto_version(ctx, min) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, max) != 1) {
		ossl_drain(e);
		return 0;
	}
	return 1;
}

int ossl_ctx_get_min_proto(SSL_CTX *ctx) { return (int)SSL_CTX_get_min_proto_version(ctx); }
int ossl_ctx_get_max_proto(SSL_CTX *ctx) { return (int)SSL_CTX_get_max_proto_version(ctx); }
uint64_t ossl_ctx_set_options(SSL_CTX *ctx, uint64_t op) { return SSL_CTX_set_options(ctx, op); }
uint64_t ossl_ctx_clear_options(SSL_CTX *ctx, uint64_t op) { return SSL_CTX_clear_options(ctx, op); }
uint64_t ossl_ctx_get_options(SSL_CTX *ctx) { return SSL_CTX_get_options(ctx); }
int ossl_ctx_set_security_level(SSL_CTX *ctx, int level)
{
	SSL_CTX_set_security_level(ctx, level);
	return 1;
}
int ossl_ctx_get_security_level(SSL_CTX *ctx) { return SSL_CTX_get_security_level(ctx); }

/* ossl_ctx_use_cert_chain loads a PEM chain, leaf first, as Node's
 * SSL_CTX_use_certificate_chain does: the leaf goes into the slot of its
 * key type and the rest become that slot's chain. */
int ossl_ctx_use_cert_chain(SSL_CTX *ctx, const char *pem, size_t n, ossl_errs *e)
{
	BIO *bio;
	X509 *x, *ca;
	int ok = 0;
	unsigned long last;

	ERR_clear_error();
	bio = BIO_new_mem_buf(pem, (int)n);
	if (bio == NULL)
		goto out;
	x = PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL);
	if (x == NULL)
		goto out;
	if (SSL_CTX_use_certificate(ctx, x) != 1 || ERR_peek_error() != 0) {
		X509_free(x);
		goto out;
	}
	X509_free(x);
	SSL_CTX_clear_chain_certs(ctx);
	while ((ca = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (SSL_CTX_add1_chain_cert(ctx, ca) != 1) {
			X509_free(ca);
			goto out;
		}
		X509_free(ca);
	}
	/* The loop ends on "no start line" at the end of the input: not an error. */
	last = ERR_peek_last_error();
	if (ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE)
		ERR_clear_error();
	ok = ERR_peek_error() == 0;
out:
	if (!ok)
		ossl_drain(e);
	BIO_free(bio);
	return ok;
}

/* pass_cb hands OpenSSL the passphrase; with none given it hands an empty
 * one, so an encrypted key fails with "bad decrypt" as in Node. */
typedef struct {
	const char *p;
	size_t n;
	int have;
} pass_t;

static int pass_cb(char *buf, int size, int rwflag, void *u)
{
	pass_t *p = u;
	(void)rwflag;
	if (p == NULL || !p->have)
		return 0;
	if ((size_t)size < p->n)
		return -1;
	memcpy(buf, p->p, p->n);
	return (int)p->n;
}

int ossl_ctx_use_key(SSL_CTX *ctx, const char *pem, size_t n, const char *pass, size_t passlen,
		     int havepass, ossl_errs *e)
{
	BIO *bio;
	EVP_PKEY *k = NULL;
	pass_t p = {pass, passlen, havepass};
	int ok = 0;

	ERR_clear_error();
	bio = BIO_new_mem_buf(pem, (int)n);
	if (bio == NULL)
		goto out;
	k = PEM_read_bio_PrivateKey(bio, NULL, pass_cb, &p);
	if (k == NULL)
		goto out;
	ok = SSL_CTX_use_PrivateKey(ctx, k) == 1;
out:
	if (!ok)
		ossl_drain(e);
	EVP_PKEY_free(k);
	BIO_free(bio);
	return ok;
}

/* ossl_ctx_add_ca adds every certificate in pem to the trust store and to
 * the CA names a server sends in its CertificateRequest. Garbage is
 * skipped, as Node skips it. Returns the number of certificates added. */
int ossl_ctx_add_ca(SSL_CTX *ctx, const char *pem, size_t n)
{
	BIO *bio;
	X509 *x;
	int count = 0;
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);

	bio = BIO_new_mem_buf(pem, (int)n);
	if (bio == NULL) {
		ERR_clear_error();
		return 0;
	}
	while ((x = PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL)) != NULL) {
		X509_STORE_add_cert(store, x);
		SSL_CTX_add_client_CA(ctx, x);
		X509_free(x);
		count++;
	}
	BIO_free(bio);
	ERR_clear_error();
	return count;
}

int ossl_ctx_set_default_verify_paths(SSL_CTX *ctx, ossl_errs *e)
{
	ERR_clear_error();
	if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		ossl_drain(e);
		return 0;
	}
	return 1;
}

/* ossl_ctx_set_dh reads PEM DH parameters. It returns -1 when they do not
 * parse (Node ignores them then), 0 on an OpenSSL failure, 1 when set;
 * *bits is filled whenever they parse. Parameters under 1024 bits are not
 * set: the caller reports Node's error. */
int ossl_ctx_set_dh(SSL_CTX *ctx, const char *pem, size_t n, int *bits, ossl_errs *e)
{
	BIO *bio;
	EVP_PKEY *dh;

	ERR_clear_error();
	*bits = 0;
	bio = BIO_new_mem_buf(pem, (int)n);
	if (bio == NULL) {
		ossl_drain(e);
		return 0;
	}
	dh = PEM_read_bio_Parameters(bio, NULL);
	BIO_free(bio);
	if (dh == NULL || EVP_PKEY_get_base_id(dh) != EVP_PKEY_DH) {
		EVP_PKEY_free(dh);
		ERR_clear_error();
		return -1;
	}
	*bits = EVP_PKEY_get_bits(dh);
	if (*bits < 1024) {
		EVP_PKEY_free(dh);
		return 1;
	}
	if (SSL_CTX_set0_tmp_dh_pkey(ctx, dh) != 1) {
		EVP_PKEY_free(dh); /* set0 takes ownership only on success */
		ossl_drain(e);
		return 0;
	}
	return 1;
}

int ossl_ctx_set_dh_auto(SSL_CTX *ctx, ossl_errs *e)
{
	ERR_clear_error();
	if (SSL_CTX_set_dh_auto(ctx, 1) != 1) {
		ossl_drain(e);
		return 0;
	}
	return 1;
}

static int pkcs12_load(SSL_CTX *ctx, const char *der, size_t n, const char *pass, ossl_errs *e)
{
	BIO *bio;
	PKCS12 *p12 = NULL;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *extra = NULL;
	X509_STORE *store;
	int i, ok = 0;

	bio = BIO_new_mem_buf(der, (int)n);
	if (bio == NULL)
		goto out;
	if (d2i_PKCS12_bio(bio, &p12) == NULL)
		goto out;
	if (PKCS12_parse(p12, pass, &key, &cert, &extra) != 1)
		goto out;
	if (cert == NULL || SSL_CTX_use_certificate(ctx, cert) != 1)
		goto out;
	SSL_CTX_clear_chain_certs(ctx);
	for (i = 0; i < sk_X509_num(extra); i++)
		if (SSL_CTX_add1_chain_cert(ctx, sk_X509_value(extra, i)) != 1)
			goto out;
	if (key == NULL || SSL_CTX_use_PrivateKey(ctx, key) != 1)
		goto out;
	store = SSL_CTX_get_cert_store(ctx);
	for (i = 0; i < sk_X509_num(extra); i++) {
		X509_STORE_add_cert(store, sk_X509_value(extra, i));
		SSL_CTX_add_client_CA(ctx, sk_X509_value(extra, i));
	}
	ok = 1;
out:
	if (!ok)
		ossl_drain(e);
	sk_X509_pop_free(extra, X509_free);
	X509_free(cert);
	EVP_PKEY_free(key);
	PKCS12_free(p12);
	BIO_free(bio);
	return ok;
}

/* ossl_ctx_use_pkcs12 loads a PFX. Files encrypted with legacy algorithms
 * (RC2-40, the OpenSSL 1.x default) need the legacy provider: it is loaded
 * on the first such file and the parse is tried again. */
int ossl_ctx_use_pkcs12(SSL_CTX *ctx, const char *der, size_t n, const char *pass, size_t passlen,
			int havepass, ossl_errs *e)
{
	ossl_errs first;
	char *p = NULL;
	int ok;

	(void)passlen;
	ERR_clear_error();
	if (havepass)
		p = (char *)pass;
	memset(&first, 0, sizeof first);
	ok = pkcs12_load(ctx, der, n, p, &first);
	if (ok)
		return 1;
	if (first.n > 0 && ERR_GET_REASON(first.code[first.n - 1]) != PKCS12_R_MAC_VERIFY_FAILURE &&
	    ossl_load_legacy(NULL)) {
		ERR_clear_error();
		ok = pkcs12_load(ctx, der, n, p, e);
		if (ok)
			return 1;
		return 0;
	}
	*e = first;
	return 0;
}

int ossl_ctx_set_session_id_context(SSL_CTX *ctx, const unsigned char *sid, size_t n, ossl_errs *e)
{
	ERR_clear_error();
	if (SSL_CTX_set_session_id_context(ctx, sid, (unsigned int)n) != 1) {
		ossl_drain(e);
		return 0;
	}
	return 1;
}

long ossl_ctx_set_timeout(SSL_CTX *ctx, long t) { return SSL_CTX_set_timeout(ctx, t); }

int ossl_ctx_count_certs(SSL_CTX *ctx)
{
	int n = 0;
	X509 *x;

	if (SSL_CTX_set_current_cert(ctx, SSL_CERT_SET_FIRST) != 1)
		return 0;
	do {
		x = SSL_CTX_get0_certificate(ctx);
		if (x != NULL)
			n++;
	} while (SSL_CTX_set_current_cert(ctx, SSL_CERT_SET_NEXT) == 1);
	return n;
}


/* The pipe BIO: the one BIO an SSL reads from and writes to. It is a
 * memory BIO shaped for ossl_ssl_step. During a step, reads are served
 * straight from the caller's ciphertext (the feed) and writes go straight
 * into the caller's out buffer, so the bytes are copied once rather than
 * into and out of a BIO_s_mem (which also zeroes every byte it grows by).
 * Only what a step leaves over is kept in C memory: unread input in keep,
 * output beyond the out buffer in spill. Outside a step there is no feed
 * and no out buffer; what SSL writes then waits in spill. */
typedef struct {
	const unsigned char *feed; /* the step's input; valid during one step */
	size_t feedlen, feedoff;
	unsigned char *keep; /* input left over from earlier steps; read first */
	size_t keepoff, keeplen, keepcap;
	unsigned char *out; /* the step's output buffer */
	size_t outcap, outlen;
	unsigned char *spill; /* output waiting for an out buffer; sent first */
	size_t spilloff, spilllen, spillcap;
} pipe_t;

static int pipe_append(unsigned char **buf, size_t *off, size_t *len, size_t *cap,
		       const unsigned char *src, size_t n)
{
	if (*off > 0) { /* compact: what was consumed goes */
		memmove(*buf, *buf + *off, *len - *off);
		*len -= *off;
		*off = 0;
	}
	if (*len + n > *cap) {
		size_t ncap = *cap > 0 ? *cap : 16384;
		unsigned char *nb;
		while (ncap < *len + n)
			ncap *= 2;
		nb = OPENSSL_realloc(*buf, ncap);
		if (nb == NULL)
			return 0;
		*buf = nb;
		*cap = ncap;
	}
	memcpy(*buf + *len, src, n);
	*len += n;
	return 1;
}

static int pipe_read(BIO *b, char *dst, size_t n, size_t *got)
{
	pipe_t *p = BIO_get_data(b);
	size_t k = 0, take;

	BIO_clear_retry_flags(b);
	if (p->keeplen > p->keepoff) {
		take = p->keeplen - p->keepoff < n ? p->keeplen - p->keepoff : n;
		memcpy(dst, p->keep + p->keepoff, take);
		p->keepoff += take;
		if (p->keepoff == p->keeplen)
			p->keepoff = p->keeplen = 0;
		k += take;
	}
	if (k < n && p->feedlen > p->feedoff) {
		take = p->feedlen - p->feedoff < n - k ? p->feedlen - p->feedoff : n - k;
		memcpy(dst + k, p->feed + p->feedoff, take);
		p->feedoff += take;
		k += take;
	}
	*got = k;
	if (k == 0) {
		BIO_set_retry_read(b); /* no data yet: retry, not end of file */
		return 0;
	}
	return 1;
}

static int pipe_write(BIO *b, const char *src, size_t n, size_t *put)
{
	pipe_t *p = BIO_get_data(b);
	size_t direct = 0;

	BIO_clear_retry_flags(b);
	/* Straight into the caller's buffer, unless earlier output waits. */
	if (p->spilllen == p->spilloff && p->out != NULL && p->outlen < p->outcap) {
		direct = p->outcap - p->outlen < n ? p->outcap - p->outlen : n;
		memcpy(p->out + p->outlen, src, direct);
		p->outlen += direct;
	}
	if (direct < n &&
	    !pipe_append(&p->spill, &p->spilloff, &p->spilllen, &p->spillcap,
			 (const unsigned char *)src + direct, n - direct))
		return 0;
	*put = n;
	return 1;
}

static long pipe_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	pipe_t *p = BIO_get_data(b);

	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_PENDING:
		return (long)((p->keeplen - p->keepoff) + (p->feedlen - p->feedoff));
	case BIO_CTRL_WPENDING:
		return (long)(p->spilllen - p->spilloff);
	case BIO_CTRL_GET_CLOSE:
		return BIO_get_shutdown(b);
	case BIO_CTRL_SET_CLOSE:
		BIO_set_shutdown(b, (int)num);
		return 1;
	default:
		return 0;
	}
}

static int pipe_create(BIO *b)
{
	pipe_t *p = OPENSSL_zalloc(sizeof *p);

	if (p == NULL)
		return 0;
	BIO_set_data(b, p);
	BIO_set_init(b, 1);
	return 1;
}

static int pipe_destroy(BIO *b)
{
	pipe_t *p = BIO_get_data(b);

	if (p != NULL) {
		OPENSSL_free(p->keep);
		OPENSSL_free(p->spill);
		OPENSSL_free(p);
	}
	BIO_set_data(b, NULL);
	return 1;
}

static BIO_METHOD *pipe_method;
static CRYPTO_ONCE pipe_once = CRYPTO_ONCE_STATIC_INIT;

static void pipe_init(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "nodetls pipe");

	if (m == NULL)
		return;
	if (!BIO_meth_set_read_ex(m, pipe_read) || !BIO_meth_set_write_ex(m, pipe_write) ||
	    !BIO_meth_set_ctrl(m, pipe_ctrl) || !BIO_meth_set_create(m, pipe_create) ||
	    !BIO_meth_set_destroy(m, pipe_destroy)) {
		BIO_meth_free(m);
		return;
	}
	pipe_method = m;
}

static pipe_t *ssl_pipe(SSL *ssl) { return BIO_get_data(SSL_get_rbio(ssl)); }

SSL *ossl_ssl_new(SSL_CTX *ctx, int server, ossl_errs *e)
{
	SSL *ssl;
	BIO *bio;

	conn_t *cn;

	ERR_clear_error();
	if (!CRYPTO_THREAD_run_once(&pipe_once, pipe_init) || pipe_method == NULL ||
	    !CRYPTO_THREAD_run_once(&conn_once, conn_init) || conn_idx < 0) {
		ossl_drain(e);
		return NULL;
	}
	ssl = SSL_new(ctx);
	if (ssl == NULL) {
		ossl_drain(e);
		return NULL;
	}
	cn = OPENSSL_zalloc(sizeof *cn);
	if (cn == NULL || SSL_set_ex_data(ssl, conn_idx, cn) != 1) {
		OPENSSL_free(cn);
		SSL_free(ssl);
		ossl_drain(e);
		return NULL;
	}
	cn->npn_status = -1;
	SSL_set_info_callback(ssl, info_cb);
	bio = BIO_new(pipe_method);
	if (bio == NULL) {
		SSL_free(ssl);
		ossl_drain(e);
		return NULL;
	}
	SSL_set_bio(ssl, bio, bio); /* the SSL owns the BIO now, for both directions */
	if (server)
		SSL_set_accept_state(ssl);
	else
		SSL_set_connect_state(ssl);
	SSL_set_verify(ssl, SSL_VERIFY_NONE, verify_always_ok);
	return ssl;
}

void ossl_ssl_set_verify(SSL *ssl, int mode) { SSL_set_verify(ssl, mode, verify_always_ok); }

int ossl_ssl_step(SSL *ssl, int op, const void *in, size_t inlen, uintptr_t bufaddr, size_t buflen,
		  void *out, size_t outcap, ossl_step *r)
{
	void *buf = (void *)bufaddr;
	pipe_t *p = ssl_pipe(ssl);
	size_t n = 0;
	int ret = 1;

	/* Stale entries would make SSL_get_error lie. Peeking first skips
	 * ERR_clear_error's pass over every slot when the queue is empty, as
	 * it nearly always is. */
	if (ERR_peek_error() != 0)
		ERR_clear_error();
	/* Not memset: the error copy is large and only its count matters. */
	r->ret = r->sslerr = r->init_finished = r->shutdown = r->has_pending = r->renegotiating = 0;
	r->done = r->consumed = r->outlen = r->outpending = 0;
	r->hs_starts = r->new_sessions = 0;
	r->errs.n = 0;
	/* Output that waited goes first, then what this step writes. */
	p->out = out;
	p->outcap = outcap;
	p->outlen = 0;
	if (outcap > 0 && p->spilllen > p->spilloff) {
		size_t take = p->spilllen - p->spilloff < outcap ? p->spilllen - p->spilloff : outcap;
		memcpy(out, p->spill + p->spilloff, take);
		p->spilloff += take;
		if (p->spilloff == p->spilllen)
			p->spilloff = p->spilllen = 0;
		p->outlen = take;
	}
	p->feed = in;
	p->feedlen = inlen;
	p->feedoff = 0;
	switch (op) {
	case OSSL_OP_HANDSHAKE:
		ret = SSL_do_handshake(ssl);
		break;
	case OSSL_OP_READ:
	case OSSL_OP_READ_PARTIAL:
		/* Read as many records as are buffered, up to buflen. */
		while (r->done < buflen) {
			ret = SSL_read_ex(ssl, (char *)buf + r->done, buflen - r->done, &n);
			if (ret <= 0)
				break;
			r->done += n;
		}
		if (ret <= 0 && r->done > 0) {
			r->sslerr = SSL_get_error(ssl, ret);
			/* Report the data now; a real error will repeat on the next call. */
			if (r->sslerr == SSL_ERROR_WANT_READ)
				r->sslerr = SSL_ERROR_NONE;
			ret = 1;
		}
		break;
	case OSSL_OP_WRITE:
		ret = SSL_write_ex(ssl, buf, buflen, &n);
		r->done = n;
		break;
	case OSSL_OP_SHUTDOWN:
		ret = SSL_shutdown(ssl);
		if (ret == 0)
			ret = 1; /* our close_notify is queued; the peer's may come later */
		break;
	default:
		break;
	}
	r->ret = ret;
	if (ret <= 0) {
		r->sslerr = SSL_get_error(ssl, ret);
		if (r->sslerr == SSL_ERROR_SSL || r->sslerr == SSL_ERROR_SYSCALL)
			ossl_drain(&r->errs);
	}
	if (r->sslerr != SSL_ERROR_SSL && r->sslerr != SSL_ERROR_SYSCALL && ERR_peek_error() != 0)
		ERR_clear_error();
	r->consumed = p->feedoff;
	/* Input this step did not consume is kept for the next one, unless
	 * the caller keeps it. */
	if (op != OSSL_OP_READ_PARTIAL && p->feedlen > p->feedoff &&
	    !pipe_append(&p->keep, &p->keepoff, &p->keeplen, &p->keepcap, p->feed + p->feedoff,
			 p->feedlen - p->feedoff)) {
		r->ret = ret = -1;
		r->sslerr = SSL_ERROR_SSL;
		ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
		ossl_drain(&r->errs);
	}
	p->feed = NULL;
	p->feedlen = p->feedoff = 0;
	r->outlen = p->outlen;
	p->out = NULL;
	p->outcap = p->outlen = 0;
	r->outpending = p->spilllen - p->spilloff;
	r->init_finished = SSL_is_init_finished(ssl);
	r->hs_starts = ssl_conn(ssl) != NULL ? ssl_conn(ssl)->hs_starts : 0;
	r->new_sessions = ssl_conn(ssl) != NULL ? ssl_conn(ssl)->nsessions : 0;
	r->shutdown = SSL_get_shutdown(ssl);
	r->has_pending = SSL_has_pending(ssl) || p->keeplen > p->keepoff;
	r->renegotiating = SSL_renegotiate_pending(ssl);
	return ret;
}

int ossl_ssl_set_host_name(SSL *ssl, const char *name, ossl_errs *e)
{
	ERR_clear_error();
	if (SSL_set_tlsext_host_name(ssl, name) != 1) {
		ossl_drain(e);
		return 0;
	}
	return 1;
}

int ossl_ssl_set_max_send_fragment(SSL *ssl, long n)
{
	int ok = (int)SSL_set_max_send_fragment(ssl, n);
	ERR_clear_error();
	return ok;
}

long ossl_ssl_get_verify_result(SSL *ssl) { return SSL_get_verify_result(ssl); }
const char *ossl_ssl_get_version(SSL *ssl) { return SSL_get_version(ssl); }

const char *ossl_ssl_cipher_name(SSL *ssl)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
	return c == NULL ? NULL : SSL_CIPHER_get_name(c);
}

const char *ossl_ssl_cipher_version(SSL *ssl)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
	return c == NULL ? NULL : SSL_CIPHER_get_version(c);
}

const char *ossl_ssl_get_servername(SSL *ssl) { return SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name); }
int ossl_ssl_session_reused(SSL *ssl) { return SSL_session_reused(ssl); }

int ossl_ssl_peer_tmp_key(SSL *ssl, int *type, char *name, size_t namecap, int *bits)
{
	EVP_PKEY *k = NULL;
	int ok = 0;

	name[0] = '\0';
	if (SSL_get_peer_tmp_key(ssl, &k) != 1 || k == NULL) {
		ERR_clear_error();
		return 0;
	}
	*type = EVP_PKEY_get_base_id(k);
	*bits = EVP_PKEY_get_bits(k);
	switch (*type) {
	case EVP_PKEY_EC: {
		size_t len = 0;
		if (EVP_PKEY_get_group_name(k, name, namecap, &len) != 1)
			name[0] = '\0';
		/* Node reports the curve's short name ("prime256v1"). */
		if (name[0] != '\0') {
			int nid = OBJ_txt2nid(name);
			const char *sn = nid == NID_undef ? NULL : OBJ_nid2sn(nid);
			if (nid == NID_undef)
				nid = EC_curve_nist2nid(name);
			sn = nid == NID_undef ? NULL : OBJ_nid2sn(nid);
			if (sn != NULL)
				snprintf(name, namecap, "%s", sn);
		}
		break;
	}
	case EVP_PKEY_DH:
		break;
	default:
		snprintf(name, namecap, "%s", OBJ_nid2sn(*type));
		break;
	}
	ok = 1;
	EVP_PKEY_free(k);
	ERR_clear_error();
	return ok;
}

static int put_der(X509 *x, unsigned char *buf, size_t cap, size_t *used)
{
	int len = i2d_X509(x, NULL);
	unsigned char *p;

	if (len <= 0)
		return 0;
	if (*used + 4 + (size_t)len > cap) {
		*used += 4 + (size_t)len;
		return -1;
	}
	p = buf + *used;
	p[0] = (unsigned char)(len >> 24);
	p[1] = (unsigned char)(len >> 16);
	p[2] = (unsigned char)(len >> 8);
	p[3] = (unsigned char)len;
	p += 4;
	i2d_X509(x, &p);
	*used += 4 + (size_t)len;
	return 1;
}

int ossl_ssl_peer_chain(SSL *ssl, unsigned char *buf, size_t cap, size_t *used)
{
	X509 *leaf = SSL_get0_peer_certificate(ssl);
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	int i, count = 0, small = 0, r;

	*used = 0;
	if (leaf == NULL)
		return 0;
	r = put_der(leaf, buf, cap, used);
	small |= r < 0;
	count++;
	for (i = 0; i < sk_X509_num(chain); i++) {
		X509 *x = sk_X509_value(chain, i);
		/* A client's chain starts with the leaf; a server's does not. */
		if (X509_cmp(x, leaf) == 0)
			continue;
		r = put_der(x, buf, cap, used);
		small |= r < 0;
		count++;
	}
	ERR_clear_error();
	return small ? -1 : count;
}

int ossl_count_pem_certs(const char *pem, size_t n)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)n);
	X509 *x;
	int count = 0;

	if (bio == NULL)
		return 0;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		X509_free(x);
		count++;
	}
	BIO_free(bio);
	ERR_clear_error();
	return count;
}

int ossl_ssl_set_session_id_context(SSL *ssl, const unsigned char *sid, size_t n, ossl_errs *e)
{
	ERR_clear_error();
	if (SSL_set_session_id_context(ssl, sid, (unsigned int)n) != 1) {
		ossl_drain(e);
		return 0;
	}
	return 1;
}

/* ossl_ctx_cipher_names writes the names of the ciphers an SSL made from
 * ctx would offer, separated by ':', into buf; returns the length needed. */
size_t ossl_ctx_cipher_names(SSL_CTX *ctx, char *buf, size_t cap)
{
	SSL *ssl = SSL_new(ctx);
	STACK_OF(SSL_CIPHER) *sk;
	size_t used = 0;
	int i;

	if (ssl == NULL) {
		ERR_clear_error();
		return 0;
	}
	sk = SSL_get_ciphers(ssl);
	for (i = 0; i < sk_SSL_CIPHER_num(sk); i++) {
		const char *name = SSL_CIPHER_get_name(sk_SSL_CIPHER_value(sk, i));
		size_t n = strlen(name);
		if (used + n + 1 <= cap) {
			memcpy(buf + used, name, n);
			buf[used + n] = ':';
		}
		used += n + 1;
	}
	SSL_free(ssl);
	ERR_clear_error();
	return used;
}

int ossl_ssl_free_buffers(SSL *ssl)
{
	pipe_t *p = ssl_pipe(ssl);
	int r = SSL_free_buffers(ssl);

	/* The pipe's own buffers go too when they hold nothing. */
	if (p->keeplen == p->keepoff) {
		OPENSSL_free(p->keep);
		p->keep = NULL;
		p->keepoff = p->keeplen = p->keepcap = 0;
	}
	if (p->spilllen == p->spilloff) {
		OPENSSL_free(p->spill);
		p->spill = NULL;
		p->spilloff = p->spilllen = p->spillcap = 0;
	}
	ERR_clear_error();
	return r;
}

/* The system trust store is loaded once per process and shared by every
 * context that trusts it (CA nil), as Node shares its root store: loading
 * the system bundle costs tens of milliseconds. Contexts that add their own
 * certificates get a store of their own instead. */
static X509_STORE *root_store;
static CRYPTO_ONCE root_once = CRYPTO_ONCE_STATIC_INIT;
static unsigned long root_err;

static void root_init(void)
{
	X509_STORE *s = X509_STORE_new();

	if (s == NULL || X509_STORE_set_default_paths(s) != 1) {
		root_err = ERR_peek_last_error();
		X509_STORE_free(s);
		return;
	}
	root_store = s;
}

int ossl_ctx_use_root_store(SSL_CTX *ctx, ossl_errs *e)
{
	ERR_clear_error();
	if (!CRYPTO_THREAD_run_once(&root_once, root_init) || root_store == NULL) {
		ossl_drain(e);
		if (e->n == 0 && root_err != 0) {
			e->code[0] = root_err;
			e->data[0][0] = '\0';
			e->n = 1;
		}
		return 0;
	}
	SSL_CTX_set1_cert_store(ctx, root_store);
	return 1;
}

/* ossl_ctx_build_chains builds, once, the chain each certificate slot
 * without one would get from OpenSSL's automatic chaining on every
 * handshake (which searches the trust store, directory lookups included,
 * each time), then turns the automatic chaining off. */
int ossl_ctx_build_chains(SSL_CTX *ctx)
{
	int built = 0;

	if (SSL_CTX_set_current_cert(ctx, SSL_CERT_SET_FIRST) == 1) {
		do {
			STACK_OF(X509) *chain = NULL;
			if (SSL_CTX_get0_certificate(ctx) == NULL)
				continue;
			SSL_CTX_get0_chain_certs(ctx, &chain);
			if (sk_X509_num(chain) > 0)
				continue;
			if (SSL_CTX_build_cert_chain(ctx, SSL_BUILD_CHAIN_FLAG_IGNORE_ERROR) > 0)
				built++;
		} while (SSL_CTX_set_current_cert(ctx, SSL_CERT_SET_NEXT) == 1);
	}
	SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
	ERR_clear_error();
	return built;
}

/* ossl_ctx_add_crl adds the first PEM CRL in pem to the context's store
 * and turns revocation checking on with Node's flags (every certificate
 * of the chain is checked). The store must be the context's own. */
int ossl_ctx_add_crl(SSL_CTX *ctx, const char *pem, size_t n, ossl_errs *e)
{
	BIO *bio;
	X509_CRL *crl;
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	int ok;

	ERR_clear_error();
	bio = BIO_new_mem_buf(pem, (int)n);
	if (bio == NULL) {
		ossl_drain(e);
		return 0;
	}
	crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (crl == NULL) {
		ossl_drain(e);
		return 0;
	}
	ok = X509_STORE_add_crl(store, crl) == 1 &&
	     X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL) == 1;
	X509_CRL_free(crl);
	if (!ok) {
		ossl_drain(e);
		return 0;
	}
	return 1;
}

/* ossl_ctx_store_issuers walks up from each certificate of a chain
 * ([u32 len][der]...) through the context's trust store, as Node's
 * GetLastIssuedCert does, and writes every issuer it finds in the same
 * format into buf. Returns the count, or -1 when buf is too small (used
 * then says how much is needed). */
int ossl_ctx_store_issuers(SSL_CTX *ctx, const unsigned char *in, size_t inlen, unsigned char *buf,
			   size_t cap, size_t *used)
{
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	size_t off = 0;
	int count = 0, small = 0;

	*used = 0;
	while (off + 4 <= inlen) {
		size_t len = ((size_t)in[off] << 24) | ((size_t)in[off + 1] << 16) |
			     ((size_t)in[off + 2] << 8) | in[off + 3];
		const unsigned char *p = in + off + 4;
		X509 *cur;
		int depth;

		off += 4 + len;
		if (off > inlen)
			break;
		cur = d2i_X509(NULL, &p, (long)len);
		for (depth = 0; cur != NULL && depth < 8; depth++) {
			X509_STORE_CTX *sctx = X509_STORE_CTX_new();
			X509 *issuer = NULL;
			int r = 0;

			if (sctx != NULL && X509_STORE_CTX_init(sctx, store, cur, NULL) == 1)
				r = X509_STORE_CTX_get1_issuer(&issuer, sctx, cur);
			X509_STORE_CTX_free(sctx);
			if (r != 1 || issuer == NULL) {
				X509_free(issuer);
				break;
			}
			if (X509_cmp(issuer, cur) == 0) { /* self-issued: the top */
				X509_free(issuer);
				break;
			}
			small |= put_der(issuer, buf, cap, used) < 0;
			count++;
			X509_free(cur);
			cur = issuer;
		}
		X509_free(cur);
	}
	ERR_clear_error();
	return small ? -1 : count;
}

/* ossl_heap_in_use is the C heap in use (glibc's allocated bytes), for
 * leak tests that OpenSSL objects which no counter sees (X509, stores)
 * are freed. */
size_t ossl_heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

/* ossl_ssl_get_session copies the current session as DER into buf when it
 * is resumable; returns its length, 0 when there is none, or -needed. */
int ossl_ssl_get_session(SSL *ssl, unsigned char *buf, size_t cap)
{
	SSL_SESSION *s = SSL_get1_session(ssl);
	int n;
	unsigned char *p = buf;

	if (s == NULL)
		return 0;
	if (!SSL_SESSION_is_resumable(s)) {
		SSL_SESSION_free(s);
		return 0;
	}
	n = i2d_SSL_SESSION(s, NULL);
	if (n <= 0) {
		SSL_SESSION_free(s);
		ERR_clear_error();
		return 0;
	}
	if ((size_t)n > cap) {
		SSL_SESSION_free(s);
		return -n;
	}
	i2d_SSL_SESSION(s, &p);
	SSL_SESSION_free(s);
	ERR_clear_error();
	return n;
}

/* ossl_ssl_set_session offers a DER session for resumption. */
int ossl_ssl_set_session(SSL *ssl, const unsigned char *der, size_t n, ossl_errs *e)
{
	const unsigned char *p = der;
	SSL_SESSION *s;
	int ok;

	ERR_clear_error();
	s = d2i_SSL_SESSION(NULL, &p, (long)n);
	if (s == NULL) {
		ossl_drain(e);
		return 0;
	}
	ok = SSL_set_session(ssl, s);
	SSL_SESSION_free(s);
	if (ok != 1) {
		ossl_drain(e);
		return 0;
	}
	return 1;
}

/* ossl_ssl_free frees the SSL and its connection state. */
void ossl_ssl_free(SSL *ssl)
{
	conn_t *c = ssl_conn(ssl);

	if (c != NULL) {
		OPENSSL_free(c->alpn);
		OPENSSL_free(c->npn);
		OPENSSL_free(c->sessions);
		OPENSSL_free(c->ocsp);
		OPENSSL_free(c);
		SSL_set_ex_data(ssl, conn_idx, NULL);
	}
	SSL_free(ssl);
}

/* set_list replaces an owned buffer with a copy of wire (none when n is 0). */
static int set_list(unsigned char **dst, size_t *dstlen, const unsigned char *wire, size_t n)
{
	OPENSSL_free(*dst);
	*dst = NULL;
	*dstlen = 0;
	if (n == 0)
		return 1;
	*dst = OPENSSL_memdup(wire, n);
	if (*dst == NULL)
		return 0;
	*dstlen = n;
	return 1;
}

/* ossl_ssl_set_alpn sets the ALPN list: a client offers it, a server
 * selects from it (its order wins). */
int ossl_ssl_set_alpn(SSL *ssl, const unsigned char *wire, size_t n, ossl_errs *e)
{
	conn_t *c = ssl_conn(ssl);

	ERR_clear_error();
	if (SSL_is_server(ssl))
		return set_list(&c->alpn, &c->alpnlen, wire, n);
	if (SSL_set_alpn_protos(ssl, wire, (unsigned int)n) != 0) { /* 0 is success */
		ossl_drain(e);
		return 0;
	}
	return 1;
}

/* ossl_ssl_set_npn sets the NPN list: advertised by a server, chosen from
 * by a client. */
int ossl_ssl_set_npn(SSL *ssl, const unsigned char *wire, size_t n)
{
	conn_t *c = ssl_conn(ssl);
	return set_list(&c->npn, &c->npnlen, wire, n);
}

/* ossl_ssl_alpn_selected writes the negotiated ALPN protocol into buf. */
size_t ossl_ssl_alpn_selected(SSL *ssl, char *buf, size_t cap)
{
	const unsigned char *p = NULL;
	unsigned int n = 0;

	SSL_get0_alpn_selected(ssl, &p, &n);
	if (p == NULL || n >= cap)
		return 0;
	memcpy(buf, p, n);
	return n;
}

/* ossl_ssl_npn_result writes the NPN protocol this side reports into buf:
 * a server the one negotiated, a client the one it selected from an
 * overlap (nothing on no overlap or without a list, as Node v8). */
size_t ossl_ssl_npn_result(SSL *ssl, char *buf, size_t cap)
{
	conn_t *c = ssl_conn(ssl);
	const unsigned char *p = NULL;
	unsigned int n = 0;

	if (SSL_is_server(ssl)) {
		SSL_get0_next_proto_negotiated(ssl, &p, &n);
		if (p == NULL || n >= cap)
			return 0;
		memcpy(buf, p, n);
		return n;
	}
	if (c == NULL || c->npn_status != OPENSSL_NPN_NEGOTIATED)
		return 0;
	n = (unsigned int)strlen(c->npn_selected);
	if (n >= cap)
		return 0;
	memcpy(buf, c->npn_selected, n);
	return n;
}

/* ossl_ssl_pause_for_sni makes the certificate callback pause the
 * handshake when the client sent SNI. */
void ossl_ssl_pause_for_sni(SSL *ssl) { ssl_conn(ssl)->cert_pause = 1; }


/* ossl_ssl_set_ticket_keys gives the connection its 48 ticket keys. */
void ossl_ssl_set_ticket_keys(SSL *ssl, const unsigned char *keys)
{
	conn_t *c = ssl_conn(ssl);

	if (c == NULL)
		return;
	memcpy(c->ticket_keys, keys, 48);
	c->has_ticket_keys = 1;
}

/* ossl_ssl_set_session_timeout sets the lifetime of the sessions this
 * server connection makes, in seconds. */
void ossl_ssl_set_session_timeout(SSL *ssl, long seconds)
{
	conn_t *c = ssl_conn(ssl);

	if (c != NULL)
		c->session_timeout = seconds;
}

void ossl_ssl_want_sessions(SSL *ssl)
{
	conn_t *c = ssl_conn(ssl);

	if (c != NULL)
		c->want_sessions = 1;
}

/* ossl_ssl_take_sessions moves the kept sessions into buf; returns their
 * count, or -1 when buf is too small (used says how much is needed). */
int ossl_ssl_take_sessions(SSL *ssl, unsigned char *buf, size_t cap, size_t *used)
{
	conn_t *c = ssl_conn(ssl);
	int n;

	*used = 0;
	if (c == NULL || c->nsessions == 0)
		return 0;
	*used = c->sessionslen;
	if (c->sessionslen > cap)
		return -1;
	memcpy(buf, c->sessions, c->sessionslen);
	n = c->nsessions;
	OPENSSL_free(c->sessions);
	c->sessions = NULL;
	c->sessionslen = 0;
	c->nsessions = 0;
	return n;
}

/* ossl_ssl_ticket copies the current session's ticket into buf; returns its
 * length, 0 when none, or -needed. */
int ossl_ssl_ticket(SSL *ssl, unsigned char *buf, size_t cap)
{
	SSL_SESSION *s = SSL_get_session(ssl);
	const unsigned char *t = NULL;
	size_t n = 0;

	if (s == NULL || !SSL_SESSION_has_ticket(s))
		return 0;
	SSL_SESSION_get0_ticket(s, &t, &n);
	if (t == NULL || n == 0)
		return 0;
	if (n > cap)
		return -(int)n;
	memcpy(buf, t, n);
	return (int)n;
}

void ossl_ssl_pause_for_ocsp(SSL *ssl)
{
	conn_t *c = ssl_conn(ssl);

	if (c != NULL)
		c->ocsp_pause = 1;
}

int ossl_ssl_ocsp_requested(SSL *ssl) { return SSL_get_tlsext_status_type(ssl) == TLSEXT_STATUSTYPE_ocsp; }

int ossl_ssl_request_ocsp(SSL *ssl)
{
	int ok = SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp) == 1;
	ERR_clear_error();
	return ok;
}

/* ossl_ssl_set_ocsp sets the response a server staples (a copy). */
int ossl_ssl_set_ocsp(SSL *ssl, const unsigned char *der, size_t n)
{
	conn_t *c = ssl_conn(ssl);

	if (c == NULL)
		return 0;
	return set_list(&c->ocsp, &c->ocsplen, der, n);
}

/* ossl_ssl_ocsp copies the stapled response a client received. */
int ossl_ssl_ocsp(SSL *ssl, unsigned char *buf, size_t cap)
{
	conn_t *c = ssl_conn(ssl);

	if (c == NULL || c->ocsp == NULL || SSL_is_server(ssl))
		return 0;
	if (c->ocsplen > cap)
		return -(int)c->ocsplen;
	memcpy(buf, c->ocsp, c->ocsplen);
	return (int)c->ocsplen;
}

/* ossl_ssl_own_cert writes the DER of the certificate this server
 * connection presents and of its issuer (from its chain, else the trust
 * store), as [u32 len][DER]... into buf; returns the count or -1. */
int ossl_ssl_own_cert(SSL *ssl, unsigned char *buf, size_t cap, size_t *used)
{
	X509 *x = SSL_get_certificate(ssl), *issuer = NULL;
	STACK_OF(X509) *chain = NULL;
	int i, count = 0, small = 0;

	*used = 0;
	if (x == NULL)
		return 0;
	small |= put_der(x, buf, cap, used) < 0;
	count++;
	SSL_get0_chain_certs(ssl, &chain);
	for (i = 0; i < sk_X509_num(chain) && issuer == NULL; i++)
		if (X509_check_issued(sk_X509_value(chain, i), x) == X509_V_OK)
			issuer = X509_dup(sk_X509_value(chain, i));
	if (issuer == NULL) {
		X509_STORE_CTX *sctx = X509_STORE_CTX_new();
		if (sctx != NULL && X509_STORE_CTX_init(sctx, SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl)), x, NULL) == 1)
			X509_STORE_CTX_get1_issuer(&issuer, sctx, x);
		X509_STORE_CTX_free(sctx);
	}
	if (issuer != NULL) {
		small |= put_der(issuer, buf, cap, used) < 0;
		count++;
		X509_free(issuer);
	}
	ERR_clear_error();
	return small ? -1 : count;
}

/* ossl_ssl_switch_ctx moves the connection to another context during the
 * certificate callback pause; ossl_ssl_resume ends the pause. */
int ossl_ssl_switch_ctx(SSL *ssl, SSL_CTX *ctx, ossl_errs *e)
{
	ERR_clear_error();
	if (SSL_set_SSL_CTX(ssl, ctx) == NULL) {
		ossl_drain(e);
		return 0;
	}
	return 1;
}

void ossl_ssl_resume(SSL *ssl)
{
	conn_t *c = ssl_conn(ssl);

	if (c != NULL)
		c->cert_state = 2;
}

void ossl_ssl_enable_resume_hook(SSL *ssl)
{
	conn_t *c = ssl_conn(ssl);

	if (c != NULL)
		c->resume_hook = 1;
}

/* ossl_ssl_hello_session_id copies the paused ClientHello's session ID. */
size_t ossl_ssl_hello_session_id(SSL *ssl, unsigned char *buf)
{
	conn_t *c = ssl_conn(ssl);

	if (c == NULL)
		return 0;
	memcpy(buf, c->hello_id, c->hello_idlen);
	return c->hello_idlen;
}

/* ossl_ssl_resume_hello ends the ClientHello pause with the session Go
 * found (DER), or none. */
int ossl_ssl_resume_hello(SSL *ssl, const unsigned char *der, size_t n)
{
	conn_t *c = ssl_conn(ssl);

	if (c == NULL || !set_list(&c->resume, &c->resumelen, der, n))
		return 0;
	c->hello_state = 2;
	return 1;
}

/* ossl_session_id writes the ID of a DER session into buf (32 bytes). */
size_t ossl_session_id(const unsigned char *der, size_t n, unsigned char *buf)
{
	const unsigned char *p = der;
	SSL_SESSION *s = d2i_SSL_SESSION(NULL, &p, (long)n);
	const unsigned char *id;
	unsigned int len = 0;

	if (s == NULL) {
		ERR_clear_error();
		return 0;
	}
	id = SSL_SESSION_get_id(s, &len);
	if (len > SSL_MAX_SSL_SESSION_ID_LENGTH)
		len = 0;
	memcpy(buf, id, len);
	SSL_SESSION_free(s);
	return len;
}

/* ossl_ssl_renegotiate starts a TLS 1.2 renegotiation that does not resume
 * the session (so a new certificate request is honoured); under TLS 1.3
 * it fails with "wrong ssl version", as in Node. */
int ossl_ssl_renegotiate(SSL *ssl, ossl_errs *e)
{
	ERR_clear_error();
	SSL_set_options(ssl, SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
	if (SSL_renegotiate(ssl) != 1) {
		ossl_drain(e);
		return 0;
	}
	return 1;
}

int ossl_ssl_renegotiate_pending(SSL *ssl) { return SSL_renegotiate_pending(ssl); }

/* --- OCSP --------------------------------------------------------------- */

/* der_exact parses exactly one DER value of type it; NULL with *trailing
 * set when bytes follow it. */
static void *der_exact(const ASN1_ITEM *it, const unsigned char *der, size_t n, int *trailing)
{
	const unsigned char *p = der;
	ASN1_VALUE *v = ASN1_item_d2i(NULL, &p, (long)n, it);

	*trailing = 0;
	if (v != NULL && p != der + n) {
		ASN1_item_free(v, it);
		*trailing = 1;
		return NULL;
	}
	return v;
}

#define der_x509(der, n, trailing) ((X509 *)der_exact(ASN1_ITEM_rptr(X509), der, n, trailing))
#define der_ocsp_response(der, n, trailing) ((OCSP_RESPONSE *)der_exact(ASN1_ITEM_rptr(OCSP_RESPONSE), der, n, trailing))

/* ocsp_end ends an OCSP call: the queue is drained into e for a failure
 * OpenSSL explains, and cleared otherwise. */
static int ocsp_end(int ret, ossl_errs *e)
{
	if (ret == 1 || ret == OSSL_OCSP_NO_BASIC)
		ERR_clear_error();
	else
		ossl_drain(e);
	return ret;
}

/* put_tm converts t, when present; 0 when it is present but no valid
 * time (d2i checks only the encoding's shape). */
static int put_tm(const ASN1_TIME *t, ossl_tm *out)
{
	struct tm tm;

	memset(out, 0, sizeof(*out));
	if (t == NULL)
		return 1;
	if (ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	out->set = 1;
	out->year = tm.tm_year + 1900;
	out->mon = tm.tm_mon + 1;
	out->mday = tm.tm_mday;
	out->hour = tm.tm_hour;
	out->min = tm.tm_min;
	out->sec = tm.tm_sec;
	return 1;
}

/* ossl_ocsp_request builds the DER OCSPRequest for one certificate (SHA-1
 * CertID, no nonce: the request openssl ocsp -no_nonce sends). *out is
 * OPENSSL_malloc'd; free it with ossl_free. */
int ossl_ocsp_request(const unsigned char *cert, size_t certlen, const unsigned char *issuer, size_t issuerlen,
		      unsigned char **out, size_t *outlen, ossl_errs *e)
{
	X509 *c = NULL, *is = NULL;
	OCSP_CERTID *id = NULL;
	OCSP_REQUEST *req = NULL;
	int trailing = 0, n, ret = 0;

	ERR_clear_error();
	*out = NULL;
	*outlen = 0;
	if ((c = der_x509(cert, certlen, &trailing)) == NULL || (is = der_x509(issuer, issuerlen, &trailing)) == NULL) {
		ret = trailing ? OSSL_OCSP_TRAILING : OSSL_OCSP_BAD_CERT;
		goto done;
	}
	if ((id = OCSP_cert_to_id(NULL, c, is)) == NULL || (req = OCSP_REQUEST_new()) == NULL)
		goto done;
	if (OCSP_request_add0_id(req, id) == NULL)
		goto done;
	id = NULL; /* the request owns it */
	if ((n = i2d_OCSP_REQUEST(req, out)) <= 0)
		goto done;
	*outlen = (size_t)n;
	ret = 1;
done:
	OCSP_CERTID_free(id);
	OCSP_REQUEST_free(req);
	X509_free(c);
	X509_free(is);
	if (ret != 1)
		ossl_drain(e);
	return ret;
}

/* ossl_ocsp_urls returns the certificate's OCSP responder URIs
 * (authorityInfoAccess), each ended by a NUL, OPENSSL_malloc'd in *out
 * (NULL when there are none). */
int ossl_ocsp_urls(const unsigned char *cert, size_t certlen, char **out, size_t *outlen, ossl_errs *e)
{
	STACK_OF(OPENSSL_STRING) *urls;
	X509 *c;
	size_t total = 0, off = 0;
	int i, trailing = 0;

	ERR_clear_error();
	*out = NULL;
	*outlen = 0;
	if ((c = der_x509(cert, certlen, &trailing)) == NULL) {
		ossl_drain(e);
		return trailing ? OSSL_OCSP_TRAILING : OSSL_OCSP_BAD_CERT;
	}
	urls = X509_get1_ocsp(c);
	X509_free(c);
	for (i = 0; i < sk_OPENSSL_STRING_num(urls); i++)
		total += strlen(sk_OPENSSL_STRING_value(urls, i)) + 1;
	if (total > 0 && (*out = OPENSSL_malloc(total)) == NULL) {
		X509_email_free(urls);
		ossl_drain(e);
		return 0;
	}
	for (i = 0; i < sk_OPENSSL_STRING_num(urls); i++) {
		const char *u = sk_OPENSSL_STRING_value(urls, i);
		size_t k = strlen(u);

		memcpy(*out + off, u, k);
		(*out)[off + k] = '\0';
		off += k + 1;
	}
	X509_email_free(urls);
	*outlen = off;
	ERR_clear_error();
	return 1;
}

static int put_single(OCSP_SINGLERESP *sr, ossl_ocsp_single *out)
{
	ASN1_GENERALIZEDTIME *rev = NULL, *thisupd = NULL, *nextupd = NULL;
	ASN1_OCTET_STRING *nh = NULL, *kh = NULL;
	ASN1_OBJECT *md = NULL;
	ASN1_INTEGER *serial = NULL;
	int reason = -1, nid;

	memset(out, 0, sizeof(*out));
	out->cert_status = OCSP_single_get0_status(sr, &reason, &rev, &thisupd, &nextupd);
	out->reason = reason;
	if (!put_tm(thisupd, &out->this_update) || !put_tm(nextupd, &out->next_update) || !put_tm(rev, &out->revoked_at))
		return OSSL_OCSP_BAD_TIME;
	if (OCSP_id_get0_info(&nh, &md, &kh, &serial, (OCSP_CERTID *)OCSP_SINGLERESP_get0_id(sr)) != 1)
		return 0;
	nid = OBJ_obj2nid(md);
	if (nid != NID_undef)
		snprintf(out->hash_alg, sizeof(out->hash_alg), "%s", OBJ_nid2sn(nid));
	else
		OBJ_obj2txt(out->hash_alg, sizeof(out->hash_alg), md, 1);
	if (ASN1_STRING_length(nh) > OSSL_OCSP_MAX_HASH || ASN1_STRING_length(kh) > OSSL_OCSP_MAX_HASH ||
	    ASN1_STRING_length(serial) > OSSL_OCSP_MAX_SERIAL)
		return OSSL_OCSP_TOO_LARGE;
	out->name_hash_len = (size_t)ASN1_STRING_length(nh);
	memcpy(out->name_hash, ASN1_STRING_get0_data(nh), out->name_hash_len);
	out->key_hash_len = (size_t)ASN1_STRING_length(kh);
	memcpy(out->key_hash, ASN1_STRING_get0_data(kh), out->key_hash_len);
	out->serial_len = (size_t)ASN1_STRING_length(serial);
	memcpy(out->serial, ASN1_STRING_get0_data(serial), out->serial_len);
	out->serial_neg = ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER;
	return 1;
}

/* ossl_ocsp_parse reads a DER OCSPResponse: its status and, when it holds
 * a basic response, up to cap single responses (info->nsingle says how
 * many there are; the caller retries with more room when that is more). */
int ossl_ocsp_parse(const unsigned char *der, size_t n, ossl_ocsp_info *info, ossl_ocsp_single *singles,
		    size_t cap, ossl_errs *e)
{
	OCSP_RESPONSE *resp;
	OCSP_BASICRESP *bs;
	int trailing = 0, i, count, ret = 1;

	ERR_clear_error();
	memset(info, 0, sizeof(*info));
	if ((resp = der_ocsp_response(der, n, &trailing)) == NULL) {
		ossl_drain(e);
		return trailing ? OSSL_OCSP_TRAILING : 0;
	}
	info->status = OCSP_response_status(resp);
	bs = OCSP_response_get1_basic(resp);
	OCSP_RESPONSE_free(resp);
	if (bs == NULL) {
		ERR_clear_error(); /* no basic response is an answer, not an error */
		return 1;
	}
	info->basic = 1;
	if (!put_tm(OCSP_resp_get0_produced_at(bs), &info->produced_at))
		ret = OSSL_OCSP_BAD_TIME;
	count = OCSP_resp_count(bs);
	info->nsingle = count > 0 ? (size_t)count : 0;
	for (i = 0; i < count && (size_t)i < cap && ret == 1; i++)
		ret = put_single(OCSP_resp_get0(bs, i), &singles[i]);
	OCSP_BASICRESP_free(bs);
	if (ret != 1)
		ossl_drain(e);
	else
		ERR_clear_error();
	return ret;
}

/* ossl_ocsp_find sets *index to the single response about cert (issued by
 * issuer), matching the CertID with the hash each response uses, or -1.
 * When several are about it, the first that says revoked wins, else the
 * first. */
int ossl_ocsp_find(const unsigned char *der, size_t n, const unsigned char *cert, size_t certlen,
		   const unsigned char *issuer, size_t issuerlen, int *index, ossl_errs *e)
{
	OCSP_RESPONSE *resp = NULL;
	OCSP_BASICRESP *bs = NULL;
	X509 *c = NULL, *is = NULL;
	int trailing = 0, i, ret = 0;

	ERR_clear_error();
	*index = -1;
	if ((resp = der_ocsp_response(der, n, &trailing)) == NULL) {
		ret = trailing ? OSSL_OCSP_TRAILING : 0;
		goto done;
	}
	if ((c = der_x509(cert, certlen, &trailing)) == NULL || (is = der_x509(issuer, issuerlen, &trailing)) == NULL) {
		ret = trailing ? OSSL_OCSP_TRAILING : OSSL_OCSP_BAD_CERT;
		goto done;
	}
	if ((bs = OCSP_response_get1_basic(resp)) == NULL) {
		ret = OSSL_OCSP_NO_BASIC;
		goto done;
	}
	for (i = 0; i < OCSP_resp_count(bs); i++) {
		OCSP_SINGLERESP *sr = OCSP_resp_get0(bs, i);
		const OCSP_CERTID *sid = OCSP_SINGLERESP_get0_id(sr);
		ASN1_OBJECT *mdobj = NULL;
		const EVP_MD *md;
		OCSP_CERTID *id;

		if (OCSP_id_get0_info(NULL, &mdobj, NULL, NULL, (OCSP_CERTID *)sid) != 1)
			continue;
		if ((md = EVP_get_digestbyobj(mdobj)) == NULL)
			continue; /* a hash this library does not know cannot match */
		if ((id = OCSP_cert_to_id(md, c, is)) == NULL)
			goto done;
		if (OCSP_id_cmp(id, sid) == 0) {
			if (OCSP_single_get0_status(sr, NULL, NULL, NULL, NULL) == V_OCSP_CERTSTATUS_REVOKED) {
				*index = i;
				OCSP_CERTID_free(id);
				break;
			}
			if (*index < 0)
				*index = i;
		}
		OCSP_CERTID_free(id);
	}
	ret = 1;
done:
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	X509_free(c);
	X509_free(is);
	return ocsp_end(ret, e);
}

/* ossl_ocsp_verify checks a basic response's signature and its signer at
 * time now: the signer must be issuer, or a responder issuer delegated
 * (OCSP signing), and chain to a trust anchor. The anchors are the
 * certificates in trusted ([u32 len][der]...), or issuer alone when there
 * are none; any anchor may sit in the middle of a chain. Returns 1 when
 * the response verifies, 0 with the reason in e when it does not. */
int ossl_ocsp_verify(const unsigned char *der, size_t n, const unsigned char *issuer, size_t issuerlen,
		     const unsigned char *trusted, size_t trustedlen, int64_t now, ossl_errs *e)
{
	OCSP_RESPONSE *resp = NULL;
	OCSP_BASICRESP *bs = NULL;
	X509 *is = NULL;
	X509_STORE *st = NULL;
	STACK_OF(X509) *certs = NULL;
	X509_VERIFY_PARAM *param;
	size_t off = 0;
	int trailing = 0, anchors = 0, ret = 0;

	ERR_clear_error();
	if ((resp = der_ocsp_response(der, n, &trailing)) == NULL) {
		ret = trailing ? OSSL_OCSP_TRAILING : 0;
		goto done;
	}
	if ((is = der_x509(issuer, issuerlen, &trailing)) == NULL) {
		ret = trailing ? OSSL_OCSP_TRAILING : OSSL_OCSP_BAD_CERT;
		goto done;
	}
	if ((bs = OCSP_response_get1_basic(resp)) == NULL) {
		ret = OSSL_OCSP_NO_BASIC;
		goto done;
	}
	if ((st = X509_STORE_new()) == NULL || (certs = sk_X509_new_null()) == NULL)
		goto done;
	param = X509_STORE_get0_param(st);
	X509_VERIFY_PARAM_set_time(param, (time_t)now);
	if (X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN) != 1)
		goto done;
	while (off + 4 <= trustedlen) {
		size_t len = ((size_t)trusted[off] << 24) | ((size_t)trusted[off + 1] << 16) |
			     ((size_t)trusted[off + 2] << 8) | trusted[off + 3];
		X509 *x;
		int ok;

		off += 4;
		if (len > trustedlen - off)
			goto done;
		x = der_x509(trusted + off, len, &trailing);
		off += len;
		if (x == NULL) {
			ret = trailing ? OSSL_OCSP_TRAILING : OSSL_OCSP_BAD_CERT;
			goto done;
		}
		ok = X509_STORE_add_cert(st, x);
		X509_free(x);
		if (ok != 1)
			goto done;
		anchors++;
	}
	if (anchors == 0 && X509_STORE_add_cert(st, is) != 1)
		goto done;
	if (!sk_X509_push(certs, is))
		goto done;
	is = NULL; /* certs owns it */
	ret = OCSP_basic_verify(bs, certs, st, 0) == 1;
done:
	sk_X509_pop_free(certs, X509_free);
	X509_STORE_free(st);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	X509_free(is);
	return ocsp_end(ret, e);
}

void ossl_free(void *p)
{
	OPENSSL_free(p);
}
