/* SPDX-License-Identifier: GPL-2.0-or-later */
/* starttls-scan merge -o OUT [OPTIONS] SHARD... */
#ifndef STS_MERGE_CMD_H
#define STS_MERGE_CMD_H

/* argv[0] is "merge"; the exit status. */
int merge_main(int argc, char **argv);

#endif
