# SPDX-License-Identifier: GPL-2.0-or-later
"""Mass scans of SMTP domains: every column, DNS outcomes, dedup, address policy, output files."""
import csv
import io
import json
import os
import pty
import re
import signal
import subprocess
import time
from datetime import datetime, timezone

from labkit import *  # noqa: F401,F403  the shared helpers and BIN, LAB, NS, CA


# What each lab domain must produce: (mx_host, mx_pref, ip) -> expected columns.
GOOD = {"status": "ok", "starttls": "yes", "chain_valid": "yes", "chain_error": "",
        "cert_key": "RSA-2048", "cert_sig_alg": "sha256WithRSAEncryption", "port": "25",
        "protocol": "smtp", "error": "", "attempts": "1"}
EXPECT = {
    "good.lab.test": {("mx-good.lab.test", "10", "127.0.1.1"): dict(GOOD, hostname_match="yes",
                      tls_version="TLSv1.3", banner="220 mx-good.lab.test ESMTP lab", cert="good")},
    "expired.lab.test": {("mx-expired.lab.test", "10", "127.0.1.2"): dict(
        GOOD, chain_valid="no", chain_error="certificate has expired (depth 0)",
        hostname_match="yes", cert="expired")},
    "self.lab.test": {("mx-self.lab.test", "10", "127.0.1.3"): dict(
        GOOD, chain_valid="no", chain_error="self-signed certificate (depth 0)",
        hostname_match="yes", cert="self")},
    "wrongname.lab.test": {("mx-wrongname.lab.test", "10", "127.0.1.4"): dict(
        GOOD, hostname_match="no", cert="wrongname", cert_san="other.example.org")},
    "tls12.lab.test": {("mx-tls12.lab.test", "10", "127.0.1.5"): dict(
        GOOD, tls_version="TLSv1.2", hostname_match="yes", cert="good")},
    "tls13.lab.test": {("mx-tls13.lab.test", "10", "127.0.1.6"): dict(
        GOOD, tls_version="TLSv1.3", hostname_match="yes", cert="good")},
    "plain.lab.test": {("mx-plain.lab.test", "10", "127.0.1.7"): {
        "status": "no_starttls", "starttls": "no", "tls_version": "", "cert_sha256": "",
        "banner": "220 mx-plain.lab.test ESMTP lab"}},
    "refuse.lab.test": {("mx-refuse.lab.test", "10", "127.0.1.8"): {
        "status": "server_refused", "starttls": "", "error~": r"^greeting: 554 5\.7\.1 .*rejected"}},
    "ecdsa.lab.test": {("mx-ecdsa.lab.test", "10", "127.0.1.9"): dict(
        GOOD, cert_key="EC-P256", cert_sig_alg="sha256WithRSAEncryption", hostname_match="yes",
        cert="ecdsa")},
    "v6.lab.test": {("mx-v6.lab.test", "10", "::1"): dict(GOOD, hostname_match="yes", cert="good",
                                                         banner="220 mx-v6.lab.test ESMTP lab")},
    "dual.lab.test": {
        ("mx-dual.lab.test", "10", "127.0.1.1"): dict(GOOD, hostname_match="yes", cert="good"),
        ("mx-dual.lab.test", "10", "::1"): dict(GOOD, hostname_match="yes", cert="good")},
    "multi.lab.test": {
        ("mx-good.lab.test", "10", "127.0.1.1"): dict(GOOD, cert="good"),
        ("mx-tls12.lab.test", "20", "127.0.1.5"): dict(GOOD, tls_version="TLSv1.2", cert="good"),
        ("mx-plain.lab.test", "30", "127.0.1.7"): {"status": "no_starttls"}},
    "nullmx.lab.test": {("", "", ""): {"status": "null_mx", "port": "25", "error~": "RFC 7505"}},
    "implicit.lab.test": {("implicit.lab.test", "", "127.0.1.1"): dict(GOOD, hostname_match="no",
                                                                      cert="good")},
    "dangling.lab.test": {("nowhere.lab.test", "10", ""): {"status": "no_address",
                                                           "error~": "NXDOMAIN"}},
    "closed.lab.test": {("mx-closed.lab.test", "10", "127.0.1.20"): {
        "status": "connect_failed", "error": "connection refused", "connect_ms": ""}},
    "aliased.lab.test": {("mx-good.lab.test", "10", "127.0.1.1"): dict(GOOD, cert="good")},
    "mxcname.lab.test": {("mxalias.lab.test", "10", "127.0.1.1"): dict(GOOD, hostname_match="no",
                                                                       cert="good")},
    "nosuch.lab.test": {("", "", ""): {"status": "dns_failed", "error": "MX lookup: NXDOMAIN"}},
    "elsewhere.example": {("", "", ""): {"status": "dns_failed",
                                          "error": "MX lookup: REFUSED"}},
    "silent.lab.test": {("mx-silent.lab.test", "10", "127.0.2.1"): {
        "status": "timeout", "error": "greeting: nothing for 2s", "banner": "", "attempts": "2"}},
    "multiline.lab.test": {("mx-multiline.lab.test", "10", "127.0.2.2"): {
        "status": "starttls_refused", "starttls": "yes",
        "banner": "220-mx-multiline.lab.test first line | 220-second line | 220 ESMTP ready"}},
    "starttls454.lab.test": {("mx-454.lab.test", "10", "127.0.2.3"): {
        "status": "starttls_refused", "starttls": "yes",
        "error": "STARTTLS: 454 4.7.0 TLS not available due to local problem"}},
    "helo.lab.test": {("mx-helo.lab.test", "10", "127.0.2.4"): {
        "status": "no_starttls", "starttls": "no", "error~": "HELO accepted"}},
    "inject.lab.test": {("mx-inject.lab.test", "10", "127.0.2.5"): {
        "status": "protocol_error", "error~": "response injection", "tls_version": ""}},
    "ratelimit.lab.test": {("mx-421.lab.test", "10", "127.0.2.6"): {
        "status": "server_refused", "error": "EHLO: 421 4.7.0 Too many connections, try again later",
        "attempts": "2"}},
    "hangup.lab.test": {("mx-hangup.lab.test", "10", "127.0.2.7"): {
        "status": "protocol_error", "error": "connection closed by the server during EHLO reply"}},
}


def check_row(r, exp, openssl_cache):
    where = "%s %s %s" % (r["domain"], r["mx_host"], r["ip"])
    for k, v in exp.items():
        if k == "cert":
            facts = cert_file_facts(v)
            for fk, fv in facts.items():
                check(r[fk] == fv, "%s: %s is %r, certificate file says %r" % (where, fk, r[fk], fv))
        elif k.endswith("~"):
            check(re.search(v, r[k[:-1]]) is not None,
                  "%s: %s %r does not match %r" % (where, k[:-1], r[k[:-1]], v))
        else:
            check(r[k] == v, "%s: %s is %r, expected %r" % (where, k, r[k], v))
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r["scanned_at"]) is not None,
          "%s: scanned_at %r" % (where, r["scanned_at"]))
    if r["status"] == "ok":
        for k in ("connect_ms", "tls_ms", "cert_days_left"):
            check(re.fullmatch(r"-?\d+", r[k]) is not None, "%s: %s %r" % (where, k, r[k]))
        check(r["kex_group"] in ("x25519", "secp256r1"), "%s: kex_group %r" % (where, r["kex_group"]))
        scanned = datetime.strptime(r["scanned_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        after = datetime.strptime(r["cert_not_after"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        days = (after - scanned).total_seconds() // 86400
        check(int(r["cert_days_left"]) == int(days), "%s: cert_days_left %s vs %d" % (
            where, r["cert_days_left"], days))
        key = (r["ip"], r["mx_host"])
        if key not in openssl_cache:
            openssl_cache[key] = s_client(r["ip"], r["mx_host"])
        o = openssl_cache[key]
        check(o is not None, "%s: openssl s_client could not complete the handshake" % where)
        if o:
            for k in ("tls_version", "cipher", "kex_group", "cert_sha256", "chain_valid"):
                check(r[k] == o[k], "%s: %s is %r, openssl s_client says %r" % (where, k, r[k], o[k]))


def test_lab_domains():
    log_before = len(maillog())
    lines = ["\ufeffgood.lab.test\r"] + [d for d in EXPECT if d != "good.lab.test"]
    lines += ["GOOD.lab.test.", "  aliased.lab.test  # again", "# a comment", "", "bad..name",
              "two words", "-lead.lab.test"]
    rows, err, secs, rc = scan(lines, "--allow-private")
    check(rc == 0, "exit status 0, got %d: %s" % (rc, err))
    check(secs < 20, "the scan took %.1fs" % secs)
    check("3 invalid lines" in err and "2 duplicate" in err, "summary counts: %s" % err)
    invalid = [r for r in rows if r["status"] == "invalid_target"]
    check(sorted(r["domain"] for r in invalid) == ["'-lead.lab.test", "bad..name", "two words"],
          "invalid lines each get a row: %r" % [r["domain"] for r in invalid])
    seen = {}
    for r in rows:
        if r["status"] != "invalid_target":
            seen.setdefault(r["domain"], {})[(r["mx_host"], r["mx_pref"], r["ip"])] = r
    check(sorted(seen) == sorted(EXPECT), "domains scanned: %r" % sorted(seen))
    cache = {}
    for domain, want in EXPECT.items():
        got = seen.get(domain, {})
        check(sorted(got) == sorted(want), "%s: rows %r, expected %r" % (domain, sorted(got), sorted(want)))
        for key, exp in want.items():
            if key in got:
                check_row(got[key], exp, cache)
    time.sleep(1.5)  # postfix writes its disconnect lines after our QUIT
    log = maillog()[log_before:]
    # Dedup: good, aliased and multi share (127.0.1.1, 25, mx-good.lab.test); dual, implicit
    # and mxcname reach the same server under other names. openssl adds its own connections.
    scanner_log = log
    good = smtpd_connects(scanner_log, "mx-good") - sum(1 for k in cache if k[0] == "127.0.1.1")
    check(good == 4, "mx-good was connected to %d times by the scanner, expected 4" % good)
    check("ehlo=2 starttls=1 quit=1 commands=4" in log, "a full dialog is EHLO STARTTLS EHLO QUIT")
    for bad in ("auth=", "mail=", "rcpt=", "data="):
        check(bad not in log, "the scanner never sent %s" % bad.rstrip("="))
    check(all("INJECTED" not in v for r in rows for v in r.values()),
          "injected text never reaches the output")


def test_blocked_by_default():
    log_before = len(maillog())
    rows, err, secs, rc = scan(["good.lab.test", "v6.lab.test"])
    check(rc == 0, "exit 0")
    check(sorted((r["ip"], r["status"]) for r in rows) == [("127.0.1.1", "blocked"), ("::1", "blocked")],
          "loopback is blocked without --allow-private: %r" % [(r["ip"], r["status"]) for r in rows])
    check(all("--allow-private" in r["error"] for r in rows), "the error says how to allow it")
    time.sleep(0.5)
    check("connect from" not in maillog()[log_before:], "a blocked address is never contacted")


def test_blocklist_and_allowlist_files():
    blocklist = os.path.join(LAB, "blocklist.txt")
    with open(blocklist, "w") as f:
        f.write("# the good personality\n127.0.1.1/32\n")
    log_before = len(maillog())
    rows, err, secs, rc = scan(["good.lab.test", "tls12.lab.test"], "--allow-private", "--blocklist", blocklist)
    by = {r["domain"]: r for r in rows}
    check(by["good.lab.test"]["status"] == "blocked" and "blocklist" in by["good.lab.test"]["error"],
          "a blocklisted address gets a blocked row: %r" % by["good.lab.test"]["error"])
    check(by["tls12.lab.test"]["status"] == "ok", "others are scanned")
    time.sleep(1)
    check(smtpd_connects(maillog()[log_before:], "mx-good") == 0, "a blocklisted address is never contacted")
    rows, err, secs, rc = scan(["good.lab.test", "tls12.lab.test"], "--allow-private", "--allowlist", blocklist)
    by = {r["domain"]: r for r in rows}
    check(by["good.lab.test"]["status"] == "ok" and by["tls12.lab.test"]["status"] == "blocked",
          "--allowlist scans only its ranges: %r" % [(r["domain"], r["status"]) for r in rows])
    with open(blocklist, "a") as f:
        f.write("not-a-range\n")
    p = in_ns(BIN, "--blocklist", blocklist, stdin=b"good.lab.test\n")
    check(p.returncode == 2 and b"blocklist.txt:3:" in p.stderr, "a malformed line stops the scan: %r" % p.stderr)


def test_no_mx_hosts():
    rows, err, secs, rc = scan(["mx-good.lab.test", "127.0.1.5", "[::1]:25", "127.0.1.1:2526",
                                "mx-tls13.lab.test:25"], "--no-mx", "--allow-private")
    by = {(r["domain"], r["ip"], r["port"]): r for r in rows}
    check(len(rows) == 5, "one row per host: %d" % len(rows))
    r = by.get(("mx-good.lab.test", "127.0.1.1", "25"))
    check(r is not None and r["status"] == "ok" and r["hostname_match"] == "yes" and r["mx_pref"] == "",
          "a host name is resolved and used as SNI: %r" % r)
    r = by.get(("127.0.1.5", "127.0.1.5", "25"))
    check(r is not None and r["status"] == "ok" and r["hostname_match"] == "" and r["tls_version"] == "TLSv1.2",
          "an address has no SNI and no name verdict: %r" % r)
    r = by.get(("::1", "::1", "25"))
    check(r is not None and r["status"] == "ok", "a bracketed IPv6 with a port: %r" % r)
    r = by.get(("127.0.1.1", "127.0.1.1", "2526"))
    check(r is not None and r["status"] == "connect_failed", "the port is taken from the line: %r" % r)


def test_bulk_two_workers():
    """400 domains on 200 MX names: every domain gets its row, every probe is
    shared by two domains (often on different workers), none is repeated."""
    log_before = len(maillog())
    domains = ["d%d.bulk.lab.test" % i for i in range(400)]
    rows, err, secs, rc = scan(domains, "--allow-private", "--workers", "2", "-c", "40")
    check(rc == 0, "exit 0: %s" % err)
    check(sorted(r["domain"] for r in rows) == sorted(domains), "one row per domain")
    check(all(r["status"] == "ok" and r["hostname_match"] == "no" for r in rows),
          "all ok: %r" % sorted(set(r["status"] + " " + r["error"] for r in rows)))
    by_mx = {}
    for r in rows:
        by_mx.setdefault(r["mx_host"], set()).add(r["scanned_at"] + r["tls_ms"] + r["cert_sha256"])
    check(len(by_mx) == 200, "200 MX hosts: %d" % len(by_mx))
    check(all(len(v) == 1 for v in by_mx.values()), "both domains of an MX share one probe result")
    time.sleep(1.5)
    n = smtpd_connects(maillog()[log_before:], "mx-good")
    check(n == 200, "200 connections for 200 distinct (address, SNI), got %d" % n)


def test_tls_slots_queue():
    """--max-tls 2 with 40 probes at once: the probes past the two slots wait
    after STARTTLS and each gets its turn; none times out or fails."""
    domains = ["d%d.bulk.lab.test" % i for i in range(40)]
    rows, err, secs, rc = scan(domains, "--allow-private", "--workers", "2", "-c", "40",
                               "--max-tls", "2")
    check(rc == 0, "exit 0: %s" % err)
    check(sorted(r["domain"] for r in rows) == sorted(domains), "one row per domain")
    check(all(r["status"] == "ok" and r["cert_sha256"] for r in rows),
          "all ok with two TLS slots: %r" % sorted(set(r["status"] + " " + r["error"] for r in rows)))
    p = in_ns(BIN, "--max-tls", "0", stdin=b"")
    check(p.returncode == 2 and b"--max-tls" in p.stderr, "--max-tls 0 is refused")


def test_output_file_safety():
    out = os.path.join(LAB, "out.csv")
    with open(out, "w") as f:
        f.write("keep me\n")
    p = in_ns(BIN, "-o", out, stdin=b"good.lab.test\n")
    check(p.returncode == 2 and open(out).read() == "keep me\n",
          "a non-empty output file is not overwritten: %d %s" % (p.returncode, p.stderr))
    p = in_ns(BIN, "-o", os.path.join(LAB, "missing", "out.csv"), stdin=b"")
    check(p.returncode == 2 and b"cannot write" in p.stderr, "a missing directory is an error")
    p = in_ns(BIN, os.path.join(LAB, "no-such-input.txt"))
    check(p.returncode == 2 and b"cannot read" in p.stderr, "a missing input file is an error")
