# SPDX-License-Identifier: GPL-2.0-or-later
"""--ciphers against postfix and dovecot: compared with sslscan and with openssl
s_client offering one suite at a time; the order of preference; the weak ones;
the connections it costs."""
import json
import os
import re
import shutil
import tempfile
import subprocess
import time
import xml.etree.ElementTree as ET

from labkit import *  # noqa: F401,F403  the shared helpers and BIN, LAB, NS, CA
from lab_protocols import s_client_accepts

# (target, address, port, -p, sslscan's STARTTLS flag, the server's order)
SERVERS = [
    ("mx-good.lab.test", "127.0.1.1", 25, "smtp", "--starttls-smtp", "server order"),
    ("mx-tls10.lab.test", "127.0.7.1", 25, "smtp", "--starttls-smtp", "server order"),
    ("mx-rsa.lab.test", "127.0.7.2", 25, "smtp", "--starttls-smtp", "server order"),
    ("mx-dhe.lab.test", "127.0.7.3", 25, "smtp", "--starttls-smtp", "server order"),
    ("mx-clientorder.lab.test", "127.0.7.5", 25, "smtp", "--starttls-smtp", "client order"),
    ("mail.lab.test", "127.0.4.1", 143, "imap", "--starttls-imap", None),
    # GnuTLS (lab.sh's gnutls-serv), implicit TLS: another stack than OpenSSL
    ("127.0.7.6:4433", "127.0.7.6", 4433, "tls", None, "server order"),
    ("127.0.7.6:4434", "127.0.7.6", 4434, "tls", None, "client order"),
]


def openssl_table():
    """IANA name -> id, for every suite Debian's OpenSSL can offer."""
    out = subprocess.run(["openssl", "ciphers", "-V", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"],
                         capture_output=True, text=True, check=True).stdout
    table = {}
    for line in out.splitlines():
        m = re.match(r"\s*0x([0-9A-F]{2}),0x([0-9A-F]{2})\s+-\s+(\S+)\s+-\s+(\S+)", line)
        if m:
            table[m.group(3)] = int(m.group(1) + m.group(2), 16)
    # Not in any cipher string, but -ciphersuites offers them.
    table.update({"TLS_AES_128_CCM_SHA256": 0x1304, "TLS_AES_128_CCM_8_SHA256": 0x1305})
    return table


def parse_ciphers(cell):
    """'TLSv1.3: A B (server order); TLSv1.2: C' -> {version: ([names], order)}."""
    found = {}
    for part in cell.split("; ") if cell else []:
        m = re.match(r"(\S+): ([^()]*?)(?: \((server order|client order|order unclear)\))?$", part)
        check(m, "ciphers cell part reads: %r" % part)
        if m:
            found[m.group(1)] = (m.group(2).split(), m.group(3))
    return found


def sslscan(ip, port, flag):
    p = in_ns("sslscan", "--no-colour", "--no-fallback", "--no-renegotiation", "--no-compression",
              "--no-heartbleed", "--no-groups", "--no-check-certificate", *([flag] if flag else []), "--xml=-",
              "%s:%d" % (ip, port), timeout=120)
    text = p.stdout.decode(errors="replace")
    root = ET.fromstring(text[text.index("<?xml"):])
    per = {}
    for c in root.iter("cipher"):
        v = c.get("sslversion")
        per.setdefault(v, []).append((int(c.get("id"), 16), c.get("status")))
    return per


def against_sslscan():
    check(shutil.which("gnutls-serv"), "GnuTLS's gnutls-serv is installed (make deps-test)")
    table = openssl_table()
    by_id = {v: k for k, v in table.items()}
    rows = {}
    for target, ip, port, proto, flag, order in SERVERS:
        got, err, secs, rc = scan([target], "--no-mx", "--allow-private", "--ciphers", "-p", proto,
                                  "--timeout", "20")
        check(len(got) == 1 and got[0]["status"] == "ok", "%s: one ok row (%s)" % (target, got and got[0]["error"]))
        if not got:
            continue
        rows[target] = got[0]
        ours = parse_ciphers(got[0]["ciphers"])
        theirs = sslscan(ip, port, flag)
        check(ours, "%s: suites listed" % target)
        for version in sorted(set(ours) | set(theirs)):
            names = ours.get(version, ([], None))[0]
            unknown = [n for n in names if n not in table]
            check(not unknown, "%s %s: accepted suites OpenSSL cannot offer: %s" % (target, version, unknown))
            mine = [table.get(n) for n in names]
            ss = [i for i, _ in theirs.get(version, [])]
            check(sorted(mine) == sorted(ss), "%s %s: ours %s, sslscan %s" % (
                target, version, [by_id.get(i) for i in sorted(set(mine) - set(ss))],
                [by_id.get(i, hex(i)) for i in sorted(set(ss) - set(mine))]))
            preferred = [i for i, s in theirs.get(version, []) if s == "preferred"]
            if order == "server order" and mine:
                check(preferred == mine[:1], "%s %s: the server's first choice is sslscan's preferred" % (target, version))
                check(mine == ss, "%s %s: in the server's order, as sslscan lists them" % (target, version))
            if order and len(names) >= 2:
                check(ours[version][1] == order, "%s %s: %s detected, got %s" % (target, version, order, ours[version][1]))
        weak = got[0]["weak_ciphers"].split()
        listed = [n for names, _ in ours.values() for n in names]
        check(all(n in listed for n in weak), "%s: every weak suite is an accepted one" % target)
    return rows


def one_suite_at_a_time(rows):
    """openssl s_client offering each suite Debian's OpenSSL has, alone: the
    server takes exactly those we listed."""
    table = openssl_table()
    for target, ip in (("mx-clientorder.lab.test", "127.0.7.5"), ("mx-rsa.lab.test", "127.0.7.2"),
                       ("mx-good.lab.test", "127.0.1.1")):
        if target not in rows:
            continue
        ours = parse_ciphers(rows[target]["ciphers"])
        versions = ["TLSv1.3", "TLSv1.2"] if target == "mx-good.lab.test" else ["TLSv1.2"]
        for version in versions:
            listed = set(ours.get(version, ([], None))[0])
            for name in table:
                tls13 = name.startswith("TLS_AES") or name.startswith("TLS_CHACHA20")
                if tls13 != (version == "TLSv1.3"):
                    continue
                accepted = s_client_accepts(ip, version, name)
                check(accepted == (name in listed), "%s %s %s: s_client %s, ours %s" % (
                    target, version, name, accepted, name in listed))


def weak_and_connections(rows):
    r = rows.get("mx-clientorder.lab.test")
    if r:
        check(r["weak_ciphers"] == "TLS_RSA_WITH_AES_128_CBC_SHA", "static RSA with CBC-SHA1 is the weak one: %r"
              % r["weak_ciphers"])
    r = rows.get("mx-rsa.lab.test")
    if r:
        check(set(r["weak_ciphers"].split()) == {"TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_128_GCM_SHA256",
              "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"}, "static RSA is weak: %r" % r["weak_ciphers"])
    good = rows.get("mx-good.lab.test")
    if good:
        tls13 = parse_ciphers(good["ciphers"]).get("TLSv1.3", ([], None))[0]
        check(tls13 and not set(tls13) & set(good["weak_ciphers"].split()), "no TLS 1.3 suite is weak")
    # The connections: the full handshake, then per version one per suite
    # accepted, one that is refused (none when the list ran out) and the
    # order check; one for a version refused outright.
    before = len(maillog())
    summary = tempfile.NamedTemporaryFile(suffix=".json")
    got, err, secs, rc = scan(["mx-clientorder.lab.test"], "--no-mx", "--allow-private", "--ciphers",
                              "--summary", summary.name, "--overwrite")
    check(json.load(open(summary.name)).get("ciphers") == {"listed": 1, "weak": 1}, "the JSON summary counts them")
    time.sleep(1.5)
    n = smtpd_connects(maillog()[before:], "mx-clientorder")
    check(n == 1 + (4 + 1 + 1) + 4, "mx-clientorder: 1 + 6 for TLS 1.2 + 4 refused versions, got %d" % n)
    check(got and got[0]["ciphers"].startswith("TLSv1.2: TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 "),
          "the client's order: our first listed comes first: %r" % (got and got[0]["ciphers"]))
    check("cipher suites listed on 1 row; 1 accept a weak one" in err, "the summary counts them: %s" % err[-500:])
    got, err, secs, rc = scan(["mx-clientorder.lab.test"], "--no-mx", "--allow-private")
    check(got and got[0]["ciphers"] == "" and got[0]["weak_ciphers"] == "", "no ciphers without --ciphers")
    check("cipher suites listed" not in err, "nor a summary line")


def test_check_shows_ciphers():
    p = in_ns(BIN, "check", "mx-clientorder.lab.test", "--no-mx", "--ciphers", "--ca-file", CA,
              "--resolver", "127.0.53.1", "--ehlo", "scanner.lab.test", "--no-dane")
    out = p.stdout.decode(errors="replace")
    check("cipher suites TLSv1.2: TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" in out and "(client order)" in out,
          "check lists the suites: %s" % out[-600:])
    check("weak: TLS_RSA_WITH_AES_128_CBC_SHA (no-forward-secrecy,CBC-SHA1)" in out,
          "check says why a suite is weak")
    # Ten connections, one line for them: the transcript stays readable.
    check(out.count("enumerating cipher suites") == 1 and out.count("C: STARTTLS") == 1,
          "check shows one dialog, and says once that the suites were enumerated: %d STARTTLS" % out.count("C: STARTTLS"))


def test_openssl_difference():
    """What our hellos offer that Debian's OpenSSL cannot (docs/ciphers.md says so)."""
    table = openssl_table()
    src = open(os.path.join(os.path.dirname(__file__), "..", "..", "scanner", "tls", "suites.c")).read()
    ours = re.findall(r'\{0x[0-9A-F]{4}, "(TLS_[A-Za-z0-9_]+)"\}', src)
    missing = [n for n in ours if n not in table and "SCSV" not in n]
    doc = open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "ciphers.md")).read()
    for n in missing:
        check(n in doc, "docs/ciphers.md names %s, which Debian's OpenSSL cannot offer" % n)
    check(len(missing) > 10, "the difference is not empty (%d)" % len(missing))


def test_ciphers_once_per_address_and_port():
    """--ciphers' connections are bounded per server address and port, not
    per name: two names of 127.0.1.1:25 and the address itself share one
    enumeration; each row still lists the suites."""
    names = ["mx-good.lab.test", "implicit.lab.test", "127.0.1.1"]
    counts = []
    for targets in (names[:1], names):
        before = len(maillog())
        rows, err, _, rc = scan(targets, "--no-mx", "--allow-private", "--ciphers", "--no-dane", "--timeout", "60")
        time.sleep(1.5)
        counts.append(smtpd_connects(maillog()[before:], "mx-good"))
        lists = {r["ciphers"] for r in rows}
        check(len(rows) == len(targets) and len(lists) == 1 and list(lists)[0].startswith("TLSv1.3: ")
              and "incomplete" not in list(lists)[0], "every name's row lists the same suites: %r" % lists)
    check(counts[1] == counts[0] + 2, "one enumeration for the three names: %d connections, %d for one name"
          % (counts[1], counts[0]))


def test_ciphers_from_a_busy_server():
    """A server that answers every second connection with a plaintext 421
    (busyproxy.py in front of gnutls-serv): no refusal, the hellos are sent
    again after a back-off, and the list equals the server's own."""
    here = os.path.dirname(os.path.abspath(__file__))
    proxy = subprocess.Popen(["ip", "netns", "exec", NS, "/usr/bin/python3", os.path.join(here, "busyproxy.py"),
                              "300", "127.0.7.6:4435", "127.0.7.6:4433"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)
    try:
        time.sleep(1)
        rows, err, _, rc = scan(["127.0.7.6:4433", "127.0.7.6:4435"], "--allow-private", "--no-mx", "-p", "tls",
                                "--ciphers", "--no-dane", "--timeout", "30")
        by = {r["port"]: r for r in rows}
        direct, busy = by.get("4433", {}), by.get("4435", {})
        check(direct.get("ciphers") and "incomplete" not in direct["ciphers"] and
              busy.get("ciphers") == direct.get("ciphers") and busy.get("weak_ciphers") == direct.get("weak_ciphers"),
              "a busy server's suites are all found, in its order: %r vs %r" % (busy.get("ciphers"),
                                                                                  direct.get("ciphers")))
    finally:
        proxy.terminate()
        out = proxy.communicate(timeout=10)[0]
    check(out.count("busy") >= 5, "the proxy was busy for some of them: %r" % out[-200:])


def test_ciphers():
    rows = against_sslscan()
    one_suite_at_a_time(rows)
    weak_and_connections(rows)
