# SPDX-License-Identifier: GPL-2.0-or-later
"""What every lab test uses: the binary and the lab (from argv), running
commands in the lab's namespace, scanning, the servers' logs, certificate
files, openssl s_client, and the pass/fail counts."""
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
           "handshake,versions,attempts,dane,dane_error,tlsa,mx_dnssec,cert_spki_sha256,mta_sts,"
           "mta_sts_error,mta_sts_id,mta_sts_mx_match,mta_sts_ok,tls_rpt,ciphers,weak_ciphers,mx_records,"
           "discovery,name_checked,raw_capabilities,raw_starttls,raw_capabilities_tls,raw_truncated").split(",")

counts = {"passed": 0, "failed": 0}
# What differs between two runs of one build too: clocks, and the days left
# that follow from the clock when the runs straddle midnight.
TIMING = {"connect_ms", "tls_ms", "scanned_at", "cert_days_left"}


def check(cond, what):
    if cond:
        counts["passed"] += 1
    else:
        counts["failed"] += 1
        print("FAIL:", what, flush=True)


def in_ns(*args, stdin=None, timeout=60):
    return subprocess.run(["ip", "netns", "exec", NS, *args], input=stdin, capture_output=True,
                          timeout=timeout)


def scan(lines, *opts, raw=None, binary=None, resolver="127.0.53.1"):
    """Runs the scanner (BIN, or binary) in the lab; returns (rows, stderr, seconds, exit code).
    resolver: nsd itself, or the validating unbound (127.0.53.2, protect.sh)."""
    data = raw if raw is not None else ("\n".join(lines) + "\n").encode()
    t0 = time.time()
    p = in_ns(binary or BIN, "--resolver", resolver, "--ca-file", CA, "--ehlo", "scanner.lab.test",
              "--banner-timeout", "2", "--reply-timeout", "3", "--timeout", "6", "--retry-delay", "0.5",
              *opts, stdin=data)
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
    # openssl breaks a long serial over lines with a backslash
    f = dict(l.split("=", 1) for l in out.replace("\\\n", "").strip().splitlines())
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


def s_client(ip, sni, port="25", starttls="smtp", *extra):
    """What openssl s_client sees on the same host (starttls None: implicit TLS); extra:
    more of its arguments (XMPP's -xmpphost)."""
    host = "[%s]:%s" % (ip, port) if ":" in ip else "%s:%s" % (ip, port)
    args = ["openssl", "s_client", "-connect", host, "-CAfile", CA]
    if sni:
        args += ["-servername", sni]
    if starttls:
        args += ["-starttls", starttls]
    args += list(extra)
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




def run_on_pty(args, stdin_data, stdout_too=False):
    """stderr (and stdout too, if asked) on a pseudo-terminal: what a person
    watching would see. args run in the lab's namespace."""
    master, slave = pty.openpty()
    p = subprocess.Popen(["ip", "netns", "exec", NS, *args], stdin=subprocess.PIPE,
                         stdout=slave if stdout_too else subprocess.PIPE, stderr=slave)
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


def by_endpoint(rows):
    """{(domain, mx_host, ip, port, protocol): the row without its timing columns}."""
    out = {}
    for r in rows:
        key = (r["domain"], r["mx_host"], r["ip"], r["port"], r["protocol"])
        check(key not in out, "one row per target and endpoint: %r" % (key,))
        out[key] = {k: v for k, v in r.items() if k not in TIMING}
    return out
