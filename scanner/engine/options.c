/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/engine/options.h"

#include <arpa/inet.h>
#include <stdio.h>

static void cidr_text(const struct cidr *c, char *out, size_t len)
{
    char a[INET6_ADDRSTRLEN];
    inet_ntop(c->family, c->addr, a, sizeof a);
    snprintf(out, len, "%s/%d", a, c->prefix);
}

int scan_addr_blocked(const struct scan_options *cfg, const struct sockaddr *sa, char *why, size_t len)
{
    if (cfg->allowlist.path && !cidr_list_find(&cfg->allowlist, sa)) {
        snprintf(why, len, "not in the allowlist %s", cfg->allowlist.path);
        return 1;
    }
    const char *special = cfg->allow_private ? NULL : addr_block_reason(sa);
    if (special) {
        snprintf(why, len, "%s (use --allow-private to scan it)", special);
        return 1;
    }
    const struct cidr *hit = cidr_list_find(&cfg->blocklist, sa);
    if (hit) {
        char range[64];
        cidr_text(hit, range, sizeof range);
        snprintf(why, len, "in the blocklist %s (%s)", hit->name, range);
        return 1;
    }
    return 0;
}
