/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The columns of a row, in output order: one table that every output
 * format writes from and reads back by (CSV by position, JSONL by key). */
#ifndef STS_COLUMNS_H
#define STS_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner/result/row.h"

enum cell_type {
    CELL_TEXT, /* bytes a server or an input line chose: escaped, and guarded in CSV */
    CELL_WORD, /* our own words and numbers as text: escaped only */
    CELL_INT,  /* a number, or none */
    CELL_TRI,  /* yes / no / none */
    CELL_TIME, /* a Unix time, written in ISO 8601 UTC, or none */
    CELL_LIST, /* a word list (scanner/base/wordlist.h): a JSON array, a CSV cell of
                * space-separated items; guarded in CSV */
};

struct cell {
    enum cell_type type;
    const char *p; /* TEXT, WORD */
    size_t len;
    int64_t v;     /* INT, TIME */
    bool present;  /* INT, TIME */
    enum tri tri;  /* TRI */
};

enum column_id {
    COL_DOMAIN,
    COL_MX_HOST,
    COL_MX_PREF,
    COL_IP,
    COL_PORT,
    COL_PROTOCOL,
    COL_STATUS,
    COL_ERROR,
    COL_BANNER,
    COL_STARTTLS,
    COL_TLS_VERSION,
    COL_CIPHER,
    COL_KEX_GROUP,
    COL_CERT_SUBJECT,
    COL_CERT_ISSUER,
    COL_CERT_SAN,
    COL_CERT_SERIAL,
    COL_CERT_NOT_BEFORE,
    COL_CERT_NOT_AFTER,
    COL_CERT_DAYS_LEFT,
    COL_CERT_KEY,
    COL_CERT_SIG_ALG,
    COL_CERT_SHA256,
    COL_CHAIN_VALID,
    COL_CHAIN_ERROR,
    COL_HOSTNAME_MATCH,
    COL_CONNECT_MS,
    COL_TLS_MS,
    COL_SCANNED_AT,
    COL_AUTH_MECHS,
    COL_AUTH_MECHS_PLAIN,
    COL_HANDSHAKE,
    COL_VERSIONS,
    COL_ATTEMPTS,
    COL_DANE,
    COL_DANE_ERROR,
    COL_TLSA,
    COL_MX_DNSSEC,
    COL_CERT_SPKI_SHA256,
    COL_MTA_STS,
    COL_MTA_STS_ERROR,
    COL_MTA_STS_ID,
    COL_MTA_STS_MX_MATCH,
    COL_MTA_STS_OK,
    COL_TLS_RPT,
    COL_CIPHERS,
    COL_WEAK_CIPHERS,
    COL_MX_RECORDS,
    COL_DISCOVERY,
    COL_NAME_CHECKED,
    COL_RAW_CAPABILITIES,
    COL_RAW_STARTTLS,
    COL_RAW_CAPABILITIES_TLS,
    COL_RAW_TRUNCATED,
    COL_COUNT
};

/* The column names, in order (the CSV header, the JSONL keys). */
extern const char *const column_names[COL_COUNT];
/* The column of that name, or -1. */
int column_find(const char *name, size_t len);
/* The value of column id for a row. */
void row_cell(const struct row *row, enum column_id id, struct cell *out);

#endif
