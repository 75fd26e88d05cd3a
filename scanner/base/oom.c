/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/base/oom.h"

#include <stdio.h>
#include <stdlib.h>

void out_of_memory(void)
{
    fputs("starttls-scan: out of memory\n", stderr);
    abort();
}
