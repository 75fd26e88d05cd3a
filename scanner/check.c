#include "scanner/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/coding.h>

#include "output/cellfmt.h"
#include "scanner/certfacts.h"
#include "scanner/config.h"
#include "scanner/conn.h"
#include "scanner/scan.h"

/* One probe at a time in check mode: plain globals are enough. */
static struct {
    bool tls_ok, auth_asked, auth_done, auth_ok;
    char reason[512];
} outcome;

static bool checking(const struct conn *c)
{
    return conn_config(c)->check;
}

/* Server text may hold anything: escape it before it reaches a terminal. */
static void print_escaped(const char *prefix, const char *p, size_t len)
{
    struct buf b = {0};
    escape_text(&b, p, len, 0);
    printf("%s%.*s\n", prefix, (int)b.len, b.data ? b.data : "");
    buf_free(&b);
}

void check_sent(const struct conn *c, const char *shown)
{
    if (!checking(c)) return;
    print_escaped("C: ", shown, strlen(shown));
    fflush(stdout);
}

void check_received(const struct conn *c, const struct reply *r)
{
    if (!checking(c)) return;
    size_t off = 0, len;
    const char *line;
    while ((line = reply_next_line(r, &off, &len)) != NULL) print_escaped("S: ", line, len);
    fflush(stdout);
}

static void print_cert(int depth, const unsigned char *der, int len, int64_t now)
{
    struct cert_facts f;
    if (certfacts_from_der(der, (size_t)len, &f) != 0) {
        printf("   %d: (does not parse)\n", depth);
        return;
    }
    char nb[32], na[32];
    iso8601_utc(f.not_before, nb);
    iso8601_utc(f.not_after, na);
    print_escaped(depth ? "      subject: " : "      subject: ", f.subject.p, f.subject.len);
    print_escaped("      issuer:  ", f.issuer.p, f.issuer.len);
    if (f.san.len) print_escaped("      names:   ", f.san.p, f.san.len);
    int64_t left = f.not_after - now;
    printf("      valid:   %s to %s (%lld days left)\n      key:     %s, %s\n", nb, na,
           (long long)(left >= 0 ? left / 86400 : -((-left + 86399) / 86400)), f.key, f.sig_alg);
    cert_facts_free(&f);
}

void check_tls(const struct conn *c)
{
    if (!checking(c)) return;
    const struct probe_result *r = &c->result;
    printf("-- TLS: %s, %s, key exchange %s, handshake %lld ms\n", r->tls_version, r->cipher,
           r->kex_group[0] ? r->kex_group : "?", (long long)r->tls_ms);
    WOLFSSL_X509_CHAIN *chain = c->tls.ssl ? wolfSSL_get_peer_chain(c->tls.ssl) : NULL;
    int n = chain ? wolfSSL_get_chain_count(chain) : 0;
    printf("-- certificate chain as sent (%d):\n", n);
    for (int i = 0; i < n; i++) {
        printf("   %d:\n", i);
        print_cert(i, wolfSSL_get_chain_cert(chain, i), wolfSSL_get_chain_length(chain, i),
                   r->scanned_at);
    }
    if (r->chain_valid == TRI_YES)
        printf("-- chain: valid\n");
    else
        print_escaped("-- chain: NOT valid: ", r->chain_error.p ? r->chain_error.p : "",
                      r->chain_error.len);
    if (c->sni[0])
        printf("-- name: the certificate %s %s\n",
               r->hostname_match == TRI_YES ? "matches" : "does NOT match", c->sni);
    fflush(stdout);
}

int check_base64(const char *in, size_t len, char *out, size_t outlen)
{
    word32 n = (word32)outlen - 1;
    if (Base64_Encode_NoNl((const byte *)in, (word32)len, (byte *)out, &n) != 0) return -1;
    out[n] = '\0';
    return 0;
}

void check_auth_result(struct conn *c, bool ok, const struct reply *r)
{
    outcome.auth_done = true;
    outcome.auth_ok = ok;
    size_t len;
    const char *last = reply_last_line(r, &len); /* the answer, not untagged chatter */
    struct buf b = {0};
    escape_text(&b, last, len, 0);
    snprintf(outcome.reason, sizeof outcome.reason, "%.*s", (int)b.len, b.data ? b.data : "");
    buf_free(&b);
    (void)c;
}

void check_finished(const struct conn *c)
{
    if (!checking(c)) return;
    const struct probe_result *r = &c->result;
    outcome.tls_ok = r->status == ST_OK;
    if (r->auth_mechs_plain.len) print_escaped("-- AUTH offered before TLS: ", r->auth_mechs_plain.p, r->auth_mechs_plain.len);
    if (r->auth_mechs.len) print_escaped("-- AUTH offered inside TLS: ", r->auth_mechs.p, r->auth_mechs.len);
    if (!outcome.tls_ok) {
        char why[400];
        snprintf(why, sizeof why, "%s: %s", status_name(r->status), r->error.p ? r->error.p : "");
        snprintf(outcome.reason, sizeof outcome.reason, "%s", why);
    }
    fflush(stdout);
}

int check_exit_status(void)
{
    if (!outcome.tls_ok) {
        printf("FAILED: no TLS (%s)%s\n", outcome.reason,
               outcome.auth_asked ? "; AUTH was not attempted without TLS" : "");
        return 1;
    }
    if (outcome.auth_asked && !outcome.auth_done) {
        printf("FAILED: TLS ok, but AUTH did not complete\n");
        return 1;
    }
    if (outcome.auth_asked) {
        printf("%s: TLS ok, AUTH %s (%s)\n", outcome.auth_ok ? "OK" : "FAILED",
               outcome.auth_ok ? "accepted" : "refused", outcome.reason);
        return outcome.auth_ok ? 0 : 1;
    }
    printf("OK: TLS ok\n");
    return 0;
}

/* The password never comes from the command line: the environment, or a
 * prompt on the terminal without echo. */
static char *read_password(const char *user)
{
    const char *env = getenv("STARTTLS_SCAN_PASSWORD");
    if (env) return strdup(env);
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty || !isatty(fileno(tty))) {
        if (tty) fclose(tty);
        fprintf(stderr, "starttls-scan check: set STARTTLS_SCAN_PASSWORD (no terminal to ask on)\n");
        return NULL;
    }
    struct termios old, quiet;
    tcgetattr(fileno(tty), &old);
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    fprintf(tty, "Password for %s: ", user);
    fflush(tty);
    tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    char line[512];
    char *got = fgets(line, sizeof line, tty);
    tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fprintf(tty, "\n");
    fclose(tty);
    if (!got) return NULL;
    line[strcspn(line, "\r\n")] = '\0';
    return strdup(line);
}

int check_main(int argc, char **argv)
{
    struct config cfg;
    int rc = config_parse(&cfg, argc, argv, true);
    if (rc != 0) {
        config_free(&cfg);
        return rc == 1 ? 0 : rc;
    }
    if (cfg.auth_user) {
        outcome.auth_asked = true;
        cfg.password = read_password(cfg.auth_user);
        if (!cfg.password) {
            config_free(&cfg);
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("-- %s %s, port %d\n", cfg.dialog->name, cfg.check_target, cfg.port);
    int status = scan_run(&cfg, NULL, NULL);
    if (status == 0) status = check_exit_status();
    config_free(&cfg);
    return status;
}
