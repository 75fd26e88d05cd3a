/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading a DNS answer: follow the CNAME chain from the query name and
 * collect the records of the asked type at its end. Pure; every length in
 * the message is checked. */
#ifndef STS_DNSMSG_H
#define STS_DNSMSG_H

#include <stddef.h>

#define DNS_NAME_MAX 256
/* Records of the asked type read from one answer, in wire order: far above
 * what real domains publish (MX sets of a few dozen at most); the rest are
 * dropped and more_records says so. */
#define DNS_MAX_RECORDS 1000

#define DNS_TYPE_A 1
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_MX 15
#define DNS_TYPE_TXT 16
#define DNS_TYPE_AAAA 28
#define DNS_TYPE_SRV 33
#define DNS_TYPE_TLSA 52

struct dns_record {
    int pref;                 /* MX preference, SRV priority */
    int weight, port;         /* SRV only */
    char name[DNS_NAME_MAX];  /* MX exchange, SRV target ("" for the root: null MX, no service) */
    unsigned char addr[16];   /* A: 4 bytes, AAAA: 16 */
    unsigned char *rdata;     /* TLSA and TXT: the RDATA as sent (dns_answer_free frees it) */
    size_t rdlen;
};

struct dns_answer {
    int rcode;
    int truncated;
    int authentic; /* the AD bit: the (validating) resolver says DNSSEC vouched for it */
    char final_name[DNS_NAME_MAX]; /* where the CNAME chain ends */
    int cname_hops;
    int nrecords;
    int more_records; /* records beyond DNS_MAX_RECORDS were dropped */
    struct dns_record *records; /* dns_answer_free frees them */
    const char *error; /* why the answer is malformed */
};

/* 0 when the message was read (possibly with no records), -1 when it is
 * malformed (out->error says how). Names compare case-insensitively,
 * without a trailing dot. A name the scanner would use (an MX exchange, a
 * CNAME target on the chain) that holds a byte other than a letter, digit,
 * '-' or '_' (a NUL, a dot inside a label, ...) makes the answer
 * malformed: it would otherwise be cut or misread. Records whose owner
 * holds such bytes match no name. Free out with dns_answer_free, also
 * after -1. */
int dns_read_answer(const unsigned char *msg, size_t len, const char *qname, int qtype,
                    struct dns_answer *out);
void dns_answer_free(struct dns_answer *a);

#endif
