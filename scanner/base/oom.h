/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where nothing sensible can follow a failed allocation (a waiter would
 * never hear back, a row would be lost): say so and stop. Where a caller
 * can report the failure and go on, it does, and does not call this. */
#ifndef STS_OOM_H
#define STS_OOM_H

_Noreturn void out_of_memory(void);

#endif
