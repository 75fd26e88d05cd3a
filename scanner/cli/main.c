/* SPDX-License-Identifier: GPL-2.0-or-later */
/* starttls-scan: STARTTLS for many mail hosts at once. */
#include <ares.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "scanner/cli/provenance.h"
#include "scanner/cli/check.h"
#include "scanner/cli/cmdline.h"
#include "scanner/cli/merge_cmd.h"
#include "scanner/cli/rollup_cmd.h"
#include "scanner/cli/run.h"

/* fds 0-2 that were closed at start get /dev/null, so that no file or
 * socket of ours (libuv's epoll fd, say) lands on them; the caller learns
 * which were closed. */
static void reserve_std_fds(bool closed[3])
{
    for (int fd = 0; fd < 3; fd++) {
        closed[fd] = fcntl(fd, F_GETFD) == -1 && errno == EBADF;
        if (!closed[fd]) continue;
        int n = open("/dev/null", O_RDWR);
        if (n >= 0 && n != fd) {
            dup2(n, fd);
            close(n);
        }
    }
}

/* check: the scan's engine for one host, with the TLS and DNS libraries. */
static int check_command(int argc, char **argv)
{
    if (wolfSSL_Init() != WOLFSSL_SUCCESS || ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) return 2;
    int status = check_main(argc, argv);
    ares_library_cleanup();
    wolfSSL_Cleanup();
    return status;
}

/* The commands besides the scan, by their first word; each gets argv from
 * its own name on. */
static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"check", check_command},
    {"merge", merge_main},
    {"rollup", rollup_main},
    {"report", report_main},
};

static int scan_command(int argc, char **argv, const bool closed[3])
{
    struct config cfg;
    int rc = config_parse(&cfg, argc, argv, false);
    cfg.stdin_closed = closed[0];
    cfg.stdout_closed = closed[1];
    if (rc != 0) {
        config_free(&cfg);
        return rc == 1 ? 0 : rc;
    }
    /* Every connection allocates and frees ~40 KiB of TLS state: without
     * these, the workers' heaps grow a page at a time and shrink again, an
     * mprotect per page (bench/README.md). Untouched pages cost no RSS. */
    mallopt(M_TOP_PAD, 16 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    if (wolfSSL_Init() != WOLFSSL_SUCCESS || ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
        fputs("starttls-scan: cannot initialise the TLS or DNS library\n", stderr);
        return 2;
    }
    int status = run_scan(&cfg, NULL, NULL);
    config_free(&cfg);
    ares_library_cleanup();
    wolfSSL_Cleanup();
    return status;
}

int main(int argc, char **argv)
{
    provenance_command_line(argc, argv);
    bool closed[3];
    reserve_std_fds(closed);
    /* A closed pipe, or a file past ulimit -f, is a write error the writers
     * report (and stop at, the file ending with a whole row), not a death. */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
    for (size_t i = 0; argc > 1 && i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    return scan_command(argc, argv, closed);
}
