/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <unistd.h>

#include "scanner/input/addrblock.h"
#include "tests/unit/test.h"

static const char *reason(const char *ip)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (strchr(ip, ':')) {
        ss.ss_family = AF_INET6;
        ASSERT(inet_pton(AF_INET6, ip, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1);
    } else {
        ss.ss_family = AF_INET;
        ASSERT(inet_pton(AF_INET, ip, &((struct sockaddr_in *)&ss)->sin_addr) == 1);
    }
    return addr_block_reason((struct sockaddr *)&ss);
}

TEST_IMPL(addrblock_builtin)
{
    const char *blocked[] = {"0.0.0.0", "10.1.2.3", "100.64.0.1", "100.127.255.255", "127.0.0.1",
                             "127.255.0.1", "169.254.1.1", "172.16.0.1", "172.31.255.255",
                             "192.0.0.8", "192.0.2.55", "192.168.1.1", "198.18.0.1", "198.19.255.1",
                             "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.1.1.1",
                             "240.0.0.1", "255.255.255.255", "::", "::1", "::ffff:127.0.0.1",
                             "::ffff:10.0.0.1", "64:ff9b::a00:1", "fc00::1", "fd12:3456::1",
                             "fe80::1", "ff02::1", "2001:db8::1", "100::1", "3fff::1"};
    for (size_t i = 0; i < sizeof blocked / sizeof blocked[0]; i++)
        if (!reason(blocked[i])) FAIL_AT("%s is not blocked", blocked[i]);
    const char *open[] = {"1.1.1.1", "8.8.8.8", "100.63.255.255", "100.128.0.0", "172.15.255.255",
                          "172.32.0.0", "192.0.3.1", "192.169.0.1", "198.17.255.255",
                          "198.20.0.0", "223.255.255.255", "2a00:1450:4001::1",
                          "2600::1", "::ffff:8.8.8.8", "64:ff9b::808:808"};
    for (size_t i = 0; i < sizeof open / sizeof open[0]; i++)
        if (reason(open[i])) FAIL_AT("%s is blocked as %s", open[i], reason(open[i]));
    ASSERT_STR_EQ(reason("127.0.0.1"), "loopback 127.0.0.0/8");
}

TEST_IMPL(addrblock_cidr_parse)
{
    struct cidr c;
    ASSERT_EQ(cidr_parse("10.0.0.0/8", &c), 0);
    ASSERT_EQ(c.prefix, 8);
    ASSERT_EQ(cidr_parse("2001:db8::/32", &c), 0);
    ASSERT_EQ(c.family, AF_INET6);
    ASSERT_EQ(cidr_parse("192.0.2.1", &c), 0);
    ASSERT_EQ(c.prefix, 32);
    ASSERT_EQ(cidr_parse("10.0.0.0/33", &c), -1);
    ASSERT_EQ(cidr_parse("10.0.0.0/", &c), -1);
    ASSERT_EQ(cidr_parse("10.0.0.0/-1", &c), -1);
    ASSERT_EQ(cidr_parse("10.0.0/8", &c), -1);
    ASSERT_EQ(cidr_parse("", &c), -1);
}

/* A list file holding text, at path (a mkstemp template). */
static void list_file(char *path, const char *text)
{
    int fd = mkstemp(path);
    ASSERT(fd >= 0);
    ASSERT_EQ(write(fd, text, strlen(text)), (long long)strlen(text));
    close(fd);
}

TEST_IMPL(addrblock_list_files)
{
    char path[] = "/tmp/sts-cidr-XXXXXX";
    list_file(path, "# zmap format\n\n192.0.2.0/24\n  198.51.100.7   # one host\r\n2001:db8::/32\n");
    struct cidr_list list = {0};
    char err[256];
    ASSERT_EQ(cidr_list_load(&list, path, err, sizeof err), 0);
    ASSERT_EQ(list.n, 3);
    struct sockaddr_in in = {.sin_family = AF_INET};
    inet_pton(AF_INET, "198.51.100.7", &in.sin_addr);
    ASSERT(cidr_list_find(&list, (struct sockaddr *)&in) != NULL);
    inet_pton(AF_INET, "198.51.100.8", &in.sin_addr);
    ASSERT(cidr_list_find(&list, (struct sockaddr *)&in) == NULL);
    cidr_list_free(&list);

    const char *bad[] = {"10.0.0.0/8 extra\n", "300.1.1.1\n", "10.0.0.0/40\n", "host.example\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        FILE *f = fopen(path, "w");
        fprintf(f, "# ok\n192.0.2.1\n%s", bad[i]);
        fclose(f);
        ASSERT_EQ(cidr_list_load(&list, path, err, sizeof err), -1);
        ASSERT(strstr(err, ":3: ") != NULL); /* names the line */
        cidr_list_free(&list);
    }
    ASSERT_EQ(cidr_list_load(&list, "/nonexistent/list", err, sizeof err), -1);
    unlink(path);
}

static struct sockaddr_storage sa_of(const char *ip)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (strchr(ip, ':')) {
        ss.ss_family = AF_INET6;
        ASSERT(inet_pton(AF_INET6, ip, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1);
    } else {
        ss.ss_family = AF_INET;
        ASSERT(inet_pton(AF_INET, ip, &((struct sockaddr_in *)&ss)->sin_addr) == 1);
    }
    return ss;
}

TEST_IMPL(addrblock_mapped_normalised)
{
    /* ::ffff:a.b.c.d is the IPv4 address a.b.c.d: it becomes one. */
    struct sockaddr_storage ss = sa_of("::ffff:127.0.1.1");
    ASSERT_EQ(addr_normalize(&ss), 1);
    ASSERT_EQ(ss.ss_family, AF_INET);
    char text[64];
    inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, text, sizeof text);
    ASSERT_STR_EQ(text, "127.0.1.1");
    ss = sa_of("2001:db8::1");
    ASSERT_EQ(addr_normalize(&ss), 0);
    ASSERT_EQ(ss.ss_family, AF_INET6);
    ss = sa_of("192.0.2.1");
    ASSERT_EQ(addr_normalize(&ss), 0);
}

TEST_IMPL(addrblock_embedded_ipv4)
{
    /* NAT64, 6to4 and IPv4-compatible forms are judged by the IPv4 inside. */
    const char *blocked[] = {"64:ff9b::7f00:1", "64:ff9b::10.1.2.3", "2002:7f00:1::1",
                             "2002:0a00:0001:1::1", "2002:c0a8:0101::", "::127.0.0.1",
                             "::ffff:0:127.0.0.1" /* SIIT */, "::ffff:192.168.1.1"};
    for (size_t i = 0; i < sizeof blocked / sizeof blocked[0]; i++)
        if (!reason(blocked[i])) FAIL_AT("%s is not blocked", blocked[i]);
    ASSERT(strstr(reason("2002:7f00:1::1"), "loopback 127.0.0.0/8") != NULL);
    ASSERT(strstr(reason("2002:7f00:1::1"), "6to4") != NULL);
    const char *open[] = {"2002:0808:0808::1", "64:ff9b::8.8.4.4"};
    for (size_t i = 0; i < sizeof open / sizeof open[0]; i++)
        if (reason(open[i])) FAIL_AT("%s is blocked as %s", open[i], reason(open[i]));
    uint8_t v4[4], a6[16];
    inet_pton(AF_INET6, "2002:c000:0201::", a6);
    ASSERT_EQ(addr_embedded_ipv4(a6, v4), 1);
    ASSERT(v4[0] == 192 && v4[1] == 0 && v4[2] == 2 && v4[3] == 1);
    inet_pton(AF_INET6, "2001:db8::1", a6);
    ASSERT_EQ(addr_embedded_ipv4(a6, v4), 0);
}

TEST_IMPL(addrblock_lists_see_the_ipv4_inside)
{
    char path[] = "/tmp/sts-cidr-XXXXXX";
    list_file(path, "127.0.1.0/24\n");
    struct cidr_list list = {0};
    char err[256];
    ASSERT_EQ(cidr_list_load(&list, path, err, sizeof err), 0);
    const char *inside[] = {"127.0.1.1", "::ffff:127.0.1.1", "64:ff9b::127.0.1.9",
                            "2002:7f00:0102::1", "::127.0.1.3"};
    for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++) {
        struct sockaddr_storage ss = sa_of(inside[i]);
        if (!cidr_list_find(&list, (struct sockaddr *)&ss)) FAIL_AT("%s is not in 127.0.1.0/24", inside[i]);
    }
    const char *outside[] = {"127.0.2.1", "::ffff:127.0.2.1", "2001:db8::7f00:101"};
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
        struct sockaddr_storage ss = sa_of(outside[i]);
        if (cidr_list_find(&list, (struct sockaddr *)&ss)) FAIL_AT("%s is in 127.0.1.0/24", outside[i]);
    }
    cidr_list_free(&list);
    unlink(path);
}
