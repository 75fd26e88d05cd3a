/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/tls/cipherenum.h"
#include "scanner/tls/hello.h"
#include "scanner/tls/suites.h"
#include "tests/unit/test.h"

TEST_IMPL(suites_lists_and_names)
{
    uint16_t list[SUITES_MAX];
    size_t n13 = suites_offered(1, list, SUITES_MAX);
    ASSERT_EQ(n13, 5);
    for (size_t i = 0; i < n13; i++) ASSERT_EQ(list[i] >> 8, 0x13);
    size_t n = suites_offered(0, list, SUITES_MAX);
    ASSERT(n > 100 && n < SUITES_MAX);
    for (size_t i = 0; i < n; i++) {
        ASSERT(tls_suite_name(list[i]) != NULL);
        ASSERT(list[i] >> 8 != 0x13 && list[i] != 0x00FF);
        for (size_t j = 0; j < i; j++) ASSERT(list[i] != list[j]);
    }
    ASSERT_EQ(suites_offered(0, list, 3), 3);
}

TEST_IMPL(suites_weakness_rule)
{
    static const struct {
        uint16_t id;
        const char *why;
    } cases[] = {
        {0x1301, ""},
        {0xC02F, ""}, /* ECDHE, AEAD */
        {0xCCA8, ""},
        {0xC027, ""}, /* ECDHE, CBC with SHA-256: not weak */
        {0xC013, "CBC-SHA1"},
        {0x009C, "no-forward-secrecy"},
        {0x002F, "no-forward-secrecy,CBC-SHA1"},
        {0x000A, "3DES,no-forward-secrecy,CBC-SHA1"},
        {0x0009, "DES,no-forward-secrecy,CBC-SHA1"},
        {0x0005, "RC4,no-forward-secrecy"},
        {0x0004, "RC4,no-forward-secrecy,MD5"},
        {0x0003, "EXPORT,RC4,no-forward-secrecy,MD5"},
        {0x0006, "EXPORT,64-bit-block,no-forward-secrecy,MD5"},
        {0x0014, "EXPORT,DES,CBC-SHA1"},
        {0x0007, "64-bit-block,no-forward-secrecy,CBC-SHA1"},
        {0x00A7, "anonymous"},
        {0xC015, "NULL,anonymous"},
        {0x0001, "NULL,no-forward-secrecy,MD5"},
        {0x003B, "NULL,no-forward-secrecy"},
        {0xC02D, "no-forward-secrecy"}, /* static ECDH */
        {0x00FF, ""},
        {0xABCD, ""}, /* unknown: not judged */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char why[128];
        suite_weakness(cases[i].id, why, sizeof why);
        if (strcmp(why, cases[i].why) != 0)
            FAIL_AT("0x%04X: \"%s\", expected \"%s\"", cases[i].id, why, cases[i].why);
    }
    char why[128];
    suite_name_weakness("TLS_RSA_WITH_AES_128_CBC_SHA", why, sizeof why);
    ASSERT_STR_EQ(why, "no-forward-secrecy,CBC-SHA1");
    suite_name_weakness("0x1234", why, sizeof why);
    ASSERT_STR_EQ(why, "");
    /* The bits the grade reads are the words' */
    ASSERT_EQ(suite_name_weakness_bits("TLS_RSA_WITH_AES_128_CBC_SHA"), WEAK_NO_FS | WEAK_CBC_SHA1);
    ASSERT_EQ(suite_name_weakness_bits("TLS_DH_anon_WITH_3DES_EDE_CBC_SHA"), WEAK_ANON | WEAK_3DES | WEAK_CBC_SHA1);
    ASSERT_EQ(suite_name_weakness_bits("TLS_AES_128_GCM_SHA256"), 0);
}

/* A server as the enumeration meets it: the versions and suites it takes,
 * and whose order it follows. */
struct sim {
    unsigned versions;
    const uint16_t *suites; /* in the server's preference */
    size_t n;
    bool server_order;
    int fail_after; /* stop answering after this many hellos (0: never) */
    uint16_t pick_unoffered;
    unsigned hang; /* versions whose hello is never answered */
    bool alternate; /* every second hello goes unanswered (a busy server's "421") */
    bool closes;    /* a refusal is a close without an alert (OpenSSL picking a suite it cannot use) */
};

static void run_sim(const struct sim *s, unsigned try_versions, struct buf *list, struct buf *weak, int *hellos)
{
    struct cipher_enum e;
    cipher_enum_init(&e, try_versions);
    uint16_t version;
    const uint16_t *offer;
    size_t n;
    *hellos = 0;
    while (cipher_enum_next(&e, &version, &offer, &n)) {
        ++*hellos;
        if ((s->fail_after && *hellos > s->fail_after) || (s->hang & (1u << tls_version_bit(version))) ||
            (s->alternate && *hellos % 2 == 0)) {
            cipher_enum_answer(&e, CIPHER_FAILED, 0, 0);
            continue;
        }
        if (!(s->versions & (1u << tls_version_bit(version)))) {
            cipher_enum_answer(&e, s->closes ? CIPHER_CLOSED : CIPHER_REFUSED, 0, 0);
            continue;
        }
        if (s->pick_unoffered) {
            cipher_enum_answer(&e, CIPHER_CHOSE, version, s->pick_unoffered);
            continue;
        }
        int pick = -1;
        for (size_t i = 0; i < (s->server_order ? s->n : n) && pick < 0; i++)
            for (size_t j = 0; j < (s->server_order ? n : s->n) && pick < 0; j++) {
                uint16_t a = s->server_order ? s->suites[i] : offer[i];
                uint16_t b = s->server_order ? offer[j] : s->suites[j];
                if (a == b) pick = a;
            }
        if (pick < 0)
            cipher_enum_answer(&e, s->closes ? CIPHER_CLOSED : CIPHER_REFUSED, 0, 0);
        else
            cipher_enum_answer(&e, CIPHER_CHOSE, version, (uint16_t)pick);
    }
    cipher_enum_format(&e, list, weak);
}

TEST_IMPL(cipherenum_orders_and_bounds)
{
    static const uint16_t tls12[] = {0x002F, 0xC030, 0xC013}; /* the weak one first */
    static const uint16_t tls13[] = {0x1303, 0x1301};
    unsigned v12 = 1u << tls_version_bit(TLS_V_TLS12), v13 = 1u << tls_version_bit(TLS_V_TLS13);
    struct buf list = {0}, weak = {0};
    int hellos;
    struct sim server = {v12, tls12, 3, true, 0, 0, 0, false, false};
    run_sim(&server, 0x1F, &list, &weak, &hellos);
    ASSERT_STR_EQ(list.data, "TLSv1.2: TLS_RSA_WITH_AES_128_CBC_SHA TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 "
                             "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA (server order)");
    ASSERT_STR_EQ(weak.data, "TLS_RSA_WITH_AES_128_CBC_SHA TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
    /* 1.3 refused; 1.2: 3 picks, 1 refused, 1 order check; 1.1, 1.0, SSLv3 refused */
    ASSERT_EQ(hellos, 1 + 5 + 3);
    buf_free(&list);
    buf_free(&weak);

    struct sim client = {v12, tls12, 3, false, 0, 0, 0, false, false};
    run_sim(&client, v12, &list, &weak, &hellos);
    /* our order: ECDHE AEAD first */
    ASSERT_STR_EQ(list.data, "TLSv1.2: TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA "
                             "TLS_RSA_WITH_AES_128_CBC_SHA (client order)");
    ASSERT_EQ(hellos, 5);
    buf_free(&list);
    buf_free(&weak);

    /* TLS 1.3 only, all its list taken: no refused hello needed */
    static const uint16_t all13[] = {0x1301, 0x1302, 0x1303, 0x1304, 0x1305};
    struct sim every = {v13, all13, 5, true, 0, 0, 0, false, false};
    run_sim(&every, v13, &list, &weak, &hellos);
    ASSERT_EQ(hellos, 5 + 1);
    ASSERT(strstr(list.data, "(server order)") && weak.len == 0);
    buf_free(&list);
    buf_free(&weak);

    struct sim one = {v13, tls13, 1, true, 0, 0, 0, false, false};
    run_sim(&one, v13, &list, &weak, &hellos);
    ASSERT_STR_EQ(list.data, "TLSv1.3: TLS_CHACHA20_POLY1305_SHA256"); /* one suite: no order to tell */
    ASSERT_EQ(hellos, 2);
    buf_free(&list);
    buf_free(&weak);

    /* a server gone after three hellos: the fourth is sent 1 + 3 times, then
     * TLS 1.2 is cut short; TLS 1.1 gets no answer either: the end */
    struct sim dies = {v12 | v13, tls12, 3, true, 3, 0, 0, false, false};
    run_sim(&dies, 0x1F, &list, &weak, &hellos);
    ASSERT_STR_EQ(list.data, "TLSv1.2: TLS_RSA_WITH_AES_128_CBC_SHA TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 "
                             "(incomplete); TLSv1.1: (incomplete); (incomplete)");
    ASSERT_EQ(hellos, 3 + 4 + 4);
    buf_free(&list);
    buf_free(&weak);

    struct sim liar = {v12, tls12, 3, true, 0, 0xABCD, 0, false, false};
    run_sim(&liar, v12, &list, &weak, &hellos);
    ASSERT_STR_EQ(list.data, "TLSv1.2: (then chose 0xABCD, which we did not offer)");
    buf_free(&list);
    buf_free(&weak);

    /* a TLS 1.3 hello left unanswered (a server that chokes on it): TLS 1.2 still */
    struct sim choke = {v12, tls12, 3, true, 0, 0, v13, false, false};
    run_sim(&choke, v12 | v13, &list, &weak, &hellos);
    ASSERT(strncmp(list.data, "TLSv1.3: (incomplete); TLSv1.2: TLS_RSA_WITH_AES_128_CBC_SHA ", 61) == 0);
    ASSERT(strstr(list.data, "(server order)") != NULL && strstr(list.data, "(server order);") == NULL);
    ASSERT_EQ(hellos, 4 + 5);
    buf_free(&list);
    buf_free(&weak);

    /* a server that answers every second hello only: the same whole list,
     * each unanswered hello sent again after a second */
    struct sim busy = {v12 | v13, tls12, 3, true, 0, 0, 0, true, false};
    struct buf whole = {0}, wweak = {0};
    struct sim calm = busy;
    calm.alternate = false;
    run_sim(&calm, 0x1F, &whole, &wweak, &hellos);
    run_sim(&busy, 0x1F, &list, &weak, &hellos);
    ASSERT_STR_EQ(list.data, whole.data);
    ASSERT(strstr(list.data, "incomplete") == NULL);
    buf_free(&whole);
    buf_free(&wweak);
    buf_free(&list);
    buf_free(&weak);
    {
        struct cipher_enum b;
        cipher_enum_init(&b, v12);
        uint16_t bv;
        const uint16_t *bo;
        size_t bn;
        ASSERT(cipher_enum_next(&b, &bv, &bo, &bn) && cipher_enum_delay_ms(&b) == 0);
        cipher_enum_answer(&b, CIPHER_FAILED, 0, 0);
        ASSERT(cipher_enum_next(&b, &bv, &bo, &bn) && cipher_enum_delay_ms(&b) == 1000);
        cipher_enum_answer(&b, CIPHER_FAILED, 0, 0);
        ASSERT(cipher_enum_next(&b, &bv, &bo, &bn) && cipher_enum_delay_ms(&b) == 2000);
        cipher_enum_answer(&b, CIPHER_FAILED, 0, 0);
        ASSERT(cipher_enum_next(&b, &bv, &bo, &bn) && cipher_enum_delay_ms(&b) == 4000);
        cipher_enum_answer(&b, CIPHER_CHOSE, TLS_V_TLS12, bo[0]);
        ASSERT(cipher_enum_delay_ms(&b) == 0);
    }

    /* a server that refuses by closing, twice for each hello: the same list */
    {
        struct sim alerts = {v12 | v13, tls12, 3, true, 0, 0, 0, false, false};
        struct sim closes = {v12 | v13, tls12, 3, true, 0, 0, 0, false, true};
        struct buf a = {0}, aw = {0};
        int ahellos;
        run_sim(&alerts, 0x1F, &a, &aw, &ahellos);
        run_sim(&closes, 0x1F, &list, &weak, &hellos);
        ASSERT_STR_EQ(list.data, a.data);
        ASSERT(strstr(list.data, "incomplete") == NULL);
        ASSERT_EQ(hellos, ahellos + 5); /* one more for each of the 5 refusals */
        buf_free(&a);
        buf_free(&aw);
        buf_free(&list);
        buf_free(&weak);
    }

    /* out of time: what was found, and "(incomplete)" */
    struct cipher_enum e;
    cipher_enum_init(&e, v12);
    uint16_t version;
    const uint16_t *offer;
    size_t n;
    ASSERT(cipher_enum_next(&e, &version, &offer, &n));
    cipher_enum_answer(&e, CIPHER_CHOSE, TLS_V_TLS12, offer[0]);
    cipher_enum_stop(&e);
    ASSERT(!cipher_enum_next(&e, &version, &offer, &n));
    cipher_enum_format(&e, &list, &weak);
    ASSERT_STR_EQ(list.data, "TLSv1.2: TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384; (incomplete)");
    buf_free(&list);
    buf_free(&weak);

    /* a server taking everything, in every version: the bound holds */
    uint16_t legacy[SUITES_MAX];
    size_t nl = suites_offered(0, legacy, SUITES_MAX);
    struct sim greedy = {0x1F, legacy, nl, true, 0, 0, 0, false, false};
    run_sim(&greedy, 0x1F, &list, &weak, &hellos);
    ASSERT_EQ(hellos, CIPHERENUM_MAX_HELLOS);
    ASSERT(strstr(list.data, "(incomplete)") != NULL);
    buf_free(&list);
    buf_free(&weak);
}

TEST_IMPL(hello_tls13_offer)
{
    uint8_t random[32] = {7};
    static const uint16_t suites[] = {0x1302};
    struct buf b = {0};
    ASSERT_EQ(hello_build_offer(&b, TLS_V_TLS13, random, "mx.example", suites, 1), 0);
    const uint8_t *p = (const uint8_t *)b.data;
    ASSERT_EQ((p[9] << 8) | p[10], TLS_V_TLS12); /* legacy_version */
    ASSERT_EQ(p[43], 32);                         /* a session id */
    ASSERT_EQ((p[76] << 8) | p[77], 2);
    ASSERT_EQ((p[78] << 8) | p[79], 0x1302);
    ASSERT(memmem(b.data, b.len, "\x00\x2b\x00\x03\x02\x03\x04", 7) != NULL); /* supported_versions */
    ASSERT(memmem(b.data, b.len, "\x00\x33\x00\x26\x00\x24\x00\x1d\x00\x20", 10) != NULL);
    buf_free(&b);
    ASSERT_EQ(hello_build_offer(&b, TLS_V_TLS13, random, NULL, suites, 0), -1);
    /* the big legacy list: padded to 512 octets when it falls in 256..511 */
    uint16_t legacy[SUITES_MAX];
    size_t n = suites_offered(0, legacy, SUITES_MAX);
    ASSERT_EQ(hello_build_offer(&b, TLS_V_TLS12, random, "mx.example", legacy, n), 0);
    ASSERT(b.len - 5 >= 512);
    buf_free(&b);
    ASSERT_EQ(hello_build_offer(&b, TLS_V_TLS12, random, NULL, legacy, 100), 0);
    ASSERT_EQ(b.len - 5, 512);
    buf_free(&b);
}

TEST_IMPL(hello_reads_tls13_server_hello)
{
    /* ServerHello: legacy 0x0303, random, empty session id, suite 0x1301,
     * compression 0, supported_versions 0x0304 */
    uint8_t rec[5 + 4 + 2 + 32 + 1 + 2 + 1 + 2 + 6] = {22, 3, 3, 0, 4 + 2 + 32 + 1 + 2 + 1 + 2 + 6, 2, 0, 0,
                                                       2 + 32 + 1 + 2 + 1 + 2 + 6, 3, 3};
    size_t at = 5 + 4 + 2 + 32;
    rec[at++] = 0;
    rec[at++] = 0x13;
    rec[at++] = 0x01;
    rec[at++] = 0;
    rec[at++] = 0;
    rec[at++] = 6;
    memcpy(rec + at, "\x00\x2b\x00\x02\x03\x04", 6);
    struct hello_reader r;
    hello_reader_init(&r);
    r.stop_at_server_hello = 1;
    ASSERT_EQ(hello_feed(&r, rec, sizeof rec), HELLO_DONE);
    ASSERT_EQ(r.result.version, TLS_V_TLS13);
    ASSERT_EQ(r.result.suite, 0x1301);
    ASSERT_EQ(r.result.retry_request, 0);
    hello_reader_free(&r);
}
