/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench-limit: what one host costs at the least, in the two parts that no
 * scanner can avoid, with the wolfSSL this build links:
 *
 *   bench-limit crypto CERTDIR ROUNDS
 *       the client's cryptography of one TLS 1.3 handshake and its short
 *       session: one X25519 key pair and shared secret; the leaf and the
 *       intermediate parsed (their keys are needed); one CertificateVerify
 *       checked with the leaf's key (RSA-PSS-SHA256 for an RSA leaf,
 *       ECDSA-SHA256 for P-256); the transcript hash (SHA-384, the suite the
 *       servers choose) over the handshake's bytes; the key schedule (HKDF:
 *       3 extracts, 20 expands, 2 Finished MACs); the records (AES-256-GCM:
 *       the server's flight and replies decrypted, the client's few records
 *       encrypted). The chain's own signatures are left out: a scan checks
 *       each distinct chain once, not each host.
 *   bench-limit tcp CERTDIR ROUNDS
 *       the kernel's cost of one TCP connection on loopback that carries the
 *       scanner's dialog: connect, greeting, EHLO, STARTTLS, a ClientHello
 *       answered by a flight as long as the chain's, the client's Finished
 *       and EHLO answered, QUIT, close; blocking sockets, TCP_NODELAY, a
 *       server thread answering.
 *
 * Prints key=value, client thread CPU in µs per host, the median of 5
 * rounds of ROUNDS hosts each. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/curve25519.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/hmac.h>
#include <wolfssl/wolfcrypt/random.h>
#include <wolfssl/wolfcrypt/rsa.h>
#include <wolfssl/wolfcrypt/sha512.h>

#define ROUNDS 5

static double cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v)
{
    qsort(v, ROUNDS, sizeof *v, cmp_double);
    return v[ROUNDS / 2];
}

static void die(const char *what)
{
    fprintf(stderr, "bench-limit: %s\n", what);
    exit(1);
}

static char *slurp(const char *path, long *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) die(path);
    fseek(f, 0, SEEK_END);
    *len = ftell(f);
    rewind(f);
    char *p = malloc((size_t)*len + 1);
    if (!p || fread(p, 1, (size_t)*len, f) != (size_t)*len) die(path);
    p[*len] = '\0';
    fclose(f);
    return p;
}

/* The chain's certificates as DER (leaf first), and the leaf's key. */
struct chain {
    unsigned char der[2][8192];
    int len[2];
    unsigned char key[8192];
    int key_len;
    long pem_len;
};

static void load_chain(const char *dir, struct chain *c)
{
    char path[4096];
    long n;
    snprintf(path, sizeof path, "%s/chain-0.pem", dir);
    char *pem = slurp(path, &n);
    c->pem_len = n;
    char *at = pem;
    for (int i = 0; i < 2; i++) {
        char *end = strstr(at, "-----END CERTIFICATE-----");
        if (!end) die("chain-0.pem: two certificates expected");
        end += strlen("-----END CERTIFICATE-----");
        c->len[i] = wc_CertPemToDer((const unsigned char *)at, (int)(end - at), c->der[i],
                                    (int)sizeof c->der[i], CERT_TYPE);
        if (c->len[i] <= 0) die("chain-0.pem: not PEM");
        at = end;
    }
    free(pem);
    snprintf(path, sizeof path, "%s/key.pem", dir);
    pem = slurp(path, &n);
    c->key_len = wc_KeyPemToDer((const unsigned char *)pem, (int)n, c->key, (int)sizeof c->key, NULL);
    if (c->key_len <= 0) die("key.pem: not a PEM key");
    free(pem);
}

/* One CertificateVerify: a signature made once, checked `rounds` times. */
struct signer {
    int rsa;
    RsaKey r;
    ecc_key e;
    unsigned char sig[512], digest[32], out[512];
    word32 sig_len;
};

static void signer_init(struct signer *s, const struct chain *c, WC_RNG *rng)
{
    word32 idx = 0;
    memset(s->digest, 0x5a, sizeof s->digest);
    s->sig_len = sizeof s->sig;
    wc_InitRsaKey(&s->r, NULL);
    if (wc_RsaPrivateKeyDecode(c->key, &idx, &s->r, (word32)c->key_len) == 0) {
        s->rsa = 1;
        wc_RsaSetRNG(&s->r, rng);
        int n = wc_RsaPSS_Sign(s->digest, sizeof s->digest, s->sig, sizeof s->sig, WC_HASH_TYPE_SHA256,
                               WC_MGF1SHA256, &s->r, rng);
        if (n <= 0) die("RSA-PSS sign");
        s->sig_len = (word32)n;
        return;
    }
    idx = 0;
    wc_ecc_init(&s->e);
    if (wc_EccPrivateKeyDecode(c->key, &idx, &s->e, (word32)c->key_len) != 0) die("key.pem: RSA or P-256");
    if (wc_ecc_sign_hash(s->digest, sizeof s->digest, s->sig, &s->sig_len, rng, &s->e) != 0) die("ECDSA sign");
}

static void verify_once(struct signer *s)
{
    if (s->rsa) {
        if (wc_RsaPSS_VerifyCheck(s->sig, s->sig_len, s->out, sizeof s->out, s->digest, sizeof s->digest,
                                  WC_HASH_TYPE_SHA256, WC_MGF1SHA256, &s->r) <= 0)
            die("RSA-PSS verify");
    } else {
        int ok = 0;
        if (wc_ecc_verify_hash(s->sig, s->sig_len, s->digest, sizeof s->digest, &ok, &s->e) != 0 || !ok)
            die("ECDSA verify");
    }
}

static void parse_once(const struct chain *c)
{
    for (int i = 0; i < 2; i++) {
        DecodedCert dc;
        wc_InitDecodedCert(&dc, c->der[i], (word32)c->len[i], NULL);
        if (wc_ParseCert(&dc, CERT_TYPE, NO_VERIFY, NULL) != 0) die("parse");
        wc_FreeDecodedCert(&dc);
    }
}

static void x25519_once(WC_RNG *rng, curve25519_key *peer)
{
    curve25519_key k;
    unsigned char secret[32];
    word32 len = sizeof secret;
    wc_curve25519_init(&k);
    if (wc_curve25519_make_key(rng, 32, &k) != 0) die("X25519 key");
    if (wc_curve25519_shared_secret(&k, peer, secret, &len) != 0) die("X25519 secret");
    wc_curve25519_free(&k);
}

/* The transcript (SHA-384 over the handshake's bytes, with the snapshots the
 * key schedule takes) and the key schedule itself. */
static void schedule_once(const unsigned char *transcript, size_t len)
{
    wc_Sha384 h, snap;
    unsigned char hash[48], prk[48], okm[48], mac[48], salt[48] = {0};
    wc_InitSha384(&h);
    size_t parts[4] = {len / 4, len / 2, (3 * len) / 4, len}, done = 0;
    for (int i = 0; i < 4; i++) {
        wc_Sha384Update(&h, transcript + done, (word32)(parts[i] - done));
        done = parts[i];
        wc_Sha384Copy(&h, &snap);
        wc_Sha384Final(&snap, hash);
    }
    for (int i = 0; i < 3; i++) wc_HKDF_Extract(WC_SHA384, salt, 48, hash, 48, prk);
    for (int i = 0; i < 20; i++) wc_HKDF_Expand(WC_SHA384, prk, 48, hash, 48, okm, 48);
    for (int i = 0; i < 2; i++) {
        Hmac hm;
        wc_HmacInit(&hm, NULL, INVALID_DEVID);
        wc_HmacSetKey(&hm, WC_SHA384, okm, 48);
        wc_HmacUpdate(&hm, hash, 48);
        wc_HmacFinal(&hm, mac);
        wc_HmacFree(&hm);
    }
    wc_Sha384Free(&h);
}

/* The records: four traffic keys; the server's flight and two replies
 * decrypted, three client records encrypted. */
static void records_once(unsigned char *buf, size_t flight)
{
    static const unsigned char key[32] = {1}, iv[12] = {2};
    unsigned char tag[16];
    Aes aes;
    const size_t sizes[] = {flight, 250, 60, 60, 30, 40};
    wc_AesInit(&aes, NULL, INVALID_DEVID);
    for (int k = 0; k < 4; k++) wc_AesGcmSetKey(&aes, key, sizeof key);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        wc_AesGcmEncrypt(&aes, buf, buf, (word32)sizes[i], iv, sizeof iv, tag, sizeof tag, NULL, 0);
    wc_AesFree(&aes);
}

static int crypto(const char *dir, int n)
{
    struct chain *c = calloc(1, sizeof *c);
    struct signer *s = calloc(1, sizeof *s);
    WC_RNG rng;
    curve25519_key peer;
    if (!c || !s || wc_InitRng(&rng) != 0) die("set-up");
    load_chain(dir, c);
    signer_init(s, c, &rng);
    wc_curve25519_init(&peer);
    wc_curve25519_make_key(&rng, 32, &peer);
    size_t flight = (size_t)(c->len[0] + c->len[1]) + 600; /* EE, the chain, CV, Finished */
    size_t transcript_len = flight + 500;                   /* the hellos */
    unsigned char *buf = calloc(1, transcript_len + 64);
    double t[6][ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = cpu_us();
        for (int i = 0; i < n; i++) x25519_once(&rng, &peer);
        double t1 = cpu_us();
        for (int i = 0; i < n; i++) parse_once(c);
        double t2 = cpu_us();
        for (int i = 0; i < n; i++) verify_once(s);
        double t3 = cpu_us();
        for (int i = 0; i < n; i++) schedule_once(buf, transcript_len);
        double t4 = cpu_us();
        for (int i = 0; i < n; i++) records_once(buf, flight);
        double t5 = cpu_us();
        t[0][r] = (t1 - t0) / n;
        t[1][r] = (t2 - t1) / n;
        t[2][r] = (t3 - t2) / n;
        t[3][r] = (t4 - t3) / n;
        t[4][r] = (t5 - t4) / n;
        t[5][r] = (t5 - t0) / n;
    }
    printf("x25519_us=%.1f parse_us=%.1f verify_us=%.1f schedule_us=%.1f records_us=%.1f crypto_us=%.1f\n",
           median(t[0]), median(t[1]), median(t[2]), median(t[3]), median(t[4]), median(t[5]));
    free(buf);
    free(c);
    free(s);
    wc_FreeRng(&rng);
    return 0;
}

/* The TCP part. Each side reads exactly what the other writes. */
struct dialog {
    size_t greeting, ehlo, ehlo_reply, starttls, starttls_reply, hello, flight, finished, reply, quit, bye;
};

static void full_read(int fd, char *buf, size_t n)
{
    while (n > 0) {
        ssize_t got = read(fd, buf, n);
        if (got <= 0) die("read");
        n -= (size_t)got;
    }
}

static void full_write(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t put = write(fd, buf, n);
        if (put <= 0) die("write");
        buf += put;
        n -= (size_t)put;
    }
}

static struct dialog dlg;
static char scratch[65536];
static int listen_fd;

static void *serve(void *arg)
{
    long n = (long)arg;
    for (long i = 0; i < n; i++) {
        int fd = accept(listen_fd, NULL, NULL);
        if (fd < 0) die("accept");
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        char *buf = malloc(65536);
        full_write(fd, scratch, dlg.greeting);
        full_read(fd, buf, dlg.ehlo);
        full_write(fd, scratch, dlg.ehlo_reply);
        full_read(fd, buf, dlg.starttls);
        full_write(fd, scratch, dlg.starttls_reply);
        full_read(fd, buf, dlg.hello);
        full_write(fd, scratch, dlg.flight);
        full_read(fd, buf, dlg.finished);
        full_write(fd, scratch, dlg.reply);
        full_read(fd, buf, dlg.quit);
        full_write(fd, scratch, dlg.bye);
        close(fd);
        free(buf);
    }
    return NULL;
}

static int tcp(const char *dir, int n)
{
    struct chain *c = calloc(1, sizeof *c);
    if (!c) die("memory");
    load_chain(dir, c);
    dlg = (struct dialog){32, 24, 100, 10, 30, 320, (size_t)(c->len[0] + c->len[1]) + 700, 120, 260, 30, 50};
    free(c);
    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sin;
    if (bind(listen_fd, (struct sockaddr *)&sin, sizeof sin) != 0 || listen(listen_fd, 128) != 0 ||
        getsockname(listen_fd, (struct sockaddr *)&sin, &sl) != 0)
        die("listen");
    pthread_t th;
    pthread_create(&th, NULL, serve, (void *)(long)(n * ROUNDS));
    char *buf = malloc(65536);
    double t[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = cpu_us();
        for (int i = 0; i < n; i++) {
            int fd = socket(AF_INET, SOCK_STREAM, 0);
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            if (connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) die("connect");
            full_read(fd, buf, dlg.greeting);
            full_write(fd, scratch, dlg.ehlo);
            full_read(fd, buf, dlg.ehlo_reply);
            full_write(fd, scratch, dlg.starttls);
            full_read(fd, buf, dlg.starttls_reply);
            full_write(fd, scratch, dlg.hello);
            full_read(fd, buf, dlg.flight);
            full_write(fd, scratch, dlg.finished);
            full_read(fd, buf, dlg.reply);
            full_write(fd, scratch, dlg.quit);
            full_read(fd, buf, dlg.bye);
            close(fd);
        }
        t[r] = (cpu_us() - t0) / n;
    }
    pthread_join(th, NULL);
    close(listen_fd);
    free(buf);
    printf("tcp_us=%.1f\n", median(t));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench-limit crypto|tcp CERTDIR ROUNDS\n");
        return 2;
    }
    int n = atoi(argv[3]);
    if (n < 1) n = 1;
    wolfCrypt_Init();
    int rc = strcmp(argv[1], "crypto") == 0 ? crypto(argv[2], n) : strcmp(argv[1], "tcp") == 0 ? tcp(argv[2], n) : 2;
    wolfCrypt_Cleanup();
    return rc;
}
