/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/engine/sources.h"

#include <netinet/in.h>
#include <string.h>

/* The address without its port, zero-filled past it: comparable bytes. */
static void address_only(const struct sockaddr_storage *in, struct sockaddr_storage *out)
{
    memset(out, 0, sizeof *out);
    out->ss_family = in->ss_family;
    if (in->ss_family == AF_INET)
        ((struct sockaddr_in *)out)->sin_addr = ((const struct sockaddr_in *)in)->sin_addr;
    else if (in->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)out)->sin6_addr = ((const struct sockaddr_in6 *)in)->sin6_addr;
}

static void add(struct sources *s, const struct sockaddr_storage *a)
{
    for (int i = 0; i < s->n; i++)
        if (memcmp(&s->addr[i], a, sizeof *a) == 0) return;
    if (s->n < SOURCES_MAX)
        s->addr[s->n++] = *a;
    else
        s->more++;
}

void sources_note(struct sources *s, const uv_tcp_t *tcp)
{
    struct sockaddr_storage local, a;
    int len = sizeof local;
    if (uv_tcp_getsockname(tcp, (struct sockaddr *)&local, &len) != 0) return;
    address_only(&local, &a);
    add(s, &a);
}

void sources_merge(struct sources *into, const struct sources *from)
{
    for (int i = 0; i < from->n; i++) add(into, &from->addr[i]);
    into->more += from->more;
}

void sources_name(const struct sources *s, int i, char out[64])
{
    out[0] = '\0';
    if (s->addr[i].ss_family == AF_INET)
        uv_ip4_name((const struct sockaddr_in *)&s->addr[i], out, 64);
    else if (s->addr[i].ss_family == AF_INET6)
        uv_ip6_name((const struct sockaddr_in6 *)&s->addr[i], out, 64);
}
