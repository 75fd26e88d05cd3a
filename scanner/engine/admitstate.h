/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What admission (scanner/engine/admission.c) keeps in each connection:
 * its place in admission's queues, and the slots it holds. One member of
 * struct conn, admission's alone: the connection never reads it. (Its own
 * header, so that conn.h need not include admission.h, which includes
 * conn.h's users.) */
#ifndef STS_ADMITSTATE_H
#define STS_ADMITSTATE_H

#include <stdbool.h>
#include <stdint.h>

struct conn;

struct admit_state {
    struct conn *next;      /* in a queue of connections waiting to start (or parked, politeness.c) */
    uint64_t not_before_ms; /* a retry waits in the delayed list until then */
    bool host_slot;         /* holds one of its address's --per-host slots */
    bool tls_slot;          /* holds one of its worker's --max-tls slots */
    bool tls_queued;        /* in the queue for a --max-tls slot */
    struct conn *tls_prev, *tls_next; /* ...that queue */
};

#endif
