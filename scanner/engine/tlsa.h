/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The TLSA lookup of one (host, port): _port._tcp.host, type 52, with the
 * AD bit asked for (RFC 6840 5.7). Its result is a probe_result that the
 * dedup table keeps for the run, as it keeps a probe's, so that a
 * provider's MX serving a million domains is asked once: dane is
 * DANE_NONE (no records), DANE_ERROR (why in dane_error), or
 * DANE_NOT_LOOKED with the records in tlsa_wire and tlsa, and
 * tlsa_authentic. */
#ifndef STS_TLSA_H
#define STS_TLSA_H

#include "resolver/ares_uv.h"
#include "scanner/result/row.h"

/* The hex of a record past this many digits is cut in the tlsa column (a
 * "3 0 0" record holds a whole certificate); SHA-512 digests fit. */
#define TLSA_HEX_CAP 128

/* The result of every (host, port) without TLSA records, shared by all of
 * them: most hosts publish none, and the dedup table keeps a result per
 * host for the run. */
extern const struct probe_result tlsa_none;

/* done(arg, key, result): the callee takes what result holds (tlsa_none
 * itself when there are no records). */
void tlsa_lookup(struct ares_uv *dns, const char *key, const char *host, int port,
                 void (*done)(void *arg, const char *key, struct probe_result *res), void *arg);

#endif
