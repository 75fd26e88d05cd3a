/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/cli/failkind.h"

#include <string.h>

#define CHECK_KIND_WORD(id, word) word,
static const char *const words[CK_COUNT] = {CHECK_KINDS(CHECK_KIND_WORD)};
#undef CHECK_KIND_WORD

int check_kinds_parse(const char *list, unsigned *bits)
{
    *bits = 0;
    while (*list) {
        size_t n = strcspn(list, ",");
        int found = -1;
        for (int k = 0; k < CK_COUNT; k++)
            if (words[k] && strlen(words[k]) == n && strncmp(words[k], list, n) == 0) found = k;
        if (found < 0) return -1;
        *bits |= 1u << found;
        list += n;
        if (*list == ',') list++;
    }
    return *bits ? 0 : -1;
}

enum check_kind check_kind_of_status(enum scan_status s)
{
    switch (s) {
    case ST_OK: return CK_OK;
    case ST_NO_STARTTLS:
    case ST_STARTTLS_REFUSED:
    case ST_TLS_FAILED:
    case ST_PREAUTH: return CK_STARTTLS;
    case ST_CONNECT_FAILED:
    case ST_TIMEOUT:
    case ST_SERVER_REFUSED:
    case ST_PROTOCOL_ERROR: return CK_CONNECT;
    default: return CK_UNKNOWN; /* DNS, no address, null MX, no service, blocked, not a host */
    }
}
