#!/usr/bin/python3
"""Integration tests: the real binary against the lab's real servers.

Usage: test_lab.py BINARY LABDIR  (the lab is up: tests/lab/lab.sh up LABDIR)
Every row's columns are checked against what the servers were configured
with (tests/lab/lab.sh, zone.lab.test, certs.sh), against openssl s_client
on the same host, and against postfix's own log.
"""
import csv
import io
import json
import os
import pty
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone

BIN, LAB = sys.argv[1], sys.argv[2]
NS = open(os.path.join(LAB, "netns")).read().strip()
CA = os.path.join(LAB, "certs", "ca.pem")
MAILLOG = os.path.join(LAB, "postfix", "maillog")
COLUMNS = ("domain,mx_host,mx_pref,ip,port,protocol,status,error,banner,starttls,tls_version,"
           "cipher,kex_group,cert_subject,cert_issuer,cert_san,cert_serial,cert_not_before,"
           "cert_not_after,cert_days_left,cert_key,cert_sig_alg,cert_sha256,chain_valid,"
           "chain_error,hostname_match,connect_ms,tls_ms,scanned_at,auth_mechs,auth_mechs_plain,"
           "handshake,versions"
           ).split(",")

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what, flush=True)


def in_ns(*args, stdin=None, timeout=60):
    return subprocess.run(["ip", "netns", "exec", NS, *args], input=stdin, capture_output=True,
                          timeout=timeout)


def scan(lines, *opts, raw=None):
    """Runs the scanner in the lab; returns (rows, stderr, seconds, exit code)."""
    data = raw if raw is not None else ("\n".join(lines) + "\n").encode()
    t0 = time.time()
    p = in_ns(BIN, "--resolver", "127.0.53.1", "--ca-file", CA, "--ehlo", "scanner.lab.test",
              "--banner-timeout", "2", "--reply-timeout", "3", "--timeout", "6", *opts, stdin=data)
    secs = time.time() - t0
    text = p.stdout.decode("utf-8")
    check(text.startswith(",".join(COLUMNS) + "\r\n"), "header row is exact")
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    rows = list(reader)
    for r in rows:
        check(None not in r and len(r) == len(COLUMNS), "row has exactly the columns: %r" % r)
    return rows, p.stderr.decode(), secs, p.returncode


def maillog():
    try:
        return open(MAILLOG, errors="replace").read()
    except FileNotFoundError:
        return ""


def cert_file_facts(name):
    path = os.path.join(LAB, "certs", name + ".crt")
    out = subprocess.run(["openssl", "x509", "-in", path, "-noout", "-enddate", "-startdate",
                          "-serial", "-subject", "-issuer", "-nameopt", "RFC2253"],
                         capture_output=True, text=True, check=True).stdout
    f = dict(l.split("=", 1) for l in out.strip().splitlines())
    iso = lambda s: datetime.strptime(s, "%b %d %H:%M:%S %Y GMT").strftime("%Y-%m-%dT%H:%M:%SZ")
    der = subprocess.run(["openssl", "x509", "-in", path, "-outform", "der"], capture_output=True,
                         check=True).stdout
    sha = subprocess.run(["sha256sum"], input=der, capture_output=True).stdout.decode()[:64]
    return {"cert_not_after": iso(f["notAfter"]), "cert_not_before": iso(f["notBefore"]),
            "cert_serial": f["serial"], "cert_subject": f["subject"], "cert_issuer": f["issuer"],
            "cert_sha256": sha}


STDNAMES = {}


def stdname(openssl_name):
    if not STDNAMES:
        out = subprocess.run(["openssl", "ciphers", "-stdname", "ALL:COMPLEMENTOFALL"],
                             capture_output=True, text=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) >= 3:
                STDNAMES[parts[2]] = parts[0]
    return STDNAMES.get(openssl_name, openssl_name)


def openssl_protocol(out):
    """The negotiated protocol from s_client's session block ("New, X" names the
    cipher's minimum version, not the protocol). OpenSSL calls TLS 1.0 "TLSv1"."""
    m = re.search(r"^\s*Protocol\s*:\s*(\S+)", out, re.M)
    if not m:
        # No session block (TLS 1.3 prints it only with a ticket); a TLS 1.3
        # suite's minimum version is the protocol itself.
        m = re.search(r"New, (TLSv1\.3), Cipher is", out)
        return m.group(1) if m else None
    return "TLSv1.0" if m.group(1) == "TLSv1" else m.group(1)


def s_client(ip, sni, port="25", starttls="smtp"):
    """What openssl s_client sees on the same host (starttls None: implicit TLS)."""
    host = "[%s]:%s" % (ip, port) if ":" in ip else "%s:%s" % (ip, port)
    args = ["openssl", "s_client", "-connect", host, "-CAfile", CA]
    if sni:
        args += ["-servername", sni]
    if starttls:
        args += ["-starttls", starttls]
    p = in_ns(*args, stdin=b"", timeout=20)
    out = p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")
    m = re.search(r"New, \S+, Cipher is (\S+)", out)
    if m and m.group(1) == "(NONE)":
        m = None
    proto = openssl_protocol(out)
    pem = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", out, re.S)
    key = re.search(r"Server Temp Key: (\w+)", out)
    code = re.search(r"Verify return code: (\d+)", out)
    if not m or not pem:
        return None
    der = subprocess.run(["openssl", "x509", "-outform", "der"], input=pem.group(0).encode(),
                         capture_output=True).stdout
    return {"tls_version": proto, "cipher": stdname(m.group(1)),
            "kex_group": key.group(1).lower() if key else "",
            "cert_sha256": subprocess.run(["sha256sum"], input=der,
                                          capture_output=True).stdout.decode()[:64],
            "chain_valid": "yes" if code and code.group(1) == "0" else "no"}


def smtpd_connects(log, name):
    return len(re.findall(r"postfix/%s/smtpd\[\d+\]: connect from" % re.escape(name), log))


# What each lab domain must produce: (mx_host, mx_pref, ip) -> expected columns.
GOOD = {"status": "ok", "starttls": "yes", "chain_valid": "yes", "chain_error": "",
        "cert_key": "RSA-2048", "cert_sig_alg": "sha256WithRSAEncryption", "port": "25",
        "protocol": "smtp", "error": ""}
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
    "nullmx.lab.test": {("", "", ""): {"status": "null_mx", "port": "", "error~": "RFC 7505"}},
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
                                          "error": "MX lookup: DNS server refused the query or is unreachable"}},
    "silent.lab.test": {("mx-silent.lab.test", "10", "127.0.2.1"): {
        "status": "timeout", "error": "greeting: nothing for 2s", "banner": ""}},
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
        "status": "server_refused", "error": "EHLO: 421 4.7.0 Too many connections, try again later"}},
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


# -p NAME, target line, expected columns, openssl s_client -starttls argument.
PROTOCOLS = [
    ("submission", "smtp.lab.test", {"port": "587", "status": "ok", "starttls": "yes",
     "auth_mechs": "PLAIN LOGIN", "auth_mechs_plain": "", "banner": "220 smtp.lab.test ESMTP lab"}, "smtp"),
    ("smtps", "smtp.lab.test", {"port": "465", "status": "ok", "starttls": "",
     "auth_mechs": "PLAIN LOGIN", "auth_mechs_plain": "", "banner": "220 smtp.lab.test ESMTP lab"}, None),
    ("smtp", "authplain.lab.test", {"port": "25", "status": "ok", "starttls": "yes",
     "auth_mechs": "PLAIN LOGIN", "auth_mechs_plain": "PLAIN LOGIN"}, "smtp"),
    ("imap", "mail.lab.test", {"port": "143", "status": "ok", "starttls": "yes",
     "auth_mechs": "PLAIN LOGIN", "auth_mechs_plain": "", "banner~": r"^\* OK .*Dovecot"}, "imap"),
    ("imaps", "mail.lab.test", {"port": "993", "status": "ok", "starttls": "",
     "auth_mechs": "PLAIN LOGIN", "banner~": r"^\* OK .*Dovecot"}, None),
    ("pop3", "mail.lab.test", {"port": "110", "status": "ok", "starttls": "yes",
     "auth_mechs": "PLAIN LOGIN", "auth_mechs_plain": "", "banner": "'+OK Dovecot (Debian) ready."}, "pop3"),
    ("pop3s", "mail.lab.test", {"port": "995", "status": "ok", "starttls": "",
     "auth_mechs": "PLAIN LOGIN", "banner": "'+OK Dovecot (Debian) ready."}, None),
    ("ftp", "ftp.lab.test", {"port": "21", "status": "ok", "starttls": "yes",
     "banner": "220 (vsFTPd 3.0.3)", "auth_mechs": ""}, "ftp"),
    ("tls", "mail.lab.test:993", {"port": "993", "status": "ok", "banner": ""}, None),
    ("imap", "imap-preauth.lab.test", {"status": "preauth", "tls_version": "",
     "error~": "PREAUTH"}, None),
    ("imap", "imap-bye.lab.test", {"status": "server_refused", "error~": r"^greeting: \* BYE"}, None),
    ("imap", "imap-no.lab.test", {"status": "starttls_refused", "starttls": "yes",
     "error": "STARTTLS: A2 NO [UNAVAILABLE] TLS is switched off", "auth_mechs_plain": "PLAIN"}, None),
    ("pop3", "pop3-err.lab.test", {"status": "starttls_refused", "starttls": "yes",
     "error": "STLS: -ERR TLS not available right now"}, None),
]


def test_protocols():
    log_before = len(maillog())
    for proto, line, exp, starttls in PROTOCOLS:
        rows, err, secs, rc = scan([line], "--allow-private", "-p", proto)
        check(rc == 0 and len(rows) == 1, "%s %s: one row, exit 0 (%d): %s" % (proto, line, rc, err))
        if len(rows) != 1:
            continue
        r = rows[0]
        where = "%s %s" % (proto, line)
        check(r["protocol"] == proto, "%s: protocol column %r" % (where, r["protocol"]))
        check((r["mx_pref"] == "") == (proto != "smtp"), "%s: MX for smtp only: %r" % (where, r["mx_pref"]))
        for k, v in exp.items():
            if k.endswith("~"):
                check(re.search(v, r[k[:-1]]) is not None, "%s: %s %r !~ %r" % (where, k[:-1], r[k[:-1]], v))
            else:
                check(r[k] == v, "%s: %s is %r, expected %r" % (where, k, r[k], v))
        if r["status"] == "ok":
            check(r["chain_valid"] == "yes" and r["hostname_match"] == "yes",
                  "%s: chain %s name %s" % (where, r["chain_valid"], r["hostname_match"]))
            check(r["cert_sha256"] == cert_file_facts("good")["cert_sha256"], "%s: the lab certificate" % where)
            o = s_client(r["ip"], r["mx_host"], r["port"], starttls)
            check(o is not None, "%s: openssl s_client could not complete the handshake" % where)
            if o:
                for k in ("tls_version", "cipher", "cert_sha256", "chain_valid"):
                    check(r[k] == o[k], "%s: %s is %r, openssl s_client says %r" % (where, k, r[k], o[k]))
    time.sleep(1.5)
    log = maillog()[log_before:]
    for bad in ("auth=", "mail=", "rcpt=", "data="):
        check(bad not in log, "submission and SMTPS: the scanner never sent %s" % bad.rstrip("="))
    check(len(re.findall(r"postfix/smtp/smtpd\[\d+\]: disconnect from .* ehlo=2 starttls=1 quit=1 commands=4", log)) >= 1,
          "submission: EHLO STARTTLS EHLO QUIT")


OPENSSL_VERSION_FLAG = {"TLSv1.0": "-tls1", "TLSv1.1": "-tls1_1", "TLSv1.2": "-tls1_2",
                        "TLSv1.3": "-tls1_3"}


def openssl_name(iana):
    stdname("")  # fills the table
    for openssl, std in STDNAMES.items():
        if std == iana:
            return openssl
    return iana


def s_client_accepts(ip, version, iana_cipher=None):
    """Does the server accept exactly this version (and this suite alone)?"""
    args = ["env", "OPENSSL_CONF=/dev/null", "openssl", "s_client", "-starttls", "smtp",
            "-connect", "%s:25" % ip, OPENSSL_VERSION_FLAG[version]]
    if iana_cipher and version == "TLSv1.3":
        args += ["-ciphersuites", iana_cipher]
    elif iana_cipher:
        args += ["-cipher", openssl_name(iana_cipher) + ":@SECLEVEL=0"]
    else:
        args += ["-cipher", "ALL:@SECLEVEL=0"]
    out = in_ns(*args, stdin=b"", timeout=20)
    text = out.stdout.decode(errors="replace")
    m = re.search(r"New, \S+, Cipher is (\S+)", text)
    # A refused handshake prints "Cipher is (NONE)" and the protocol it tried.
    return m is not None and m.group(1) != "(NONE)" and openssl_protocol(text) == version and (
        not iana_cipher or stdname(m.group(1)) == iana_cipher)


LEGACY = {
    "tls10.lab.test": ("mx-tls10", "TLSv1.0", "hello_only"),
    "rsa.lab.test": ("mx-rsa", "TLSv1.2", "hello_only"),
    "tls12.lab.test": ("mx-tls12", "TLSv1.2", "full"),
    "good.lab.test": ("mx-good", "TLSv1.3", "full"),
}


def test_legacy_servers_told_truthfully():
    log_before = len(maillog())
    rows, err, secs, rc = scan(list(LEGACY), "--allow-private")
    by = {r["domain"]: r for r in rows}
    good = cert_file_facts("good")
    for domain, (name, version, handshake) in LEGACY.items():
        r = by.get(domain)
        check(r is not None, "%s: a row" % domain)
        if not r:
            continue
        where = domain
        check(r["status"] == "ok" and r["handshake"] == handshake and r["tls_version"] == version,
              "%s: status %s handshake %s version %s (%s)" % (where, r["status"], r["handshake"],
                                                            r["tls_version"], r["error"]))
        check(r["versions"] == "", "%s: no versions column without --versions" % where)
        for k in ("cert_not_after", "cert_not_before", "cert_serial", "cert_subject", "cert_sha256"):
            check(r[k] == good[k], "%s: %s %r, certificate file %r" % (where, k, r[k], good[k]))
        check(r["chain_valid"] == "yes" and r["hostname_match"] == "yes",
              "%s: chain %s name %s" % (where, r["chain_valid"], r["hostname_match"]))
        check(s_client_accepts(r["ip"], r["tls_version"], r["cipher"]),
              "%s: openssl s_client offering only %s %s is refused" % (where, r["tls_version"], r["cipher"]))
    check(by["rsa.lab.test"]["cipher"].startswith("TLS_RSA_WITH_"), "static RSA recorded as such")
    check(by["tls10.lab.test"]["kex_group"] != "", "the ECDHE group read from ServerKeyExchange")
    time.sleep(1.5)
    log = maillog()[log_before:]
    check(smtpd_connects(log, "mx-tls10") - 1 == 2, "tls10: the full handshake and one fallback")


def test_versions_enumerated():
    log_before = len(maillog())
    rows, err, secs, rc = scan(list(LEGACY) + ["tls13.lab.test"], "--allow-private", "--versions")
    time.sleep(1.5)
    log = maillog()[log_before:]
    for r in rows:
        listed = r["versions"].split()
        check(listed, "%s: versions listed (%s)" % (r["domain"], r["error"]))
        check(r["tls_version"] in listed, "%s: the negotiated version is listed" % r["domain"])
        for version in OPENSSL_VERSION_FLAG:
            accepted = s_client_accepts(r["ip"], version)
            check(accepted == (version in listed), "%s: %s is %s but openssl s_client %s it" % (
                r["domain"], version, "listed" if version in listed else "not listed",
                "gets" if accepted else "is refused"))
        check("SSLv3" not in listed, "%s: no SSLv3 in the lab" % r["domain"])
    # As few connections as the answers allow: tls10 answers 1.0 to the fallback's
    # TLS 1.2 hello, so only SSLv3 is left to ask.
    tls10 = smtpd_connects(log, "mx-tls10")
    check(tls10 == 3, "tls10: 3 connections for --versions, got %d" % tls10)


HOSTILE = {
    "trickle.lab.test": {"status": "timeout", "error": "overall deadline of 4s reached during greeting"},
    "flood.lab.test": {"status": "protocol_error", "error": "line too long during greeting"},
    "endless.lab.test": {"status": "protocol_error", "error": "too many lines in one reply during greeting"},
    "garbage.lab.test": {"status": "tls_failed", "error~": r"\(-\d+\)$"},
    "reset.lab.test": {"status": "tls_failed", "error~": "reset"},
    "hangup.lab.test": {"status": "protocol_error", "error~": "closed by the server during EHLO"},
    "inject.lab.test": {"status": "protocol_error", "error~": "injection"},
    "weirdbanner.lab.test": {"status": "no_starttls", "banner":
        "220 evil\\x00nul \\x1b[31mred\\x1b[0m \\xff\\xfe bidi\u202eright, comma \"quote\" "
        "=cmd|'/C calc'!A0 cr\\x0dhere"},
    "weirdcert.lab.test": {"status": "ok", "chain_valid": "no", "cert_san~": r"^'=HYPERLINK\.lab\.test ",
                           "cert_subject~": r"a\\x00\\x5c\"\\x0d\\x0a\\x5c,\\x7f"},
    "bigcert.lab.test": {"status": "ok", "handshake": "hello_only", "chain_valid": "yes",
                         "hostname_match": "yes", "cert_san~": r"\.\.\.\[truncated\]$"},
    "cnameloop.lab.test": {"status": "dns_failed", "error~": "CNAME chain too long or looping"},
    "domloop.lab.test": {"status": "dns_failed", "error": "MX lookup: CNAME chain too long or looping"},
}


def run_measured(args, stdin):
    """Runs a command in the lab; returns (stdout bytes, stderr, seconds, peak RSS in KiB)."""
    code = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], input=sys.stdin.buffer.read(), "
            "capture_output=True); sys.stdout.buffer.write(p.stdout); sys.stderr.buffer.write(p.stderr); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)")
    t0 = time.time()
    p = in_ns("/usr/bin/python3", "-c", code, *args, stdin=stdin, timeout=120)
    err = p.stderr.decode(errors="replace").strip().splitlines()
    return p.stdout, "\n".join(err[:-1]), time.time() - t0, int(err[-1])


def test_hostile_servers():
    args = [BIN, "--resolver", "127.0.53.1", "--ca-file", CA, "--allow-private", "--timeout", "4",
            "--banner-timeout", "3", "--reply-timeout", "3"]
    out, err, secs, rss = run_measured(args, ("\n".join(HOSTILE) + "\nsixty.lab.test\n").encode())
    check(secs < 12, "hostile servers are done in bounded time: %.1fs" % secs)
    check(rss < 64 * 1024, "memory stays flat against a flood: peak %d KiB" % rss)
    raw = out
    check(all(b >= 0x20 or b in (0x0D, 0x0A) for b in raw), "no control byte reaches the CSV raw")
    check(raw.count(b"\r\n") == raw.count(b"\n"), "every line ends in CRLF, none inside a cell")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""), strict=True))
    by = {}
    for r in rows:
        by.setdefault(r["domain"], []).append(r)
    for domain, exp in HOSTILE.items():
        got = by.get(domain, [])
        check(len(got) == 1, "%s: one row, got %d" % (domain, len(got)))
        for r in got:
            for k, v in exp.items():
                if k.endswith("~"):
                    check(re.search(v, r[k[:-1]]) is not None, "%s: %s %r !~ %r" % (domain, k[:-1], r[k[:-1]], v))
                else:
                    check(r[k] == v, "%s: %s is %r, expected %r" % (domain, k, r[k], v))
    sixty = by.get("sixty.lab.test", [])
    check(sorted(int(r["mx_pref"]) for r in sixty) == list(range(41, 51)),
          "60 MX records (a truncated UDP answer, then TCP): the 10 lowest preferences: %r"
          % sorted(r["mx_pref"] for r in sixty))


def counter_log():
    try:
        return [l.split() for l in open(os.path.join(LAB, "counter.log"))]
    except FileNotFoundError:
        return []


def peak_overlap(events):
    """Connections open at once, from the server's log. Each connection's last
    0.1 s is left out: the server logs its close after answering QUIT, which
    races with the client's next connect; a real overlap lasts the 0.3 s of
    the slow greeting at least."""
    opened, spans = {}, []
    for t, what, _, cid in events:
        if what == "open":
            opened[cid] = float(t)
        elif cid in opened:
            spans.append((opened.pop(cid), float(t) - 0.1))
    points = sorted([(a, 1) for a, b in spans] + [(b, -1) for a, b in spans], key=lambda x: (x[0], x[1]))
    peak = now = 0
    for _, d in points:
        now += d
        peak = max(peak, now)
    return peak


def test_politeness():
    hosts = ["c%d.lab.test" % i for i in range(12)]
    for per_host in (1, 3):
        before = len(counter_log())
        rows, err, secs, rc = scan(hosts, "--no-mx", "--allow-private", "-c", "50", "--per-host", str(per_host))
        check(len(rows) == 12 and all(r["status"] == "no_starttls" for r in rows), "12 probes: %r" % err)
        events = counter_log()[before:]
        peak = peak_overlap(events)
        check(peak <= per_host, "--per-host %d: the server saw %d at once" % (per_host, peak))
        check(peak == per_host, "--per-host %d is used, not just respected: %d" % (per_host, peak))
    before = len(counter_log())
    rows, err, secs, rc = scan(hosts, "--no-mx", "--allow-private", "-c", "50", "--per-host", "12",
                               "--rate", "4")
    opens = [float(e[0]) for e in counter_log()[before:] if e[1] == "open"]
    check(len(opens) == 12, "12 connections: %d" % len(opens))
    if len(opens) == 12:
        span = opens[-1] - opens[0]
        check(span >= 2.4, "--rate 4: 12 connections take at least 2.5 s, took %.2f s" % span)
        worst = max(sum(1 for t in opens if t0 <= t < t0 + 1.0) for t0 in opens)
        check(worst <= 5, "--rate 4: at most 4 (and the burst of 1) in any second: %d" % worst)


def start_scan(lines, out, *opts):
    inp = os.path.join(LAB, "targets.txt")
    with open(inp, "w") as f:
        f.write("\n".join(lines) + "\n")
    return subprocess.Popen(["ip", "netns", "exec", NS, BIN, "--resolver", "127.0.53.1", "--allow-private",
                             "--ca-file", CA, "-o", out, *opts, inp],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_interrupt_and_resume():
    targets = ["good.lab.test", "tls12.lab.test", "silent.lab.test", "trickle.lab.test", "multi.lab.test",
               "nosuch.lab.test", "plain.lab.test", "bad..line"] + ["d%d.bulk.lab.test" % i for i in range(40)]
    out = os.path.join(LAB, "interrupted.csv")
    if os.path.exists(out):
        os.unlink(out)
    # SIGINT: in-flight probes get a few seconds, then it stops; whole rows only.
    p = start_scan(targets, out, "--banner-timeout", "20", "--timeout", "30", "-c", "4")
    time.sleep(1.0)
    t0 = time.time()
    p.send_signal(signal.SIGINT)
    p.communicate(timeout=30)
    check(p.returncode == 130, "SIGINT exits 130: %d" % p.returncode)
    check(time.time() - t0 < 8, "it stopped within the grace period: %.1fs" % (time.time() - t0))
    data = open(out, "rb").read()
    check(data.endswith(b"\r\n"), "the file ends with a whole row")
    first = list(csv.DictReader(io.StringIO(data.decode(), newline=""), strict=True))
    done = {r["domain"] for r in first}
    check("silent.lab.test" not in done and "trickle.lab.test" not in done, "unfinished targets left out")
    # A crash could leave half a row: --resume cuts it off.
    with open(out, "ab") as f:
        f.write(b"half.lab.test,mx.half,10,127.0")
    p = subprocess.run(["ip", "netns", "exec", NS, BIN, "--resolver", "127.0.53.1", "--allow-private",
                        "--ca-file", CA, "--banner-timeout", "2", "--timeout", "3", "-o", out,
                        os.path.join(LAB, "targets.txt")], capture_output=True)
    check(p.returncode == 2 and b"--resume" in p.stderr, "no second run over a file without --resume")
    p = subprocess.run(["ip", "netns", "exec", NS, BIN, "--resolver", "127.0.53.1", "--allow-private",
                        "--ca-file", CA, "--banner-timeout", "2", "--timeout", "3", "-o", out, "--resume",
                        os.path.join(LAB, "targets.txt")], capture_output=True)
    check(p.returncode == 0, "the resumed run: %d %s" % (p.returncode, p.stderr))
    data = open(out, "rb").read()
    check(data.count(b"domain,mx_host") == 1 and b"half.lab.test" not in data, "one header, no half row")
    rows = list(csv.DictReader(io.StringIO(data.decode(), newline=""), strict=True))
    seen = {}
    for r in rows:
        seen.setdefault(r["domain"], set()).add((r["mx_host"], r["ip"]))
    check(sorted(seen) == sorted(targets), "every target is in the file: %r" % (set(targets) ^ set(seen)))
    keys = [(r["domain"], r["mx_host"], r["ip"]) for r in rows]
    check(len(keys) == len(set(keys)), "and exactly once")
    # SIGTERM twice: stops at once, 143, still no half row.
    os.unlink(out)
    p = start_scan(targets, out, "--banner-timeout", "20", "--timeout", "30", "-c", "4")
    time.sleep(1.0)
    p.send_signal(signal.SIGTERM)
    time.sleep(0.2)
    t0 = time.time()
    p.send_signal(signal.SIGTERM)
    p.communicate(timeout=30)
    check(p.returncode == 143 and time.time() - t0 < 2, "a second SIGTERM stops at once with 143: %d" % p.returncode)
    check(open(out, "rb").read().endswith(b"\r\n"), "still no half row")


def test_bad_command_lines():
    bad = [["-c", "-1"], ["-c", "10abc"], ["-c", "0"], ["--timeout", "1e99"], ["-w", "0"], ["--port", "0"],
           ["--rate", "x"], ["--per-host", "0"], ["--mx-max", "1000"], ["-p", "gopher"], ["--ehlo", "bad name"],
           ["--resume"], ["-c", "1000000"], ["--no-such-option"], ["a.txt", "b.txt"]]
    for args in bad:
        p = in_ns(BIN, *args, stdin=b"")
        check(p.returncode == 2 and p.stderr.startswith(b"starttls-scan: ") or
              (p.returncode == 2 and b"Try 'starttls-scan --help'" in p.stderr),
              "%r: exit 2 with a message: %d %r" % (args, p.returncode, p.stderr[:120]))
    odd = b"\xef\xbb\xbfok.lab.test\r\n" + b"a" * 64 + b".com\n" + (b"abcd." * 60) + b"com\n" + \
        "caf\u00e9.lab.test".encode() + b"\n" + b"nul\x00.lab.test\n" + b"x" * 5000 + b"\n"
    rows, err, secs, rc = scan([], raw=odd)
    check(rc == 0, "odd input lines do not stop the scan")
    bad_rows = [r for r in rows if r["status"] == "invalid_target"]
    check(len(bad_rows) == 5, "each bad line is an invalid_target row: %r" % [r["error"] for r in bad_rows])


def test_write_errors():
    p = in_ns(BIN, "--resolver", "127.0.53.1", "--allow-private", "-o", "/dev/full", stdin=b"good.lab.test\n")
    check(p.returncode == 2 and b"No space left on device" in p.stderr, "a full disk is an error: %r" % p.stderr)


def test_jsonl_summary_and_expiry_exit():
    domains = ["good.lab.test", "expired.lab.test", "plain.lab.test", "tls12.lab.test", "nullmx.lab.test"]
    summary = os.path.join(LAB, "summary.json")
    p = in_ns(BIN, "--resolver", "127.0.53.1", "--allow-private", "--ca-file", CA, "-f", "jsonl",
              "--summary", summary, "--expiring-within", "30", stdin="\n".join(domains).encode())
    check(p.returncode == 3, "--expiring-within 30 with an expired certificate exits 3: %d" % p.returncode)
    check(b"expired.lab.test mx-expired.lab.test 127.0.1.2 expires 2021-01-01T00:00:00Z" in p.stderr,
          "the summary lists it: %r" % p.stderr[-400:])
    rows = [json.loads(l) for l in p.stdout.decode().splitlines()]
    check(len(rows) == 5 and all(list(r) == COLUMNS for r in rows), "JSONL: the CSV's columns, in order")
    good = next(r for r in rows if r["domain"] == "good.lab.test")
    check(good["port"] == 25 and good["mx_pref"] == 10 and isinstance(good["cert_days_left"], int)
          and isinstance(good["tls_ms"], int), "numbers are numbers: %r" % good)
    check(good["starttls"] is True and good["chain_valid"] is True and good["hostname_match"] is True,
          "yes/no are booleans")
    null = next(r for r in rows if r["domain"] == "nullmx.lab.test")
    check(null["ip"] is None and null["starttls"] is None and null["cert_days_left"] is None, "empty is null")
    plain = next(r for r in rows if r["domain"] == "plain.lab.test")
    check(plain["starttls"] is False, "no is false")
    sm = json.load(open(summary))
    check(sm["rows"] == 5 and sm["rows_by_status"] == {"ok": 3, "no_starttls": 1, "null_mx": 1},
          "summary rows by status: %r" % sm["rows_by_status"])
    check(sm["tls_versions"] == {"TLSv1.3": 2, "TLSv1.2": 1}, "summary TLS versions: %r" % sm["tls_versions"])
    check(sm["starttls"]["offered"] == 3 and sm["starttls"]["not_offered"] == 1, "STARTTLS share")
    check(sm["certificates"]["expired"] == 1 and sm["expiring_within"]["list"][0]["domain"] == "expired.lab.test",
          "expired certificates: %r" % sm["certificates"])
    check(sm["top_ciphers"][0]["cipher"] == "TLS_AES_256_GCM_SHA384", "top cipher")
    p = in_ns(BIN, "--resolver", "127.0.53.1", "--allow-private", "--ca-file", CA, "--expiring-within", "30",
              stdin=b"good.lab.test\n")
    check(p.returncode == 0, "nothing expiring within 30 days: exit 0 (%d)" % p.returncode)
    p = in_ns(BIN, "--resolver", "127.0.53.1", "--allow-private", "--ca-file", CA, "--expiring-within", "500",
              stdin=b"good.lab.test\n")
    check(p.returncode == 3, "the good certificate ends within 500 days: exit 3 (%d)" % p.returncode)


def run_on_pty(args, stdin_data):
    """stderr on a pseudo-terminal: what a person watching would see."""
    master, slave = pty.openpty()
    p = subprocess.Popen(["ip", "netns", "exec", NS, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=slave)
    os.close(slave)
    p.stdin.write(stdin_data)
    p.stdin.close()
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    p.wait(timeout=60)
    os.close(master)
    return seen


def test_progress():
    slow = b"good.lab.test\nsilent.lab.test\n"
    tty = run_on_pty([BIN, "--resolver", "127.0.53.1", "--allow-private", "--banner-timeout", "2.5"], slow)
    check(b"\r\x1b[K" in tty and re.search(rb"starttls-scan: \d+ targets, [\d.]+/s, \d+ in flight, \d+ ok, \d+ not ok", tty),
          "a status line on a terminal: %r" % tty[:300])
    check(b"rows by status" in tty, "and the summary after it")
    quiet = run_on_pty([BIN, "-q", "--resolver", "127.0.53.1", "--allow-private", "--banner-timeout", "2.5"], slow)
    check(quiet == b"", "-q: nothing on stderr: %r" % quiet[:200])
    p = in_ns(BIN, "--resolver", "127.0.53.1", "--allow-private", "--banner-timeout", "2.5", stdin=slow)
    check(b"in flight" not in p.stderr and b"rows by status" in p.stderr,
          "not a terminal: no progress, only the summary")
    p = in_ns(BIN, "--resolver", "127.0.53.1", "--allow-private", "--progress", "--timeout", "11",
              "--banner-timeout", "11", stdin=b"silent.lab.test\n")
    lines = [l for l in p.stderr.decode().splitlines() if "in flight" in l]
    check(len(lines) == 1 and "0 targets, 0.0/s, 1 in flight" in lines[0],
          "--progress: a plain line every 10 s: %r" % lines)


def run_check(*args, password="lab-password"):
    env = dict(os.environ, STARTTLS_SCAN_PASSWORD=password)
    p = subprocess.run(["ip", "netns", "exec", NS, BIN, "check", *args, "--resolver", "127.0.53.1",
                        "--allow-private", "--ca-file", CA], capture_output=True, env=env, timeout=60,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def secrets_absent(text, user, password):
    import base64
    forms = [password, base64.b64encode(password.encode()).decode(),
             base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode(),
             base64.b64encode(user.encode()).decode()]
    return all(f not in text for f in forms)


def test_check_debugger():
    rc, out, err = run_check("smtp.lab.test", "-p", "submission", "--auth-user", "labuser")
    check(rc == 0 and "S: 235 2.7.0 Authentication successful" in out, "right password: 235, exit 0 (%d)" % rc)
    check(out.strip().splitlines()[-1].startswith("OK: TLS ok, AUTH accepted"), "one line with the verdict at the end")
    for part in ("C: EHLO ", "C: STARTTLS", "-- TLS: TLSv1.3, TLS_AES_256_GCM_SHA384", "-- chain: valid",
                 "subject: O=STS Lab,CN=mx-good.lab.test", "days left)", "-- name: the certificate matches",
                 "C: AUTH PLAIN <credentials, base64, redacted>", "-- AUTH offered inside TLS: PLAIN LOGIN"):
        check(part in out, "the transcript shows %r" % part)
    check(secrets_absent(out + err, "labuser", "lab-password"), "no password, nor its base64, in the transcript")
    rc, out, err = run_check("smtp.lab.test:587", "--auth-user", "labuser", "--auth-mech", "LOGIN", password="nope")
    check(rc == 1 and "S: 535 5.7.8" in out and out.strip().splitlines()[-1].startswith("FAILED: TLS ok, AUTH refused"),
          "wrong password: 535, exit 1 (%d)" % rc)
    check(secrets_absent(out + err, "labuser", "nope"), "AUTH LOGIN: both base64 blobs redacted")
    rc, out, err = run_check("mail.lab.test", "-p", "imap", "--auth-user", "labuser")
    check(rc == 0 and "A4 OK" in out and 'C: A4 LOGIN "labuser" <password redacted>' in out,
          "IMAP LOGIN inside TLS (%d)" % rc)
    check(secrets_absent(out, "lab-password", "lab-password"), "IMAP: no password shown")
    rc, out, err = run_check("mail.lab.test", "-p", "imap")
    check(rc == 0 and "C: A2 STARTTLS" in out and "-- AUTH offered inside TLS: PLAIN LOGIN" in out,
          "check on IMAP without AUTH (%d)" % rc)
    rc, out, err = run_check("mx-plain.lab.test", "--auth-user", "labuser")
    check(rc == 1 and "AUTH was not attempted without TLS" in out and "AUTH" not in
          "".join(l for l in out.splitlines() if l.startswith("C: ")), "no TLS, no AUTH (%d)" % rc)
    p = in_ns(BIN, "--auth-user", "x", stdin=b"")
    check(p.returncode == 2 and b"mass scans never authenticate" in p.stderr, "mass mode refuses --auth-user")


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


def main():
    for name, fn in sorted(globals().items()):
        if name.startswith("test_") and callable(fn):
            before = failed
            fn()
            print("%s %s" % ("ok" if failed == before else "not ok", name), flush=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
