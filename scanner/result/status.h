/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The status of a row: one precise word, documented in the README. */
#ifndef STS_STATUS_H
#define STS_STATUS_H

#include <stddef.h>

enum scan_status {
    ST_OK,
    ST_NO_STARTTLS,
    ST_STARTTLS_REFUSED,
    ST_TLS_FAILED,
    ST_CONNECT_FAILED,
    ST_TIMEOUT,
    ST_SERVER_REFUSED,
    ST_PROTOCOL_ERROR,
    ST_DNS_FAILED,
    ST_NULL_MX,
    ST_NO_ADDRESS,
    ST_BLOCKED,
    ST_INVALID_TARGET,
    ST_PREAUTH,
    ST_NO_SERVICE,
    ST_COUNT
};

const char *status_name(enum scan_status s);
/* The status of that name, or -1. */
int status_of_name(const char *name, size_t len);

#endif
