/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A dialog and the connection engine against a scripted peer on a loopback
 * listener (no root, no namespace): the real conn, reply reader and dialog
 * code, with the peer's replies split at every byte, refusals, injection,
 * silence. The loop must close clean after each. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "scanner/dialog/services.h"
#include "scanner/engine/conn.h"
#include "scanner/tls/tlslink.h"
#include "tests/unit/test.h"

/* The peer's script: send (S), expect a line from the client starting with
 * text (C), or close (X). A reply sent with split > 0 goes in two writes,
 * the first split bytes, a pause, then the rest. */
struct step {
    char kind;
    const char *text;
};

struct peer {
    int listen_fd;
    const struct step *steps;
    size_t split;
    int failed_step; /* -1: the client said what was expected */
};

static void peer_send(int fd, const char *text, size_t split)
{
    size_t n = strlen(text);
    if (split > 0 && split < n) {
        if (write(fd, text, split) < 0) return;
        usleep(3000); /* two reads on the client's side */
        text += split;
        n -= split;
    }
    if (write(fd, text, n) < 0) return;
}

/* One line from the client, without CRLF; 0, or -1 at the end. */
static int peer_line(int fd, char *line, size_t cap)
{
    size_t n = 0;
    char ch;
    while (read(fd, &ch, 1) == 1) {
        if (ch == '\n') {
            if (n && line[n - 1] == '\r') n--;
            line[n] = '\0';
            return 0;
        }
        if (n + 1 < cap) line[n++] = ch;
    }
    return -1;
}

static void *peer_main(void *arg)
{
    struct peer *p = arg;
    int fd = accept(p->listen_fd, NULL, NULL);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char line[512];
    for (int i = 0; fd >= 0 && p->steps[i].kind; i++) {
        const struct step *s = &p->steps[i];
        if (s->kind == 'S') peer_send(fd, s->text, p->split);
        if (s->kind == 'C' && (peer_line(fd, line, sizeof line) != 0 ||
                               strncmp(line, s->text, strlen(s->text)) != 0)) {
            p->failed_step = i;
            break;
        }
        if (s->kind == 'X') break;
        if (s->kind == 'W') usleep(400 * 1000); /* silence */
    }
    if (fd >= 0) {
        usleep(20000);
        close(fd);
    }
    return NULL;
}

struct outcome {
    struct probe_result result;
    bool finished, closed;
};

static void on_finished(void *arg, struct conn *c)
{
    struct outcome *o = arg;
    o->result = c->result;
    probe_result_init(&c->result);
    o->finished = true;
}

static void on_closed(void *arg, struct conn *c)
{
    (void)c;
    ((struct outcome *)arg)->closed = true;
}

static bool admit(void *arg, struct conn *c)
{
    (void)arg;
    (void)c;
    return true;
}

static void done(void *arg, struct conn *c)
{
    (void)arg;
    (void)c;
}

static const struct conn_owner owner = {on_finished, on_closed};

/* Runs one connection of service against the script; the result in *o. */
static void run(const char *service, const struct step *steps, size_t split, struct outcome *o)
{
    static char readbuf[65536];
    char err[256], ca[512];
    snprintf(ca, sizeof ca, "%s/ca.pem", STS_TEST_DATA);
    WOLFSSL_CTX *tls = tls_client_ctx_new(ca, err, sizeof err);
    if (!tls) FAIL_AT("%s", err);
    struct peer p = {socket(AF_INET, SOCK_STREAM, 0), steps, split, -1};
    struct sockaddr_in sin = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
    socklen_t slen = sizeof sin;
    ASSERT(bind(p.listen_fd, (struct sockaddr *)&sin, sizeof sin) == 0);
    ASSERT(listen(p.listen_fd, 1) == 0);
    ASSERT(getsockname(p.listen_fd, (struct sockaddr *)&sin, &slen) == 0);
    pthread_t t;
    ASSERT(pthread_create(&t, NULL, peer_main, &p) == 0);
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct dialog_params dp = {"client.test.example", 200, 300, NULL, NULL, NULL};
    struct conn_params cp = {.loop = &loop, .readbuf = readbuf, .readbuf_len = sizeof readbuf,
                             .tls = tls, .service = service_find(service), .dialog = &dp,
                             .timeout_ms = 3000, .connect_ms = 1000, .handshake_ms = 1000,
                             .tls_admit = admit, .tls_done = done};
    memset(o, 0, sizeof *o);
    struct conn *c = conn_new(&cp, &owner, o, (struct sockaddr *)&sin, ntohs(sin.sin_port), "mx.test.example");
    ASSERT(c != NULL);
    conn_start(c);
    uv_run(&loop, UV_RUN_DEFAULT);
    ASSERT(o->finished && o->closed);
    ASSERT_EQ(uv_loop_close(&loop), 0); /* every handle closed */
    pthread_join(t, NULL);
    close(p.listen_fd);
    tls_client_ctx_free(tls);
    if (p.failed_step >= 0) FAIL_AT("the client did not send '%s' (split %zu)", steps[p.failed_step].text, split);
}

static void expect(struct outcome *o, enum scan_status st, enum tri starttls, const char *error_part)
{
    if (o->result.status != st)
        FAIL_AT("status %s, expected %s (%s)", status_name(o->result.status), status_name(st),
                o->result.error.p ? o->result.error.p : "");
    ASSERT_EQ(o->result.starttls, starttls);
    if (error_part && (!o->result.error.p || !strstr(o->result.error.p, error_part)))
        FAIL_AT("error '%s' lacks '%s'", o->result.error.p ? o->result.error.p : "", error_part);
}

TEST_IMPL(conn_smtp_replies_at_every_split)
{
    static const struct step steps[] = {
        {'S', "220-mx.test.example first\r\n220 ESMTP ready\r\n"}, {'C', "EHLO client.test.example"},
        {'S', "250-mx\r\n250-starttls\r\n250 8BITMIME\r\n"},          {'C', "STARTTLS"},
        {'S', "454 4.7.0 TLS not available\r\n"},                     {'C', "QUIT"},
        {'S', "221 bye\r\n"},                                         {0, NULL}};
    for (size_t split = 0; split < 42; split++) {
        struct outcome o;
        run("smtp", steps, split, &o);
        expect(&o, ST_STARTTLS_REFUSED, TRI_YES, "STARTTLS: 454 4.7.0 TLS not available");
        ASSERT_STR_EQ(o.result.banner.p, "220-mx.test.example first | 220 ESMTP ready");
        probe_result_free(&o.result);
    }
}

TEST_IMPL(conn_smtp_refusals_and_injection)
{
    static const struct step not_offered[] = {
        {'S', "220 mx\r\n"}, {'C', "EHLO"}, {'S', "250 mx\r\n"}, {'C', "STARTTLS"},
        {'S', "502 5.5.1 no\r\n"}, {'C', "QUIT"}, {'S', "221 bye\r\n"}, {0, NULL}};
    static const struct step greylisted[] = {{'S', "421 4.7.0 try again later\r\n"}, {'C', "QUIT"}, {0, NULL}};
    static const struct step injected[] = {
        {'S', "220 mx\r\n"}, {'C', "EHLO"}, {'S', "250-mx\r\n250 STARTTLS\r\n"}, {'C', "STARTTLS"},
        {'S', "220 go ahead\r\n250-INJECTED\r\n"}, {0, NULL}};
    static const struct step silent[] = {{'W', NULL}, {0, NULL}};
    static const struct step hangup[] = {{'S', "220 mx\r\n"}, {'C', "EHLO"}, {'X', NULL}, {0, NULL}};
    struct outcome o;
    run("smtp", not_offered, 0, &o);
    expect(&o, ST_NO_STARTTLS, TRI_NO, "tried anyway: 502 5.5.1 no");
    probe_result_free(&o.result);
    run("smtp", greylisted, 0, &o);
    expect(&o, ST_SERVER_REFUSED, TRI_UNKNOWN, "greeting: 421");
    ASSERT(o.result.transient);
    probe_result_free(&o.result);
    run("smtp", injected, 0, &o);
    expect(&o, ST_PROTOCOL_ERROR, TRI_YES, "response injection");
    probe_result_free(&o.result);
    run("smtp", silent, 0, &o);
    expect(&o, ST_TIMEOUT, TRI_UNKNOWN, "greeting: nothing for 0.2s");
    ASSERT(o.result.transient);
    probe_result_free(&o.result);
    run("smtp", hangup, 0, &o);
    expect(&o, ST_PROTOCOL_ERROR, TRI_UNKNOWN, "closed by the server during EHLO reply");
    probe_result_free(&o.result);
}

TEST_IMPL(conn_imap_pop3_ftp_dialogs)
{
    static const struct step imap[] = {
        {'S', "* OK [CAPABILITY IMAP4rev1] hi\r\n"}, {'C', "A1 CAPABILITY"},
        {'S', "* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN\r\nA1 OK done\r\n"}, {'C', "A2 STARTTLS"},
        {'S', "A2 NO not now\r\n"}, {'C', "A9 LOGOUT"}, {'S', "* BYE\r\nA9 OK\r\n"}, {0, NULL}};
    static const struct step pop3[] = {
        {'S', "+OK hi\r\n"}, {'C', "CAPA"}, {'S', "+OK\r\nUSER\r\nSASL PLAIN\r\nSTLS\r\n.\r\n"},
        {'C', "STLS"}, {'S', "-ERR not now\r\n"}, {'C', "QUIT"}, {'S', "+OK\r\n"}, {0, NULL}};
    static const struct step ftp[] = {
        {'S', "220-welcome\r\n  to the test\r\n220 ready\r\n"}, {'C', "FEAT"},
        {'S', "211-Features:\r\n MDTM\r\n211 End\r\n"}, {'C', "AUTH TLS"},
        {'S', "502 no\r\n"}, {'C', "QUIT"}, {'S', "221 bye\r\n"}, {0, NULL}};
    struct outcome o;
    for (size_t split = 0; split < 30; split += 3) {
        run("imap", imap, split, &o);
        expect(&o, ST_STARTTLS_REFUSED, TRI_YES, "STARTTLS: A2 NO not now");
        ASSERT_STR_EQ(o.result.auth_mechs_plain.p, "PLAIN");
        probe_result_free(&o.result);
        run("pop3", pop3, split, &o);
        expect(&o, ST_STARTTLS_REFUSED, TRI_YES, "STLS: -ERR not now");
        probe_result_free(&o.result);
        run("ftp", ftp, split, &o);
        expect(&o, ST_NO_STARTTLS, TRI_NO, "AUTH TLS not offered in the FEAT reply, and AUTH TLS refused");
        ASSERT_STR_EQ(o.result.banner.p, "220-welcome |   to the test | 220 ready");
        probe_result_free(&o.result);
    }
}

/* ManageSieve: the greeting is the capability list up to OK; a NO to
 * STARTTLS is a refusal. LMTP: LHLO, and no HELO after a 5xx. */
TEST_IMPL(conn_sieve_lmtp_dialogs)
{
    static const struct step sieve[] = {
        {'S', "\"IMPLEMENTATION\" \"Test Sieve\"\r\n\"SASL\" \"\"\r\n\"STARTTLS\"\r\nOK \"ready\"\r\n"},
        {'C', "STARTTLS"}, {'S', "NO \"not now\"\r\n"}, {'C', "LOGOUT"}, {'S', "OK \"bye\"\r\n"}, {0, NULL}};
    static const struct step sieve_bye[] = {{'S', "BYE \"too busy\"\r\n"}, {'C', "LOGOUT"}, {0, NULL}};
    static const struct step sieve_unadvertised[] = {
        {'S', "\"IMPLEMENTATION\" \"X\"\r\n\"SASL\" \"PLAIN\"\r\nOK\r\n"}, {'C', "STARTTLS"},
        {'S', "NO\r\n"}, {'C', "LOGOUT"}, {'S', "OK\r\n"}, {0, NULL}};
    static const struct step lmtp[] = {
        {'S', "220 lmtp ready\r\n"}, {'C', "LHLO client.test.example"}, {'S', "500 what\r\n"}, {'C', "QUIT"},
        {'S', "221 bye\r\n"}, {0, NULL}};
    struct outcome o;
    for (size_t split = 0; split < 30; split += 3) {
        run("sieve", sieve, split, &o);
        expect(&o, ST_STARTTLS_REFUSED, TRI_YES, "STARTTLS: NO \"not now\"");
        ASSERT_STR_EQ(o.result.banner.p, "Test Sieve");
        ASSERT(o.result.auth_mechs_plain.len == 0);
        probe_result_free(&o.result);
        run("sieve", sieve_bye, split, &o);
        expect(&o, ST_SERVER_REFUSED, TRI_UNKNOWN, "greeting: BYE \"too busy\"");
        probe_result_free(&o.result);
        run("sieve", sieve_unadvertised, split, &o);
        expect(&o, ST_NO_STARTTLS, TRI_NO, "STARTTLS not in the capabilities; tried anyway: NO");
        ASSERT_STR_EQ(o.result.auth_mechs_plain.p, "PLAIN");
        probe_result_free(&o.result);
        run("lmtp", lmtp, split, &o);
        expect(&o, ST_SERVER_REFUSED, TRI_UNKNOWN, "LHLO: 500 what");
        probe_result_free(&o.result);
    }
    /* A capability list that never ends: the reader's bounds stop it. */
    size_t n = 300 * 12 + 1;
    char *endless = malloc(n);
    ASSERT(endless != NULL);
    for (int i = 0; i < 300; i++) memcpy(endless + 12 * i, "\"X\" \"Y\"   \r\n", 12);
    endless[n - 1] = '\0';
    struct step flood[] = {{'S', endless}, {0, NULL}};
    run("sieve", flood, 0, &o);
    expect(&o, ST_PROTOCOL_ERROR, TRI_UNKNOWN, "too many lines in one reply during greeting");
    probe_result_free(&o.result);
    free(endless);
}
