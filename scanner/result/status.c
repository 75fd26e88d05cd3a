/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/result/status.h"

#include <string.h>

static const char *const names[ST_COUNT] = {
    [ST_OK] = "ok",
    [ST_NO_STARTTLS] = "no_starttls",
    [ST_STARTTLS_REFUSED] = "starttls_refused",
    [ST_TLS_FAILED] = "tls_failed",
    [ST_CONNECT_FAILED] = "connect_failed",
    [ST_TIMEOUT] = "timeout",
    [ST_SERVER_REFUSED] = "server_refused",
    [ST_PROTOCOL_ERROR] = "protocol_error",
    [ST_DNS_FAILED] = "dns_failed",
    [ST_NULL_MX] = "null_mx",
    [ST_NO_ADDRESS] = "no_address",
    [ST_BLOCKED] = "blocked",
    [ST_INVALID_TARGET] = "invalid_target",
    [ST_PREAUTH] = "preauth",
    [ST_NO_SERVICE] = "no_service",
};

const char *status_name(enum scan_status s)
{
    return (s >= 0 && s < ST_COUNT) ? names[s] : "unknown";
}

int status_of_name(const char *name, size_t len)
{
    for (int i = 0; i < ST_COUNT; i++)
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0) return i;
    return -1;
}
