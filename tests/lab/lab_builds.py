# SPDX-License-Identifier: GPL-2.0-or-later
"""One scan, two builds: the rows of BINARY and of STS_LAB_OTHER_BINARY (make
test: the tuned wolfSSL build) must be the same, column for column, timing
columns aside (issue 17: the speed options change no result)."""
import os

from lab_protocols import LEGACY, PROTOCOLS
from lab_scan import EXPECT
from labkit import COLUMNS, TIMING, by_endpoint, check, scan

OTHER = os.environ.get("STS_LAB_OTHER_BINARY", "")


def compare(what, lines, *opts):
    mine, err, _, rc = scan(lines, "--allow-private", *opts)
    theirs, err2, _, rc2 = scan(lines, "--allow-private", *opts, binary=OTHER)
    check(rc == rc2 == 0, "%s: both exit 0 (%d, %d): %s %s" % (what, rc, rc2, err, err2))
    a, b = by_endpoint(mine), by_endpoint(theirs)
    check(sorted(a) == sorted(b) and len(a) > 0, "%s: the same targets: %r vs %r" % (what, sorted(a), sorted(b)))
    for key in sorted(set(a) & set(b)):
        for col in COLUMNS:
            if col not in TIMING:
                check(a[key][col] == b[key][col], "%s %r: %s is %r with one build, %r with the other"
                      % (what, key, col, a[key][col], b[key][col]))
    return a


def test_rows_agree_across_builds():
    if not OTHER:
        print("test_rows_agree_across_builds: skipped (STS_LAB_OTHER_BINARY is not set)")
        return
    check(os.access(OTHER, os.X_OK), "STS_LAB_OTHER_BINARY %s is a program" % OTHER)
    rows = compare("MX scan", list(EXPECT) + [d for d in LEGACY if d not in EXPECT])
    check(sum(1 for r in rows.values() if r["status"] == "ok") >= 10, "the MX scan has handshakes to compare")
    compare("--versions", list(LEGACY), "--versions")
    for proto in sorted({p for p, _, _, _ in PROTOCOLS}):
        compare("-p " + proto, [line for p, line, _, _ in PROTOCOLS if p == proto], "-p", proto)
