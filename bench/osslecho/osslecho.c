/*
 * osslecho: the OpenSSL-native reference peer for bench/tlsbench.
 *
 * A small single-threaded TLS echo server on libssl (OpenSSL 3 API only):
 * nonblocking sockets, one level-triggered epoll loop, every byte read is
 * written back. It is configured like the other two benchmark servers:
 *
 *   security level 1, TLS 1.2..1.3, groups prime256v1 only,
 *   SSL_MODE_RELEASE_BUFFERS (plus read-ahead), no session tickets and no
 *   session cache (every handshake is a full one), TCP_NODELAY on accepted
 *   sockets.
 *
 * Usage: osslecho --listen HOST:PORT --key KEY.pem --cert CERT.pem [--tickets N]
 *                 [--node-tickets]
 * (--tickets N, default 0: send N session tickets after each handshake.
 * --node-tickets: seal tickets as Node does, with a ticket-key callback,
 * 48 bytes of key, AES-128-CBC and HMAC-SHA256, and do not renew a ticket
 * that resumed a session, so a resumed TLS 1.3 handshake gets no new
 * tickets. Without it OpenSSL uses its own keys and sends one new ticket
 * after each resumption.)
 * Prints exactly one stdout line "listening on HOST:PORT" (actual port)
 * and flushes it. SIGTERM/SIGINT exit cleanly (status 0).
 *
 * Build:
 *   gcc -Wall -Werror -O2 -DOPENSSL_API_COMPAT=30000 -DOPENSSL_NO_DEPRECATED \
 *       -o osslecho osslecho.c $(pkg-config --cflags --libs libssl libcrypto)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#define READ_CHUNK 16384 /* one maximal TLS record of plaintext */
#define BUDGET 16        /* read/write steps per wakeup before yielding */
#define MAX_EVENTS 256

enum state { ST_HANDSHAKE, ST_ECHO, ST_SHUTDOWN };
enum want { W_READ, W_WRITE, W_MORE, W_CLOSE };

struct conn {
    int fd;
    SSL *ssl;
    enum state state;
    uint32_t events;      /* current epoll interest */
    int peer_closed;      /* close_notify received */
    int queued;           /* on the ready list */
    unsigned char *pend;  /* bytes read but not yet written back */
    size_t pend_off, pend_len;
};

static const char *prog = "osslecho";
static struct conn **conns; /* indexed by fd */
static int nconns_max;
static int *ready;          /* fds with work left over (budget exhausted) */
static int nready;
static int epfd = -1;
static unsigned char rbuf[READ_CHUNK];

static void die(const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", prog, what, errno ? strerror(errno) : "error");
    ERR_print_errors_fp(stderr);
    exit(1);
}

static void die_ssl(const char *what)
{
    fprintf(stderr, "%s: %s\n", prog, what);
    ERR_print_errors_fp(stderr);
    exit(1);
}

static void usage(void)
{
    fprintf(stderr, "usage: %s --listen HOST:PORT --key KEY.pem --cert CERT.pem [--tickets N] [--node-tickets]\n", prog);
    exit(2);
}

/* argument "--name VALUE" or "--name=VALUE" */
static int flag(int argc, char **argv, int *i, const char *name, const char **out)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return 0;
    if (argv[*i][n] == '=') {
        *out = argv[*i] + n + 1;
        return 1;
    }
    if (argv[*i][n] != '\0')
        return 0;
    if (*i + 1 >= argc)
        usage();
    *out = argv[++*i];
    return 1;
}

static void set_interest(struct conn *c, uint32_t ev)
{
    if (c->events == ev)
        return;
    struct epoll_event e = { .events = ev, .data.fd = c->fd };
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &e) < 0)
        die("epoll_ctl(MOD)");
    c->events = ev;
}

static void conn_close(struct conn *c)
{
    /* closing the fd removes it from the epoll set */
    conns[c->fd] = NULL;
    SSL_free(c->ssl);
    close(c->fd);
    free(c->pend);
    free(c);
    ERR_clear_error();
}

/* Keep the unwritten tail of rbuf so SSL_write can be retried later
 * (SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER allows the new address). */
static int stash(struct conn *c, const unsigned char *p, size_t n)
{
    c->pend = malloc(n);
    if (c->pend == NULL)
        return 0;
    memcpy(c->pend, p, n);
    c->pend_off = 0;
    c->pend_len = n;
    return 1;
}

static enum want ssl_want(SSL *ssl, int ret)
{
    switch (SSL_get_error(ssl, ret)) {
    case SSL_ERROR_WANT_READ:
        return W_READ;
    case SSL_ERROR_WANT_WRITE:
        return W_WRITE;
    default:
        return W_CLOSE;
    }
}

/* Advance one connection as far as it goes without blocking. */
static enum want drive(struct conn *c)
{
    int r;
    size_t n, w;

    if (c->state == ST_HANDSHAKE) {
        r = SSL_accept(c->ssl);
        if (r != 1)
            return ssl_want(c->ssl, r);
        c->state = ST_ECHO;
    }

    if (c->state == ST_ECHO) {
        for (int step = 0; step < BUDGET; step++) {
            if (c->pend_len > 0) {
                /* retry with the same bytes (possibly a new address) */
                r = SSL_write_ex(c->ssl, c->pend + c->pend_off, c->pend_len, &w);
                if (!r)
                    return ssl_want(c->ssl, r);
                c->pend_off += w;
                c->pend_len -= w;
                if (c->pend_len == 0) {
                    free(c->pend);
                    c->pend = NULL;
                    c->pend_off = 0;
                }
                continue;
            }
            if (c->peer_closed) {
                c->state = ST_SHUTDOWN;
                break;
            }
            r = SSL_read_ex(c->ssl, rbuf, sizeof rbuf, &n);
            if (!r) {
                if (SSL_get_error(c->ssl, r) == SSL_ERROR_ZERO_RETURN) {
                    c->peer_closed = 1; /* close_notify: flush, then answer it */
                    continue;
                }
                return ssl_want(c->ssl, r); /* EOF without close_notify: close */
            }
            r = SSL_write_ex(c->ssl, rbuf, n, &w);
            if (!r) {
                enum want wt = ssl_want(c->ssl, r);
                if (wt == W_CLOSE || !stash(c, rbuf, n))
                    return W_CLOSE;
                return wt;
            }
            if (w < n && !stash(c, rbuf + w, n - w)) /* partial write mode */
                return W_CLOSE;
        }
        if (c->state == ST_ECHO)
            return W_MORE;
    }

    /* ST_SHUTDOWN: the peer's close_notify was received; send ours. */
    r = SSL_shutdown(c->ssl);
    if (r < 0 && SSL_get_error(c->ssl, r) == SSL_ERROR_WANT_WRITE)
        return W_WRITE;
    return W_CLOSE;
}

/* Drive a connection and update its epoll interest or close it. */
static void service(struct conn *c, uint32_t revents)
{
    enum want w = drive(c);
    if (w != W_CLOSE && (revents & (EPOLLERR | EPOLLHUP)) && w != W_MORE)
        w = W_CLOSE; /* a dead socket that still wants I/O would spin */
    switch (w) {
    case W_READ:
        set_interest(c, EPOLLIN);
        break;
    case W_WRITE:
        set_interest(c, EPOLLOUT);
        break;
    case W_MORE:
        set_interest(c, EPOLLIN);
        if (!c->queued) {
            c->queued = 1;
            ready[nready++] = c->fd;
        }
        break;
    case W_CLOSE:
        conn_close(c);
        break;
    }
}

static void accept_all(int lfd, SSL_CTX *ctx)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                fprintf(stderr, "%s: accept: %s\n", prog, strerror(errno));
                return;
            }
            die("accept4");
        }
        if (fd >= nconns_max) {
            fprintf(stderr, "%s: fd %d beyond table\n", prog, fd);
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = calloc(1, sizeof *c);
        SSL *ssl = c ? SSL_new(ctx) : NULL;
        if (ssl == NULL || !SSL_set_fd(ssl, fd)) {
            fprintf(stderr, "%s: out of memory for a connection\n", prog);
            SSL_free(ssl);
            free(c);
            close(fd);
            ERR_clear_error();
            continue;
        }
        SSL_set_accept_state(ssl);
        c->fd = fd;
        c->ssl = ssl;
        c->state = ST_HANDSHAKE;
        c->events = EPOLLIN;
        struct epoll_event e = { .events = EPOLLIN, .data.fd = fd };
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e) < 0)
            die("epoll_ctl(ADD)");
        conns[fd] = c;
        service(c, 0); /* the ClientHello is usually already there */
    }
}

static int listen_on(const char *hostport, char *shown, size_t shownlen)
{
    char host[256];
    const char *colon = strrchr(hostport, ':');
    if (colon == NULL || (size_t)(colon - hostport) >= sizeof host)
        usage();
    size_t hl = (size_t)(colon - hostport);
    memcpy(host, hostport, hl);
    host[hl] = '\0';
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') { /* [::1]:port */
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = '\0';
    }

    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
    struct addrinfo *res;
    int gai = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res);
    if (gai != 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, hostport, gai_strerror(gai));
        exit(1);
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, res->ai_addr, res->ai_addrlen) < 0)
        die("bind");
    freeaddrinfo(res);
    if (listen(fd, 4096) < 0)
        die("listen");

    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
        die("getsockname");
    char ip[INET6_ADDRSTRLEN];
    if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
        snprintf(shown, shownlen, "[%s]:%u", ip, ntohs(a->sin6_port));
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
        snprintf(shown, shownlen, "%s:%u", ip, ntohs(a->sin_port));
    }
    return fd;
}

/* --node-tickets: one 48-byte key (name, HMAC key, AES key), as Node keeps. */
static unsigned char ticket_key[48];

static int node_ticket_cb(SSL *ssl, unsigned char name[16], unsigned char iv[16],
                          EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
    OSSL_PARAM params[3];

    (void)ssl;
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, ticket_key + 16, 16);
    params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
    params[2] = OSSL_PARAM_construct_end();
    if (enc) {
        memcpy(name, ticket_key, 16);
        if (RAND_bytes(iv, 16) != 1 ||
            EVP_EncryptInit_ex(cctx, EVP_aes_128_cbc(), NULL, ticket_key + 32, iv) != 1 ||
            EVP_MAC_CTX_set_params(hctx, params) != 1)
            return -1;
        return 1;
    }
    if (memcmp(name, ticket_key, 16) != 0)
        return 0; /* unknown key: a full handshake */
    if (EVP_MAC_CTX_set_params(hctx, params) != 1 ||
        EVP_DecryptInit_ex(cctx, EVP_aes_128_cbc(), NULL, ticket_key + 32, iv) != 1)
        return -1;
    return 1; /* good, and not renewed */
}

static SSL_CTX *make_ctx(const char *key, const char *cert, int tickets, int node_tickets)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL)
        die_ssl("SSL_CTX_new");
    SSL_CTX_set_security_level(ctx, 1);
    if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
        !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION))
        die_ssl("protocol versions");
    if (!SSL_CTX_set1_groups_list(ctx, "prime256v1"))
        die_ssl("groups prime256v1");
    /* By default every handshake is a full one: no tickets (1.2 or 1.3) and
     * no session cache. --tickets N issues N stateless TLS 1.3 tickets (and
     * TLS 1.2 tickets), to match a server that cannot turn them off. */
    if (tickets == 0)
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    if (!SSL_CTX_set_num_tickets(ctx, (size_t)tickets))
        die_ssl("SSL_CTX_set_num_tickets");
    if (node_tickets) {
        if (RAND_bytes(ticket_key, sizeof ticket_key) != 1)
            die_ssl("RAND_bytes");
        if (SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, node_ticket_cb) != 1)
            die_ssl("SSL_CTX_set_tlsext_ticket_key_evp_cb");
    }
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                              SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    /* One read(2) per record instead of header + body (about 7% more bulk
     * throughput here); the buffer is still released when it runs empty. */
    SSL_CTX_set_read_ahead(ctx, 1);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
        die_ssl("loading --cert");
    if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
        die_ssl("loading --key");
    if (SSL_CTX_check_private_key(ctx) != 1)
        die_ssl("--key does not match --cert");
    return ctx;
}

int main(int argc, char **argv)
{
    const char *listen_addr = NULL, *key = NULL, *cert = NULL, *tickets_arg = "0";
    int node_tickets = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--node-tickets") == 0) {
            node_tickets = 1;
            continue;
        }
        if (flag(argc, argv, &i, "--listen", &listen_addr) ||
            flag(argc, argv, &i, "--key", &key) || flag(argc, argv, &i, "--cert", &cert) ||
            flag(argc, argv, &i, "--tickets", &tickets_arg))
            continue;
        usage();
    }
    if (listen_addr == NULL || key == NULL || cert == NULL)
        usage();
    char *end;
    long tickets = strtol(tickets_arg, &end, 10);
    if (*tickets_arg == '\0' || *end != '\0' || tickets < 0 || tickets > 16)
        usage();

    struct sigaction sa = { .sa_handler = SIG_IGN };
    sigaction(SIGPIPE, &sa, NULL);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
        die("sigprocmask");
    int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sfd < 0)
        die("signalfd");

    /* room for many idle connections */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        die("getrlimit");
    nconns_max = rl.rlim_cur > 1048576 ? 1048576 : (int)rl.rlim_cur;
    conns = calloc((size_t)nconns_max, sizeof *conns);
    ready = calloc((size_t)nconns_max, sizeof *ready);
    if (conns == NULL || ready == NULL)
        die("calloc");

    SSL_CTX *ctx = make_ctx(key, cert, (int)tickets, node_tickets);

    char shown[INET6_ADDRSTRLEN + 16];
    int lfd = listen_on(listen_addr, shown, sizeof shown);

    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        die("epoll_create1");
    struct epoll_event e = { .events = EPOLLIN, .data.fd = lfd };
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &e) < 0)
        die("epoll_ctl(listener)");
    e.data.fd = sfd;
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &e) < 0)
        die("epoll_ctl(signalfd)");

    printf("listening on %s\n", shown);
    fflush(stdout);

    struct epoll_event evs[MAX_EVENTS];
    int *again = calloc((size_t)nconns_max, sizeof *again);
    if (again == NULL)
        die("calloc");
    for (;;) {
        int n = epoll_wait(epfd, evs, MAX_EVENTS, nready > 0 ? 0 : -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == sfd)
                goto out;
            if (fd == lfd) {
                accept_all(lfd, ctx);
                continue;
            }
            struct conn *c = conns[fd];
            if (c != NULL && !c->queued)
                service(c, evs[i].events);
        }
        /* connections that used up their budget get another turn */
        int m = nready;
        memcpy(again, ready, (size_t)m * sizeof *again);
        nready = 0;
        for (int i = 0; i < m; i++) {
            struct conn *c = conns[again[i]];
            if (c == NULL)
                continue; /* closed meanwhile; its fd may not be reused yet */
            c->queued = 0;
            service(c, 0);
        }
    }
out:
    for (int fd = 0; fd < nconns_max; fd++)
        if (conns[fd] != NULL)
            conn_close(conns[fd]);
    close(lfd);
    close(epfd);
    close(sfd);
    SSL_CTX_free(ctx);
    free(again);
    free(ready);
    free(conns);
    return 0;
}
