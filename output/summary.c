#include "output/summary.h"

#include "scanner/feeder.h"

void summary_count(struct summary *s, const struct probe_result *r)
{
    atomic_fetch_add(&s->rows, 1);
    atomic_fetch_add(&s->by_status[r->status], 1);
    if (r->cert.present && r->cert.dates_valid && r->cert.not_after < r->scanned_at)
        atomic_fetch_add(&s->expired, 1);
}

void summary_print(const struct summary *s, const struct feeder_stats *in, double seconds,
                   FILE *out)
{
    uint64_t rows = atomic_load(&s->rows);
    fprintf(out, "starttls-scan: %llu targets (%llu duplicate, %llu invalid lines) -> %llu rows "
                 "in %.1f s\n",
            (unsigned long long)in->targets, (unsigned long long)in->duplicates,
            (unsigned long long)in->invalid, (unsigned long long)rows, seconds);
    if (in->resumed)
        fprintf(out, "starttls-scan: %llu targets were already in the output (--resume)\n",
                (unsigned long long)in->resumed);
    fprintf(out, "starttls-scan: rows by status:");
    for (int i = 0; i < ST_COUNT; i++) {
        uint64_t n = atomic_load(&s->by_status[i]);
        if (n) fprintf(out, " %s=%llu", status_name((enum scan_status)i), (unsigned long long)n);
    }
    fprintf(out, "\n");
    uint64_t expired = atomic_load(&s->expired);
    if (expired) fprintf(out, "starttls-scan: %llu rows with an expired certificate\n",
                         (unsigned long long)expired);
}
