/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The values options take, parsed strictly: numbers, seconds, resolver
 * addresses, host names; and the default EHLO name. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "scanner/cli/config.h"
#include "scanner/input/targets.h"

int parse_count(const char *opt, const char *s, long min, long max, long *out)
{
    long v = 0;
    size_t n = strlen(s);
    if (n == 0 || n > 9) goto bad;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) goto bad;
        v = v * 10 + (s[i] - '0');
    }
    if (v < min || v > max) goto bad;
    *out = v;
    return 0;
bad:
    fprintf(stderr, "starttls-scan: %s: '%s' is not a whole number from %ld to %ld\n", opt, s, min,
            max);
    return -1;
}

int parse_seconds(const char *opt, const char *s, uint64_t *ms)
{
    uint64_t whole = 0, frac = 0;
    int fdigits = 0;
    const char *p = s;
    if (!isdigit((unsigned char)*p)) goto bad;
    for (; isdigit((unsigned char)*p); p++) {
        whole = whole * 10 + (uint64_t)(*p - '0');
        if (whole > 86400) goto bad;
    }
    if (*p == '.') {
        for (p++; isdigit((unsigned char)*p); p++) {
            if (++fdigits > 3) goto bad;
            frac = frac * 10 + (uint64_t)(*p - '0');
        }
        if (fdigits == 0) goto bad;
    }
    if (*p != '\0') goto bad;
    while (fdigits++ < 3) frac *= 10;
    *ms = whole * 1000 + frac;
    if (*ms == 0) goto bad;
    return 0;
bad:
    fprintf(stderr, "starttls-scan: %s: '%s' is not a number of seconds above 0 (at most 86400, "
                    "three decimals)\n", opt, s);
    return -1;
}

int check_resolver(const char *s)
{
    char host[INET6_ADDRSTRLEN + 2] = "";
    unsigned char bin[16];
    const char *port = NULL;
    size_t n = strlen(s);
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (close && (size_t)(close - s - 1) < sizeof host) {
            snprintf(host, sizeof host, "%.*s", (int)(close - s - 1), s + 1);
            if (close[1] == ':') port = close + 2;
            else if (close[1] != '\0') close = NULL;
        }
        if (!close || inet_pton(AF_INET6, host, bin) != 1) goto bad;
    } else if (strchr(s, ':') && strchr(s, ':') != strrchr(s, ':')) {
        if (n >= sizeof host || inet_pton(AF_INET6, s, bin) != 1) goto bad;
    } else {
        /* Strictly four parts: c-ares would take "1.2.3" as 1.2.0.3. */
        const char *colon = strchr(s, ':');
        size_t hl = colon ? (size_t)(colon - s) : n;
        if (hl >= sizeof host) goto bad;
        snprintf(host, sizeof host, "%.*s", (int)hl, s);
        if (inet_pton(AF_INET, host, bin) != 1) goto bad;
        if (colon) port = colon + 1;
    }
    long v;
    if (port && parse_count("--resolver", port, 1, 65535, &v) != 0) return -1;
    return 0;
bad:
    fprintf(stderr, "starttls-scan: --resolver: '%s' is not IP[:PORT], [IPv6][:PORT] or an IPv6 "
                    "address\n", s);
    return -1;
}

int check_ehlo(const char *name)
{
    size_t n = strlen(name);
    if (n >= 256) {
        fprintf(stderr, "starttls-scan: --ehlo: name too long\n");
        return -1;
    }
    if (hostname_problem(name, n) == NULL) return 0;
    /* An address literal is also a valid EHLO argument (RFC 5321 4.1.3). */
    if (n > 2 && name[0] == '[' && name[n - 1] == ']') return 0;
    fprintf(stderr, "starttls-scan: --ehlo: '%s' is not a host name or [address]\n", name);
    return -1;
}

/* The machine's FQDN: the host name when it has a dot, else its canonical
 * name when the system's resolver knows one with a dot. Without either,
 * HOSTNAME.invalid: a fully qualified name (some servers refuse others)
 * that claims nothing (RFC 2606); *guessed says so. */
void default_ehlo(char *out, size_t len, bool *guessed)
{
    char host[256] = "localhost";
    if (gethostname(host, sizeof host - 1) != 0) snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    *guessed = false;
    snprintf(out, len, "%s", host);
    if (strchr(host, '.') && hostname_problem(host, strlen(host)) == NULL) return;
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_flags = AI_CANONNAME;
    if (getaddrinfo(host, NULL, &hints, &ai) == 0 && ai && ai->ai_canonname &&
        strchr(ai->ai_canonname, '.') &&
        hostname_problem(ai->ai_canonname, strlen(ai->ai_canonname)) == NULL) {
        snprintf(out, len, "%s", ai->ai_canonname);
    } else {
        char label[64];
        size_t n = strcspn(host, ".");
        snprintf(label, sizeof label, "%.*s", (int)(n < 63 ? n : 63), host);
        if (hostname_problem(label, strlen(label)) != NULL) snprintf(label, sizeof label, "scanner");
        snprintf(out, len, "%s.invalid", label);
        *guessed = true;
    }
    if (ai) freeaddrinfo(ai);
}
