/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The connection tests' scripted peer (tests/unit/peer.c). */
#ifndef STS_TEST_PEER_H
#define STS_TEST_PEER_H

#include <stddef.h>

#include "scanner/engine/conn.h"
#include "tests/unit/test.h"

/* The peer's script: send (S), expect a line from the client starting with
 * text (C), expect exactly len bytes equal to text (B), close (X), or stay
 * silent for 400 ms (W). S sends len bytes, or strlen(text) when len is 0;
 * a reply sent with split > 0 goes in two writes, the first split bytes, a
 * pause, then the rest. */
struct step {
    char kind;
    const char *text;
    size_t len;
};

struct outcome {
    struct probe_result result;
    bool finished, closed;
};

/* Runs one connection of service against the script; the result in *o. */
void run(const char *service, const struct step *steps, size_t split, struct outcome *o);
/* The result's status, starttls column, and a part of its error. */
void expect(struct outcome *o, enum scan_status st, enum tri starttls, const char *error_part);

#endif
