/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: DNS answers for MX, SRV, A and AAAA, and the MX and SRV rules after them. */
#include <stdint.h>
#include <stdlib.h>

#include "resolver/dnsmsg.h"
#include "resolver/mx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int types[] = {DNS_TYPE_MX, DNS_TYPE_A, DNS_TYPE_AAAA, DNS_TYPE_SRV};
    static struct dns_answer ans;
    for (int i = 0; i < 4; i++) {
        if (dns_read_answer(data, size, "example.com", types[i], &ans) != 0) {
            if (!ans.error) abort(); /* a malformed answer says why */
            dns_answer_free(&ans);
            continue;
        }
        if (ans.nrecords > DNS_MAX_RECORDS) abort();
        int n = ans.nrecords;
        if (types[i] == DNS_TYPE_MX)
            (void)mx_select(ans.records, &n, 10);
        else if (types[i] == DNS_TYPE_SRV)
            (void)srv_select(ans.records, &n, 10);
        else
            addr_sort_unique(ans.records, &n, 16);
        dns_answer_free(&ans);
    }
    return 0;
}
