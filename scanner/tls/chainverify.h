/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The verdict on a certificate chain, with a cache of the verdicts given in
 * this run.
 *
 * The TLS handshake does not verify the chain (wolfSSL would check every
 * signature of every chain again, and build an X509 object per certificate
 * for the verify callback); the verifier does it once per distinct chain.
 * Intermediates that verify are added to the verifier's store as CAs, so a
 * new leaf under a known intermediate costs one signature check. Shared by
 * all workers: a mutex guards the cache, wolfSSL's own lock the store. */
#ifndef STS_CHAINVERIFY_H
#define STS_CHAINVERIFY_H

#include <stddef.h>

#include "scanner/result/row.h"

struct chain_verifier;

/* Loads ca_file (PEM), or the system store when NULL. NULL on failure, err says why. */
struct chain_verifier *chain_verifier_new(const char *ca_file, char *err, size_t errlen);
/* The trust store a NULL ca_file means. */
#define CHAIN_SYSTEM_STORE "/etc/ssl/certs/ca-certificates.crt"
/* The SHA-256 of the CA bundle's bytes (ca_file, or the system store), in
 * hex: 0, or -1 ("" in out) when it cannot be read. */
int chain_store_sha256(const char *ca_file, char out[65]);
void chain_verifier_free(struct chain_verifier *v);

/* certs[0] is the leaf, then the chain as the server sent it. Sets
 * r->chain_valid and r->chain_error ("what (depth N)"), the first error
 * from the top of the chain down, as a verify callback would see it.
 * r->cert should be filled already: a self-signed leaf is named so. */
void chain_verify(struct chain_verifier *v, const unsigned char *const *certs, const size_t *lens,
                  int n, struct probe_result *r);

/* Cache statistics since chain_verifier_new: lookups and hits. */
void chain_verifier_stats(struct chain_verifier *v, unsigned long *lookups, unsigned long *hits);

#endif
