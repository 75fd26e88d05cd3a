/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/input/targets.h"
#include "tests/unit/test.h"

static enum target_parse parse(const char *line, int mx, struct target *t, const char **why)
{
    return target_parse_line(line, strlen(line), mx, t, why);
}

TEST_IMPL(targets_domains)
{
    struct target t;
    const char *why;
    ASSERT_EQ(parse("  Example.COM.  ", 1, &t, &why), TP_OK);
    ASSERT_STR_EQ(t.name, "example.com");
    ASSERT_EQ(t.kind, TARGET_DOMAIN);
    ASSERT_EQ(parse("example.org\r", 1, &t, &why), TP_OK);
    ASSERT_STR_EQ(t.name, "example.org");
    ASSERT_EQ(parse("mail_x.example # a comment", 1, &t, &why), TP_OK);
    ASSERT_STR_EQ(t.name, "mail_x.example");
    ASSERT_EQ(parse("# only a comment", 1, &t, &why), TP_SKIP);
    ASSERT_EQ(parse("   \t ", 1, &t, &why), TP_SKIP);
    ASSERT_EQ(parse("", 1, &t, &why), TP_SKIP);
}

TEST_IMPL(targets_hosts_and_ports)
{
    struct target t;
    const char *why;
    ASSERT_EQ(parse("mx.example.com:587", 0, &t, &why), TP_OK);
    ASSERT_EQ(t.kind, TARGET_HOST);
    ASSERT_EQ(t.port, 587);
    ASSERT_EQ(parse("192.0.2.1", 0, &t, &why), TP_OK);
    ASSERT_EQ(t.kind, TARGET_IPV4);
    ASSERT_EQ(t.port, 0);
    ASSERT_EQ(parse("192.0.2.1:2525", 0, &t, &why), TP_OK);
    ASSERT_EQ(t.port, 2525);
    ASSERT_EQ(parse("[2001:DB8::1]:25", 0, &t, &why), TP_OK);
    ASSERT_EQ(t.kind, TARGET_IPV6);
    ASSERT_STR_EQ(t.name, "2001:db8::1");
    ASSERT_EQ(t.port, 25);
    ASSERT_EQ(parse("2001:db8::2", 0, &t, &why), TP_OK);
    ASSERT_EQ(t.kind, TARGET_IPV6);
    ASSERT_EQ(t.port, 0);
    /* An IPv4-mapped IPv6 address is the IPv4 address it maps, from the start. */
    ASSERT_EQ(parse("[::ffff:127.0.1.1]:25", 0, &t, &why), TP_OK);
    ASSERT_EQ(t.kind, TARGET_IPV4);
    ASSERT_STR_EQ(t.name, "127.0.1.1");
    ASSERT_EQ(t.port, 25);
    ASSERT_EQ(parse("::FFFF:7f00:2", 0, &t, &why), TP_OK);
    ASSERT_EQ(t.kind, TARGET_IPV4);
    ASSERT_STR_EQ(t.name, "127.0.0.2");
}

TEST_IMPL(targets_invalid)
{
    struct target t;
    const char *why;
    const char *bad_mx[] = {"a..b", "-", "exa mple.com", "192.0.2.1", "[::1]", "host:25",
                            "caf\xc3\xa9.example", "1.2.3", "x.123"};
    for (size_t i = 0; i < sizeof bad_mx / sizeof bad_mx[0]; i++) {
        if (parse(bad_mx[i], 1, &t, &why) != TP_INVALID) FAIL_AT("accepted '%s'", bad_mx[i]);
        ASSERT(why != NULL);
    }
    const char *bad_host[] = {"host:0", "host:65536", "host:25x", "[::1", "[::1]x", "[zz::1]",
                              "999.1.1.1", "host:"};
    for (size_t i = 0; i < sizeof bad_host / sizeof bad_host[0]; i++)
        if (parse(bad_host[i], 0, &t, &why) != TP_INVALID) FAIL_AT("accepted '%s'", bad_host[i]);
    char label[80];
    memset(label, 'a', 64);
    strcpy(label + 64, ".com");
    ASSERT_EQ(parse(label, 1, &t, &why), TP_INVALID);
    ASSERT_STR_EQ(why, "label longer than 63 bytes");
    char name[400] = "";
    for (int i = 0; i < 60; i++) strcat(name, "abcd.");
    strcat(name, "com");
    ASSERT_EQ(parse(name, 1, &t, &why), TP_INVALID);
    ASSERT_STR_EQ(why, "name longer than 253 bytes");
    ASSERT_EQ(target_parse_line("a\0b.com", 7, 1, &t, &why), TP_INVALID);
    ASSERT_STR_EQ(why, "NUL byte in line");
    ASSERT_EQ(parse("caf\xc3\xa9.example", 1, &t, &why), TP_INVALID);
    ASSERT(strstr(why, "non-ASCII") != NULL);
}

TEST_IMPL(targets_key_case_and_dot)
{
    /* The name the dedup keys are made of (feeder_target_key) is normalised. */
    struct target a, b;
    const char *why;
    ASSERT_EQ(parse("Example.COM.", 1, &a, &why), TP_OK);
    ASSERT_EQ(parse("example.com", 1, &b, &why), TP_OK);
    ASSERT_STR_EQ(a.name, b.name);
    ASSERT_EQ(a.port, b.port);
    ASSERT_EQ(parse("example.com:26", 0, &b, &why), TP_OK);
    ASSERT_STR_EQ(a.name, b.name);
    ASSERT_EQ(b.port, 26);
}
