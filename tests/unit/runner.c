/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/test.h"

#define TEST_LIST(X)                                                                               \
    X(reply_smtp_every_split)                                                                      \
    X(reply_multiline_bare_lf_blank)                                                               \
    X(reply_limits)                                                                                \
    X(reply_malformed)                                                                             \
    X(reply_leaves_bytes_after_reply)                                                              \
    X(reply_ftp_continuations)                                                              \
    X(targets_domains)                                                                             \
    X(targets_hosts_and_ports)                                                                     \
    X(targets_invalid)                                                                             \
    X(targets_key_case_and_dot)                                                                    \
    X(csv_quoting)                                                                                 \
    X(csv_escapes_and_formulas)                                                                    \
    X(csv_truncation)                                                                              \
    X(csv_header_and_row)                                                                          \
    X(wordlist_round_trip)                                                                         \
    X(lists_in_csv_and_jsonl)                                                                      \
    X(lists_are_capped)                                                                            \
    X(mx_order_and_cap)                                                                            \
    X(mx_null_and_root)                                                                            \
    X(addr_sort_unique)                                                                            \
    X(dns_answer_mx_with_cname)                                                                    \
    X(dns_answer_malformed)                                                                        \
    X(dns_answer_cname_loop)                                                                       \
    X(dns_names_outside_ldh_are_malformed)                                                         \
    X(dns_answer_many_mx)                                                                          \
    X(addrblock_builtin)                                                                           \
    X(addrblock_cidr_parse)                                                                        \
    X(addrblock_list_files)                                                                        \
    X(addrblock_mapped_normalised)                                                                 \
    X(addrblock_embedded_ipv4)                                                                     \
    X(addrblock_lists_see_the_ipv4_inside)                                                         \
    X(certfacts_time_parse)                                                                        \
    X(certfacts_hostname_patterns)                                                                 \
    X(certfacts_from_pem_files)                                                                    \
    X(certfacts_sig_alg_names_as_openssl)                                                          \
    X(certfacts_serials_as_openssl)                                                                \
    X(tls_memory_handshake)                                                                        \
    X(tls_memory_kex_groups)                                                                       \
    X(hello_dhe_group_size)                                                                        \
    X(chainverify_verdicts_and_cache)                                                              \
    X(hello_build_each_version)                                                                    \
    X(hello_recorded_flights)                                                                      \
    X(hello_hostile_answers)                                                                       \
    X(tls_client_suites_are_named)                                                                 \
    X(output_rows_read_back)                                                                       \
    X(output_keys_whole_target)                                                                    \
    X(linereader_errors_are_errors)                                                                \
    X(linereader_cancel_wakes_a_blocked_reader)                                                    \
    X(feeder_reports_read_errors)                                                                  \
    X(feeder_skips_duplicates_and_resumed_in_two_passes)                                           \
    X(feeder_many_lines_from_a_file)                                                               \
    X(feeder_shards_partition_the_input)                                                           \
    X(shard_arithmetic)                                                                            \
    X(shard_parse_and_auto)                                                                        \
    X(dane_records_against_chains)                                                                 \
    X(dane_tlsa_rdata_bounds)                                                                      \
    X(dns_answer_tlsa_and_ad_bit)                                                                  \
    X(ares_query_with_ad_bit)                                                                      \
    X(policy_mta_sts_txt)                                                                          \
    X(policy_mta_sts_body)                                                                         \
    X(policy_tls_rpt_and_txt)                                                                      \
    X(policy_many_mx_patterns)                                                                     \
    X(policy_txt_rrsets)                                                                           \
    X(http_reads_bodies_at_every_split)                                                            \
    X(http_refusals)                                                                               \
    X(http_interim_responses_and_media_type)                                                       \
    X(grade_rubric_by_table)                                                                       \
    X(grade_hygiene_by_ncsc_classes)                                                               \
    X(grade_names_the_unanswered_row)                                                              \
    X(suites_lists_and_names)                                                                      \
    X(html_escapes_markup)                                                                         \
    X(svg_labels_are_text)                                                                         \
    X(suite_scores_order_weakness)                                                                 \
    X(rollup_csv_quotes_and_columns)                                                               \
    X(suites_weakness_rule)                                                                        \
    X(cipherenum_orders_and_bounds)                                                                \
    X(hello_tls13_offer)                                                                           \
    X(hello_reads_tls13_server_hello)                                                              \
    X(grade_without_addresses)                                                                     \
    X(conn_smtp_replies_at_every_split)                                                            \
    X(conn_smtp_refusals_and_injection)                                                            \
    X(conn_imap_pop3_ftp_dialogs)                                                                  \
    X(conn_sieve_lmtp_dialogs)                                                                     \
    X(conn_postgres_answers)                                                                       \
    X(conn_mysql_answers)                                                                          \
    X(conn_ldap_answers)                                                                           \
    X(conn_xmpp_refusals)                                                                          \
    X(conn_xmpp_hostile_xml)                                                                       \
    X(conn_nntp_dialogs)                                                                           \
    X(dns_answer_srv)                                                                              \
    X(summary_expiring_lines_do_not_follow_finish_order)                                           \
    X(reasons_table_is_whole)                                                                      \
    X(reasons_read_back_from_messages)                                                             \
    X(options_defaults_from_the_table)                                                             \
    X(options_table_is_consistent)                                                                 \
    X(nagios_options)                                                                              \
    X(sasl_cram_md5_rfc2195)                                                                       \
    X(sasl_scram_rfc5802_rfc7677)                                                                  \
    X(sasl_scram_hostile_server_first)                                                             \
    X(sasl_shapes_and_auto)                                                                        \
    X(raw_replies_kept_and_bounded)

#define DECLARE(name) void test_##name(void);
TEST_LIST(DECLARE)

struct test {
    const char *name;
    void (*fn)(void);
};

#define ENTRY(name) {#name, test_##name},
static const struct test tests[] = {TEST_LIST(ENTRY)};

static int run_one(const struct test *t)
{
    pid_t pid = fork();
    if (pid == 0) {
        alarm(20); /* a hung test fails instead of hanging the suite */
        t->fn();
        exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    if (WIFSIGNALED(status))
        fprintf(stderr, "  killed by signal %d (%s)\n", WTERMSIG(status), strsignal(WTERMSIG(status)));
    return 1;
}

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        if (argc > 1 && strstr(tests[i].name, argv[1]) == NULL) continue;
        fflush(stdout);
        int rc = run_one(&tests[i]);
        printf("%s %s\n", rc ? "not ok" : "ok", tests[i].name);
        if (rc)
            failed++;
        else
            passed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
