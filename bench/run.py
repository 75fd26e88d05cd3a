#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The benchmark driver: one command, one table, everything measured in one run.

    python3 bench/run.py [--smoke] [--build DIR] [--tuned DIR] [--keep DIR] [--only SECTIONS]

Creates a network namespace of its own (only its loopback exists there),
starts bench-server and nsd inside it, and measures on the same targets:

  * starttls-scan (RSA-2048 and ECDSA P-256 chains, N distinct certificates),
    with the system wolfSSL and, when --tuned names its build (default
    build-tuned/ when it exists), the tuned one, alternating
  * the physical limit of one host with each build (bench-limit: the crypto
    of one handshake, and the kernel's cost of a TCP connection carrying the
    same dialog) and the in-process handshake floor (bench-floor)
  * nmap --script ssl-cert, sslscan --starttls-smtp, openssl s_client -starttls
    smtp under xargs -P, and testssl.sh on a small sample
  * a latency run: 10,000 connections at once, every reply delayed 200 ms
  * the mix: a population with latencies of 20-300 ms, silent hosts, tarpits
    and 421s, against its ideal wall time
  * the CPU per host of each protocol's dialog (lmtp, sieve, imap, pop3, nntp, postgres, mysql, ldap,
    xmpp) beside SMTP's
  * --workers 1 against --workers 2, CPU-bound
  * the resolver: MX (then A/AAAA) lookups/s against nsd, with the namespace's
    UDP receive-buffer drops
  * scale: a generated zone of a million domains over a few thousand
    endpoints, peak RSS per input domain and per distinct endpoint

CPU is user+sys of the measured command and its children (GNU time), divided
by the hosts that gave a certificate; peak RSS is the largest process's.
Benchmarks are never tests: --smoke only keeps this script working (CI).
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchlib import HERE, NCERTS_SERVER, ROOT, Table, cleanup, log, netns_up, sh  # noqa: E402
from dns import resolver_run  # noqa: E402
from mix import mix_section  # noqa: E402
from scale import scale_section  # noqa: E402
from sections import (callgrind_section, cpu_section, latency_section, per_host, protocols_section,  # noqa: E402
                      workers_section)

SECTIONS = ("cpu", "protocols", "callgrind", "workers", "latency", "mix", "resolver", "scale")


def sizes(smoke):
    big = {"cpu": 10000, "latency": 30000, "latency_c": 10000, "workers": 12000, "resolve": 100000,
           "floor": 400, "limit": 400, "openssl": 400, "nmap": 400, "sslscan": 100, "testssl": 2,
           "reps": 3, "callgrind": 300, "lat_reps": 2, "mix": 50000, "mix_c": 5000,
           "scale_domains": 1000000, "scale_endpoints": 20000, "protocols": 5000}
    small = {"cpu": 300, "latency": 400, "latency_c": 200, "workers": 300, "resolve": 500, "floor": 20,
             "limit": 20, "openssl": 20, "nmap": 10, "sslscan": 5, "testssl": 1, "reps": 1,
             "callgrind": 20, "lat_reps": 1, "mix": 400, "mix_c": 200, "scale_domains": 8000,
             "scale_endpoints": 200, "protocols": 100}
    return small if smoke else big


def tuned_version_check(tuned):
    """A tuned build is Debian's source of one version: say so when the
    installed libwolfssl-dev moved past it (a security update to rebuild for)."""
    path = os.path.join(tuned, "wolfssl-tuned", "version")
    if not os.path.exists(path):
        return None
    built = open(path).read().strip()
    installed = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libwolfssl-dev"],
                               capture_output=True, text=True).stdout.strip()
    if installed and installed != built:
        return ("WARNING: the tuned wolfSSL is Debian's %s, but %s is installed: rebuild it "
                "(cmake --build %s) to have the security fixes" % (built, installed, tuned))
    return "the tuned wolfSSL is Debian's %s, the installed version" % built


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="tiny sizes: keeps the driver working (CI)")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--tuned", help="a -DSTS_WOLFSSL=tuned build (default: build-tuned/ when it exists)")
    ap.add_argument("--keep", help="keep the work files in this directory")
    ap.add_argument("--only", help="comma-separated sections: " + ",".join(SECTIONS))
    a = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("bench: needs root (network namespace)")
    only = set(a.only.split(",")) if a.only else set(SECTIONS)
    builds = {"system": a.build}
    tuned = a.tuned or (os.path.join(ROOT, "build-tuned")
                        if os.path.exists(os.path.join(ROOT, "build-tuned", "starttls-scan")) else None)
    if tuned:
        builds["tuned"] = tuned
    size = sizes(a.smoke)
    certs = {}
    for key in ("rsa", "ecdsa"):
        certs[key] = os.path.join(HERE, ".certs", key)
        sh("bash", os.path.join(HERE, "make-certs.sh"), certs[key], key, str(NCERTS_SERVER))
    workdir = a.keep or tempfile.mkdtemp(prefix="sts-bench.")
    os.makedirs(workdir, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    netns_up()
    table = Table()
    summary = []
    if tuned:
        summary.append(tuned_version_check(tuned) or "tuned build %s: no version file" % tuned)
    try:
        cores = os.cpu_count() or 2
        fast = builds.get("tuned", a.build)  # the sections below run the fastest build
        base, best = 10, {}
        if "cpu" in only:
            best, base = cpu_section(builds, workdir, certs, size, cores, base, table, summary)
        if "protocols" in only:
            base = protocols_section(fast, workdir, certs, size, cores, base, summary)
        if "callgrind" in only:
            for build in builds.values():
                callgrind_section(build, workdir, certs, size, cores, summary)
        if "workers" in only:
            base = workers_section(fast, workdir, certs, size, cores, base, table, summary)
        if "latency" in only:
            base = latency_section(fast, workdir, certs, size, cores, base, table, summary)
        if "mix" in only:
            base = mix_section(fast, workdir, certs, NCERTS_SERVER, size["mix"], size["mix_c"], cores,
                               base, summary, table)
        if "resolver" in only:
            runs = resolver_run(fast, workdir, size["resolve"], 5000, (1, cores))
            for (w, what), res in sorted(runs.items()):
                lost = sum(v for k, v in res["status"].items() if k not in ("blocked",))
                summary.append("resolver, --workers %d, %s: %d domains, %.0f domains/s (%.0f DNS "
                               "queries/s, %.2f a domain), %d not resolved, %d UDP receive-buffer drops, "
                               "%.0f µs CPU/domain, peak RSS %.0f MiB"
                               % (w, "MX, A, AAAA only" if what == "MX" else "with the policy lookups",
                                  res["n"], res["n"] / res["wall"], res["queries"] / res["wall"],
                                  res["queries"] / res["n"], lost, res["drops"], res["cpu"] * 1e6 / res["n"],
                                  res["rss"]))
        if "scale" in only:
            base = scale_section(fast, workdir, certs, NCERTS_SERVER, size["scale_domains"],
                                 size["scale_endpoints"], cores, base + 1, summary)
        print()
        table.show()
        print()
        for line in summary:
            print(line)
        for name in builds:
            if (name, "rsa") not in best:
                continue
            scan_rsa = per_host(best[(name, "rsa")])
            for tool, key, n, ok, wall, hps, cpu_host, rss, note in table.rows:
                if not tool.startswith("starttls-scan") and ok:
                    print("%s uses %.1f × the %s scanner's CPU per host" % (tool, cpu_host / scan_rsa, name))
    finally:
        cleanup()
        if not a.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
