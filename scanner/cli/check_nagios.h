/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check --nagios (issue 26): the Monitoring Plugins' output for Nagios,
 * Icinga, Naemon and Sensu. The transcript is not shown (standard output is
 * the plugin's); check.c judges each row as it does for the transcript
 * and hands it here with the kind of its failure. The worst row's state
 * wins (CRITICAL, then WARNING, then UNKNOWN, then OK); the first line
 * says it and carries the perfdata, a line per address follows.
 * Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
#ifndef STS_CHECK_NAGIOS_H
#define STS_CHECK_NAGIOS_H

#include <stdbool.h>
#include <stddef.h>

#include "scanner/cli/failkind.h"

struct config;
struct row;

enum nagios_state { NAGIOS_OK = 0, NAGIOS_WARNING = 1, NAGIOS_CRITICAL = 2, NAGIOS_UNKNOWN = 3 };

/* Keeps standard output for the plugin's lines and sends the transcript
 * to /dev/null: 0, or -1. */
int nagios_begin(void);
/* One row: bad with the kind of its failure and why, or passed (warn: what
 * is only a warning, "" for none). */
void nagios_row(const struct config *cfg, const struct row *row, enum check_kind kind, bool bad, const char *why,
                const char *warn);
/* The lines, and the exit status. run_status: run_scan's (not 0: UNKNOWN). */
int nagios_end(const struct config *cfg, int run_status);
/* Has nagios_end printed the lines? */
bool nagios_ended(void);
/* What check wrote on stderr while its standard error was the file fd:
 * copied to the real stderr; its first line (without "starttls-scan
 * check: ") into first, when there is one. */
void nagios_replay_stderr(int fd, char *first, size_t len);
/* "STARTTLS UNKNOWN - why" when nothing can be judged (a usage error): 3. */
int nagios_unknown(const char *why);

#endif
