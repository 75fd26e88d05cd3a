/* The --help texts. */
#ifndef STS_USAGE_H
#define STS_USAGE_H

#include <stdbool.h>
#include <stdio.h>

/* The scan's (or check's) --help, the protocol and format lists filled in. */
void usage_print(FILE *out, bool check);

#endif
