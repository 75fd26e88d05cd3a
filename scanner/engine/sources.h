/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The local addresses a scan's connections went out from (issue 27: the
 * summary says where a run came from). Each worker keeps its own few, with
 * no lock; the scan merges them at the end. */
#ifndef STS_SOURCES_H
#define STS_SOURCES_H

#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#define SOURCES_MAX 16

struct sources {
    struct sockaddr_storage addr[SOURCES_MAX]; /* ports zeroed */
    int n;
    uint64_t more; /* connections from an address past the first SOURCES_MAX */
};

/* A connected socket's local address, once. */
void sources_note(struct sources *s, const uv_tcp_t *tcp);
void sources_merge(struct sources *into, const struct sources *from);
/* The i-th address as text ("192.0.2.1", "2001:db8::1"). */
void sources_name(const struct sources *s, int i, char out[64]);

#endif
