#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Integration tests: the real binary against the lab's real servers.

Usage: test_lab.py BINARY LABDIR [NAME]  (the lab is up: tests/lab/lab.sh up LABDIR)
Every row's columns are checked against what the servers were configured
with (tests/lab/lab.sh, zone.lab.test, certs.sh), against openssl s_client
on the same host, and against the servers' own logs. NAME runs only the
tests whose name holds it.
"""
import sys
import time

import lab_builds
import lab_certsize
import lab_dbs
import lab_xmpp
import lab_nntp
import lab_ciphers
import lab_hostile
import lab_monitor
import lab_auth
import lab_research
import lab_protect
import lab_report
import lab_shards
import lab_protocols
import lab_scan
import lab_tool
import lab_trust
from labkit import counts


def main():
    only = sys.argv[3] if len(sys.argv) > 3 else ""
    for module in (lab_scan, lab_protocols, lab_dbs, lab_xmpp, lab_nntp, lab_hostile, lab_tool, lab_trust, lab_certsize, lab_protect, lab_builds,
                   lab_shards, lab_ciphers, lab_report, lab_monitor, lab_auth, lab_research):
        for name, fn in sorted(vars(module).items()):
            if name.startswith("test_") and callable(fn) and only in name:
                before = counts["failed"]
                t0 = time.time()
                fn()
                print("%s %s (%.1fs)" % ("ok" if counts["failed"] == before else "not ok", name,
                                         time.time() - t0), flush=True)
    print("%d passed, %d failed" % (counts["passed"], counts["failed"]))
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
