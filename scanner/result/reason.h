/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Why a published policy (DANE, MTA-STS, TLS-RPT) fails, as a code: the
 * one table of reasons. The place a failure happens sets the code; the
 * summary counts and groups by it; the message a row carries is words for
 * people. A row read back from a file (--resume, merge) has its message
 * only: its code is found again by the marker the table gives, which the
 * producers write into their messages from this same table. */
#ifndef STS_REASON_H
#define STS_REASON_H

/* Which verdict a reason explains: a message is matched only against the
 * reasons of its verdict's group. */
enum reason_group {
    RG_NONE = 0,
    RG_DANE_UNSIGNED,
    RG_DANE_UNUSABLE,
    RG_DANE_ERROR,
    RG_DANE_INVALID,
    RG_STS_ERROR,
    RG_STS_MX,
    RG_RPT,
};

/* How a message read back is recognised: the marker at its start, or
 * anywhere in it; the last reason of a group (no marker) takes the rest. */
enum reason_match { RM_REST = 0, RM_START, RM_ANYWHERE };

/* X(code, group, match, marker, the summary's words); within a group, the
 * first marker found wins. */
#define POLICY_REASONS(X)                                                                          \
    X(REASON_NONE, RG_NONE, RM_REST, NULL, "")                                                     \
    X(REASON_DANE_UNSIGNED, RG_DANE_UNSIGNED, RM_REST, NULL,                                       \
      "DANE: TLSA records not authenticated (unsigned zone, or a resolver that does not validate)") \
    X(REASON_DANE_UNUSABLE, RG_DANE_UNUSABLE, RM_REST, NULL,                                       \
      "DANE: only unusable TLSA records (PKIX-TA/PKIX-EE or unknown parameters)")                  \
    X(REASON_DANE_SERVFAIL, RG_DANE_ERROR, RM_ANYWHERE, "SERVFAIL",                                \
      "DANE: TLSA lookup SERVFAIL (DNSSEC-bogus?)")                                                \
    X(REASON_DANE_LOOKUP, RG_DANE_ERROR, RM_REST, NULL, "DANE: TLSA lookup failed or no certificate") \
    X(REASON_DANE_NO_STARTTLS, RG_DANE_INVALID, RM_ANYWHERE, "no STARTTLS",                        \
      "DANE: the server offers no STARTTLS")                                                       \
    X(REASON_DANE_TA_NAME, RG_DANE_INVALID, RM_ANYWHERE, "does not name",                          \
      "DANE-TA: the certificate does not name the MX host")                                        \
    X(REASON_DANE_TA_CHAIN, RG_DANE_INVALID, RM_ANYWHERE, "does not verify",                       \
      "DANE-TA: the chain does not verify up to the anchor")                                       \
    X(REASON_DANE_NO_MATCH, RG_DANE_INVALID, RM_REST, NULL, "DANE: no TLSA record matches the chain") \
    X(REASON_STS_TXT_MALFORMED, RG_STS_ERROR, RM_START, "malformed _mta-sts TXT record",           \
      "MTA-STS: malformed TXT record")                                                             \
    X(REASON_STS_TXT_LOOKUP, RG_STS_ERROR, RM_START, "_mta-sts TXT lookup", "MTA-STS: TXT lookup failed") \
    X(REASON_STS_MALFORMED, RG_STS_ERROR, RM_START, "malformed policy", "MTA-STS: malformed policy") \
    X(REASON_STS_REDIRECT, RG_STS_ERROR, RM_ANYWHERE, "a redirect", "MTA-STS: policy behind a redirect") \
    X(REASON_STS_HTTP_STATUS, RG_STS_ERROR, RM_START, "HTTP ", "MTA-STS: HTTP status other than 200") \
    X(REASON_STS_CERT, RG_STS_ERROR, RM_ANYWHERE, "is not valid for it",                           \
      "MTA-STS: policy host certificate not valid")                                                \
    X(REASON_STS_TOO_LARGE, RG_STS_ERROR, RM_ANYWHERE, "larger than 64 KiB",                       \
      "MTA-STS: policy larger than 64 KiB")                                                        \
    X(REASON_STS_FETCH, RG_STS_ERROR, RM_REST, NULL, "MTA-STS: policy cannot be fetched")          \
    X(REASON_STS_MX_NOT_LISTED, RG_STS_MX, RM_REST, NULL, "MTA-STS: MX host not in the policy")    \
    X(REASON_STS_MX_FAILS, RG_STS_MX, RM_REST, NULL,                                               \
      "MTA-STS: MX fails the sender's check (TLS, chain or name)")                                 \
    X(REASON_RPT_MALFORMED, RG_RPT, RM_REST, NULL, "TLS-RPT: malformed record")

#define POLICY_REASON_ENUM(code, group, match, marker, words) code,
enum policy_reason { POLICY_REASONS(POLICY_REASON_ENUM) REASON_COUNT };
#undef POLICY_REASON_ENUM

/* The summary's words for a reason ("" for REASON_NONE). */
const char *policy_reason_words(enum policy_reason r);
/* The text a producer writes into its message so that the reason is found
 * again when the row is read back ("" when the reason has none). */
const char *policy_reason_marker(enum policy_reason r);
/* The reason of a message read back, among its group's (REASON_NONE for
 * RG_NONE). */
enum policy_reason policy_reason_read(enum reason_group g, const char *message);

#endif
