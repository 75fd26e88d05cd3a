/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The unit tests' certificate files (tests/data, made by make-certs.sh). */
#ifndef STS_TESTDATA_H
#define STS_TESTDATA_H

#include <stddef.h>

/* The first certificate of tests/data/NAME, as DER; stops the test if none. */
size_t load_der(const char *name, unsigned char *der, size_t cap);

#endif
