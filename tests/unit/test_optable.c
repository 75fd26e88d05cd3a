/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/rows/formats.h"
#include "scanner/cli/cmdline.h"
#include "scanner/cli/failkind.h"
#include "scanner/cli/config.h"
#include "scanner/cli/optable.h"
#include "scanner/dialog/services.h"
#include "tests/unit/test.h"

/* The defaults come from the table, parsed as options, for the scan and
 * for check alike (check runs the scan's engine). */
TEST_IMPL(options_defaults_from_the_table)
{
    char *scan_argv[] = {"starttls-scan", NULL};
    char *check_argv[] = {"check", "mx.example", NULL};
    for (int check = 0; check < 2; check++) {
        struct config cfg;
        ASSERT_EQ(config_parse(&cfg, check ? 2 : 1, check ? check_argv : scan_argv, check), 0);
        ASSERT(cfg.scan.service == service_find("smtp"));
        ASSERT(cfg.format == output_formats[0]);
        ASSERT_EQ(cfg.scan.per_host, 1);
        ASSERT_EQ(cfg.scan.max_tls, 2048);
        ASSERT_EQ(cfg.scan.mx_max, 10);
        ASSERT_EQ(cfg.scan.timeout_ms, 30000);
        ASSERT_EQ(cfg.scan.connect_ms, 10000);
        ASSERT_EQ(cfg.scan.banner_ms, 20000);
        ASSERT_EQ(cfg.scan.reply_ms, 10000);
        ASSERT_EQ(cfg.scan.handshake_ms, 10000);
        ASSERT_EQ(cfg.scan.dns_ms, 3000);
        ASSERT_EQ(cfg.scan.retry_delay_ms, 60000);
        ASSERT_EQ(cfg.scan.concurrency, check ? 1 : 1000);
        ASSERT(!cfg.concurrency_given);
        config_free(&cfg);
    }
}

/* Per command: each long name and each short letter once; help for every
 * option a --help lists; a check-only option has check's words. */
TEST_IMPL(options_table_is_consistent)
{
    static const unsigned cmds[] = {CMD_SCAN, CMD_CHECK, CMD_MERGE, CMD_ROLLUP, CMD_REPORT};
    for (size_t c = 0; c < sizeof cmds / sizeof cmds[0]; c++) {
        for (int a = OPT_NONE + 1; a < OPT_END; a++) {
            const struct option_row *x = optable_row(a);
            ASSERT(x != NULL && x->id == (enum option_id)a);
            if (!(x->commands & cmds[c])) continue;
            ASSERT(cmds[c] == CMD_CHECK ? (x->check_help || x->help) : x->help != NULL);
            for (int b = a + 1; b < OPT_END; b++) {
                const struct option_row *y = optable_row(b);
                if (!(y->commands & cmds[c])) continue;
                if (strcmp(x->name, y->name) == 0 || (x->short_name && x->short_name == y->short_name))
                    FAIL_AT("--%s and --%s for the same command", x->name, y->name);
            }
        }
    }
    ASSERT(optable_row(OPT_NONE) == NULL && optable_row(OPT_END) == NULL);
    ASSERT_EQ(optable_id('p', CMD_BOTH), OPT_PROTOCOL);
    ASSERT_EQ(optable_id('o', CMD_MERGE), OPT_MERGE_OUTPUT);
    ASSERT_EQ(optable_id('o', CMD_REPORT), OPT_REPORT_OUTPUT);
    ASSERT_EQ(optable_id('x', CMD_BOTH), '?');
    const char *shorts;
    optable_getopt(CMD_BOTH, &shorts);
    ASSERT_STR_EQ(shorts, "p:w:c:o:f:qh");
    /* check's own letters first (-w, -c are --warning, --critical there) */
    ASSERT_EQ(optable_id('w', CMD_CHECK), OPT_WARNING);
    ASSERT_EQ(optable_id('w', CMD_SCAN), OPT_WORKERS);
    ASSERT_EQ(optable_id('c', CMD_CHECK), OPT_CRITICAL);
    optable_getopt(CMD_MERGE, &shorts);
    ASSERT_STR_EQ(shorts, "o:qh");
}

/* --warn-only's words, and check --nagios's defaults and refusals. */
TEST_IMPL(nagios_options)
{
    unsigned bits = 0;
    ASSERT_EQ(check_kinds_parse("chain,dane", &bits), 0);
    ASSERT_EQ(bits, (1u << CK_CHAIN) | (1u << CK_DANE));
    ASSERT_EQ(check_kinds_parse("starttls,connect,chain,name,dane,mta-sts,auth", &bits), 0);
    ASSERT_EQ(check_kinds_parse("chain,", &bits), 0);
    ASSERT_EQ(check_kinds_parse("", &bits), -1);
    ASSERT_EQ(check_kinds_parse("chains", &bits), -1);
    ASSERT_EQ(check_kinds_parse("chain,,dns", &bits), -1);
    ASSERT_EQ(check_kind_of_status(ST_DNS_FAILED), CK_UNKNOWN);
    ASSERT_EQ(check_kind_of_status(ST_TIMEOUT), CK_CONNECT);
    ASSERT_EQ(check_kind_of_status(ST_NO_STARTTLS), CK_STARTTLS);
    struct config cfg;
    char *plain[] = {"check", "--nagios", "mx.example", NULL};
    ASSERT_EQ(config_parse(&cfg, 3, plain, true), 0);
    ASSERT(cfg.nagios && cfg.nagios_warning == 21 && cfg.nagios_critical == 7);
    config_free(&cfg);
    char *expiring[] = {"check", "--nagios", "--expiring-within", "30", "mx.example", NULL};
    ASSERT_EQ(config_parse(&cfg, 5, expiring, true), 0);
    ASSERT_EQ(cfg.nagios_warning, 30);
    config_free(&cfg);
    char *no_nagios[] = {"check", "-w", "30", "mx.example", NULL};
    ASSERT_EQ(config_parse(&cfg, 4, no_nagios, true), 2);
    config_free(&cfg);
    char *upside_down[] = {"check", "--nagios", "-w", "5", "-c", "10", "mx.example", NULL};
    ASSERT_EQ(config_parse(&cfg, 7, upside_down, true), 2);
    config_free(&cfg);
}
