/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What one probe found, and the row that reports it for one
 * (domain, MX host, address). Many rows may share one probe result. */
#ifndef STS_ROW_H
#define STS_ROW_H

#include <stdbool.h>
#include <stdint.h>

#include "scanner/result/reason.h"
#include "scanner/result/status.h"
#include "scanner/base/buf.h"

/* A tri-state answer: yes, no, or not known (empty cell). */
enum tri { TRI_UNKNOWN = 0, TRI_NO, TRI_YES };

/* DANE for one (MX host, port) and the chain one of its servers sent
 * (RFC 7672). DANE_NOT_LOOKED: no lookup (--no-dane, an address target). */
enum dane_status {
    DANE_NOT_LOOKED = 0,
    DANE_NONE,     /* no TLSA records */
    DANE_UNSIGNED, /* TLSA records the resolver did not authenticate: unusable */
    DANE_UNUSABLE, /* authenticated, but only PKIX-TA/PKIX-EE or unknown parameters */
    DANE_VALID,    /* an authenticated record matched the chain */
    DANE_INVALID,  /* authenticated records, none matched (or no TLS to match) */
    DANE_ERROR,    /* the lookup failed (SERVFAIL, bogus, timeout) */
};
/* "none", "unsigned", ...; "" for DANE_NOT_LOOKED. */
const char *dane_status_name(enum dane_status s);
/* The reasons that can explain a DANE verdict (RG_NONE: valid, none). */
enum reason_group dane_reason_group(enum dane_status s);

struct cert_facts {
    bool present;
    struct text subject; /* RFC 4514 order, e.g. CN=mx.example,O=Org */
    struct text issuer;
    struct text san;     /* DNS names and IP addresses, a word list (base/wordlist.h) */
    char serial[132];    /* upper-case hex, '-' when negative (as OpenSSL prints it) */
    bool long_serial;    /* longer than wolfSSL parses: the chain cannot be checked */
    int64_t not_before;  /* Unix time */
    int64_t not_after;
    bool dates_valid;
    char key[32];        /* RSA-2048, EC-P256, Ed25519 */
    char sig_alg[64];    /* sha256WithRSAEncryption, ecdsa-with-SHA256 */
    char sha256[65];     /* hex of the leaf certificate's DER */
    char spki_sha256[65]; /* hex of its subjectPublicKeyInfo (what a "3 1 1" TLSA record holds) */
    enum tri server_purpose; /* no extended key usage, or one allowing serverAuth; unknown: not read */
};

/* --raw's replies (issue 27). */
enum raw_reply { RAW_CAPABILITIES, RAW_STARTTLS, RAW_CAPABILITIES_TLS, RAW_COUNT };
#define RAW_LINES 100  /* lines kept per reply */
#define RAW_BYTES 8192 /* bytes kept per reply */

struct probe_result {
    enum scan_status status;
    struct text error;
    bool resolver_failed; /* dns_failed for want of an answer (not NXDOMAIN): see summary.h */
    struct text banner;
    enum tri starttls;
    char tls_version[16];
    char cipher[64];
    char kex_group[32];
    struct cert_facts cert;
    enum tri chain_valid;
    struct text chain_error;
    enum tri hostname_match;
    int64_t connect_ms; /* -1 when not measured */
    int64_t tls_ms;
    int64_t scanned_at; /* Unix time the probe started */
    struct text auth_mechs;       /* SASL mechanisms offered inside TLS, space-separated */
    struct text auth_mechs_plain; /* ...and before TLS, in cleartext */
    char handshake[12];           /* "full", "hello_only", or "" */
    char versions[64];            /* --versions: "TLSv1.0 TLSv1.2 TLSv1.3" */
    struct text ciphers;          /* --ciphers: "TLSv1.3: A B (server order); TLSv1.2: ..." */
    struct text weak_ciphers;     /* ...the weak ones (docs/ciphers.md), space-separated */
    int attempts;                 /* probes of the endpoint: 1, or 2 after a retry; 0: none */
    enum dane_status dane;        /* the TLSA records against this chain */
    struct text dane_error;       /* what matched, or why none did, or why the lookup failed */
    enum policy_reason dane_why;  /* ...and why, as a code (REASON_NONE: valid, none, not looked up) */
    struct text tlsa;             /* the records, "usage selector mtype hex" '|'-separated */
    /* --raw: the capability replies before and inside TLS and the STARTTLS
     * reply, line by line (word lists), each bounded (RAW_LINES, RAW_BYTES). */
    struct text raw[RAW_COUNT];
    bool raw_truncated;           /* a reply was longer than the bounds */
    /* DANE-TA reached its anchor, but the leaf does not name the MX host:
     * its DER, for the job to try the domain (RFC 7672 3.2.2). */
    struct text dane_ta_leaf;
    /* Not written out: */
    bool transient;   /* "try again later": a 4xx to the greeting or EHLO, or no greeting */
    bool retry_pending; /* published so, the endpoint is probed again in the retry pass */
    uint64_t first_try_ms; /* uv_hrtime() in ms when the first attempt started */
    struct buf chain;      /* DANE: the chain as sent (4-octet length, DER), until matched */
    struct buf tlsa_wire;  /* a TLSA lookup's result: its RDATAs (2-octet length each) */
    bool tlsa_authentic;   /* ...and whether the resolver vouched for them */
    bool shared;           /* one immutable result for many (no TLSA): never freed */
};

/* What a mail domain publishes about its transport security (MX mode). */
enum sts_status { MTA_STS_NOT_LOOKED = 0, MTA_STS_NO_POLICY, MTA_STS_MODE_NONE, MTA_STS_TESTING, MTA_STS_ENFORCE, MTA_STS_ERROR };
enum rpt_status { RPT_NOT_LOOKED = 0, RPT_NO_RECORD, RPT_OK, RPT_MALFORMED, RPT_ERROR };
/* "none", "testing", "enforce", "error" (mta_sts); "" when not looked up. */
const char *sts_status_name(enum sts_status s);

struct domain_policy {
    enum tri mx_secure;        /* the MX answer was authenticated (AD); unknown: not asked */
    enum sts_status mta_sts;
    struct text mta_sts_error; /* STS_ERROR: why */
    enum policy_reason mta_sts_why; /* ...as a code */
    char mta_sts_id[33];
    struct text mta_sts_mx;    /* the policy's mx patterns, a word list */
    enum rpt_status tls_rpt;
    struct text tls_rpt_text;  /* RPT_OK: the rua URIs, ','-separated; else why */
};
void domain_policy_free(struct domain_policy *p);

struct row {
    struct text domain; /* the target as the input named it (normalised) */
    const char *mx_host; /* NULL when unknown */
    int mx_pref;         /* -1: none (implicit MX, or --no-mx) */
    int mx_records;      /* the MX records of the domain's answer, when it had any (0: none);
                          * more than the rows' MX hosts when --mx-max kept the lowest */
    const char *ip;      /* textual address, NULL when none */
    int port;            /* 0 when none */
    const char *protocol;
    const struct probe_result *result;
    /* MX mode: the domain's policies (NULL: none looked up), and what they
     * say of this row. */
    const struct domain_policy *policy;
    enum dane_status dane;  /* the row's DANE verdict (the probe's, or DANE-TA with the domain's name) */
    const char *dane_error; /* NULL: the probe's */
    enum tri sts_mx_match;  /* the MX host matches a pattern of the policy */
    enum tri sts_ok;        /* an MTA-STS sender would deliver here */
    /* Which DNS record led to the host: "MX 10", "implicit MX", "SRV
     * _xmpp-client._tcp.example.com 5 10 5222", "SRV ...: none, ..."; NULL
     * or "" when the target named it. */
    const char *discovery;
    const char *name_checked; /* the name the certificate was checked against (the SNI) */
};

/* The key of a target's rows: its domain cell as the output writes it, the
 * port (0: none, for invalid lines) and the protocol. --resume and merge
 * find a target's rows by it. */
int row_key(struct buf *out, const char *cell, size_t len, int port, const char *protocol);
/* The port of a row's key: its port, or 0 when SRV found its servers (their
 * ports are the records'; the target is one whatever they are). */
int row_key_port(const struct row *row);
/* Does this discovery cell say SRV found (or looked for) the target's servers? */
bool row_discovery_is_srv(const char *discovery);

/* Whole days from one Unix time to another, rounded down (negative when
 * `to` is earlier). */
int64_t days_between(int64_t from, int64_t to);
/* Whole days from the scan to the certificate's end, rounded down. */
int64_t cert_days_left(const struct probe_result *r);
void probe_result_init(struct probe_result *r);
void probe_result_free(struct probe_result *r);
void cert_facts_free(struct cert_facts *c);

#endif
