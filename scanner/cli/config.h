/* The scan's configuration: parsed once from the command line, then shared
 * read-only by every worker. */
#ifndef STS_CONFIG_H
#define STS_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "scanner/input/addrblock.h"

#define MAX_RESOLVERS 8

struct dialog;
struct output_format;

struct config {
    const struct dialog *dialog; /* -p: the protocol */
    const char *input;  /* NULL or "-": stdin */
    const char *output; /* NULL or "-": stdout */
    bool overwrite;
    bool resume; /* append to -o FILE, skipping the targets it has */
    bool mx_mode; /* resolve MX: smtp without --no-mx */
    int port;     /* --port, else the protocol's default */
    int workers;
    int concurrency;
    int max_tls; /* TLS phases at once, all workers together (memory bound) */
    int mx_max;
    int addr_max; /* addresses kept per host name */
    const char *resolvers[MAX_RESOLVERS];
    int nresolvers;
    bool allow_private;
    int per_host; /* connections at once to one address */
    int rate;     /* new connections a second, all workers together; 0: no limit */
    struct cidr_list blocklist; /* --blocklist: never scanned */
    struct cidr_list allowlist; /* --allowlist: when given, only these are scanned */
    char ehlo[256];
    bool ehlo_guessed; /* the machine has no FQDN: ehlo is HOSTNAME.invalid */
    bool no_mx;        /* --no-mx given */
    uint64_t timeout_ms;   /* overall, per probe */
    uint64_t connect_ms;   /* TCP connect */
    uint64_t banner_ms;    /* the greeting: inactivity */
    uint64_t reply_ms;     /* any later reply: inactivity */
    uint64_t handshake_ms; /* TLS handshake */
    uint64_t dns_ms;       /* one DNS try */
    int dns_tries;
    const char *ca_file;
    bool versions; /* enumerate the protocol versions each server accepts */
    bool retry;              /* probe "try again later" endpoints once more (--no-retry) */
    uint64_t retry_delay_ms; /* --retry-delay: at least this long after the first attempt */
    bool quiet;
    bool progress;               /* --progress: a line every 10 s when stderr is no terminal */
    const char *summary_file;    /* --summary FILE: the summary as JSON */
    long expiring_within;        /* --expiring-within DAYS; -1: not asked */
    /* starttls-scan check */
    bool check;
    const char *check_target; /* HOST[:PORT] */
    const char *auth_user;    /* --auth-user: test AUTH inside TLS */
    const char *auth_mech;    /* --auth-mech: PLAIN or LOGIN (SMTP, IMAP) */
    char *password;           /* from the environment or a prompt, never argv */
    bool no_verify;           /* check --no-verify: an invalid chain or name is a warning */
    const struct output_format *format; /* -f */
    bool stdin_closed, stdout_closed;   /* fd 0 or 1 was closed at start (now /dev/null) */
};

/* Parses argv into *cfg. Returns 0 to scan, 1 when --help/--version printed
 * and the program should exit 0, or 2 after printing an error to stderr.
 * check: the arguments of "starttls-scan check HOST[:PORT] ...". */
int config_parse(struct config *cfg, int argc, char **argv, bool check);
/* The --help texts (scanner/cli/usage.c). */
extern const char usage_scan[];
extern const char usage_check[];

/* Frees what parsing loaded (the range lists); after any config_parse. */
void config_free(struct config *cfg);

/* scanner/cli/config_values.c: strict values for the command line. Each
 * returns 0, or -1 after printing an error that names the option. */
/* Digits only, within [min, max]. */
int parse_count(const char *opt, const char *s, long min, long max, long *out);
/* Seconds with up to three decimals ("2", "0.5") → milliseconds, > 0. */
int parse_seconds(const char *opt, const char *s, uint64_t *ms);
int check_resolver(const char *s);
int check_ehlo(const char *name);
/* This machine's fully qualified name, or HOSTNAME.invalid (*guessed). */
void default_ehlo(char *out, size_t len, bool *guessed);

#endif
