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

int main(int argc, char **argv)
{
    bool closed[3];
    reserve_std_fds(closed);
    /* A closed pipe, or a file past ulimit -f, is a write error the writers
     * report (and stop at, the file ending with a whole row), not a death. */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
    if (argc > 1 && strcmp(argv[1], "check") == 0) {
        if (wolfSSL_Init() != WOLFSSL_SUCCESS || ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
            return 2;
        int status = check_main(argc - 1, argv + 1);
        ares_library_cleanup();
        wolfSSL_Cleanup();
        return status;
    }
    if (argc > 1 && strcmp(argv[1], "merge") == 0) {
        return merge_main(argc - 1, argv + 1);
    }
    if (argc > 1 && (strcmp(argv[1], "rollup") == 0 || strcmp(argv[1], "report") == 0)) {
        return strcmp(argv[1], "rollup") == 0 ? rollup_main(argc - 1, argv + 1) : report_main(argc - 1, argv + 1);
    }
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
