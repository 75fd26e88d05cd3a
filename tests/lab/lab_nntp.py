# SPDX-License-Identifier: GPL-2.0-or-later
"""NNTP (issue 25) against the lab's INN nnrpd (tests/lab/beyondmail.sh): STARTTLS on 119 and
NNTPS on 563, each row compared with openssl s_client and gnutls-cli, and the SASL
mechanisms with what Python's own client reads from CAPABILITIES inside TLS."""
import os
import re

from labkit import *  # noqa: F401,F403  the shared helpers and BIN, LAB, NS, CA
from lab_protocols import gnutls_cli

# A reader of CAPABILITIES, before and inside TLS, run in the lab's namespace.
CAPS = r"""
import socket, ssl, sys
def reply(f, multi):
    lines = [f.readline().decode().rstrip("\r\n")]
    while multi and lines[0].startswith("101") and lines[-1] != ".":
        lines.append(f.readline().decode().rstrip("\r\n"))
    return lines
s = socket.create_connection(("127.0.12.1", 119), timeout=10)
f = s.makefile("rb")
reply(f, False)
s.sendall(b"CAPABILITIES\r\n"); before = reply(f, True)
s.sendall(b"STARTTLS\r\n"); reply(f, False)
t = ssl.create_default_context(cafile=sys.argv[1]).wrap_socket(s, server_hostname="news.lab.test")
g = t.makefile("rb")
t.sendall(b"CAPABILITIES\r\n"); inside = reply(g, True)
t.sendall(b"QUIT\r\n"); reply(g, False)
for name, caps in (("before", before), ("inside", inside)):
    print(name, " ".join(l[5:] for l in caps if l.startswith("SASL ")))
"""


def inn_up():
    up = os.path.exists(os.path.join(LAB, "inn", "nntp.pid"))
    check(up, "the lab runs INN's nnrpd (install-deps.sh test installs inn2)")
    return up


def test_nntp_against_openssl_and_gnutls():
    if not inn_up():
        return
    p = in_ns("python3", "-c", CAPS, CA, timeout=30)
    mechs = dict(l.split(" ", 1) for l in p.stdout.decode().splitlines() if " " in l)
    check("inside" in mechs and mechs["inside"] != "", "Python reads INN's capabilities: %r %r" % (
        p.stdout, p.stderr))
    for proto, port, starttls in (("nntp", "119", "nntp"), ("nntps", "563", None)):
        rows, err, secs, rc = scan(["news.lab.test"], "--allow-private", "-p", proto)
        check(rc == 0 and len(rows) == 1 and rows[0]["status"] == "ok",
              "%s: one ok row (%d): %s %s" % (proto, rc, [r["error"] for r in rows], err))
        if len(rows) != 1:
            continue
        r = rows[0]
        check(r["port"] == port and re.match(r"^20[01] news\.lab\.test InterNetNews NNRP server INN", r["banner"]),
              "%s: port %s, banner %r" % (proto, r["port"], r["banner"]))
        check(r["starttls"] == ("yes" if starttls else ""), "%s: starttls %r" % (proto, r["starttls"]))
        check(r["chain_valid"] == "yes" and r["hostname_match"] == "yes" and
              r["cert_sha256"] == cert_file_facts("good")["cert_sha256"], "%s: the lab certificate, valid" % proto)
        check(r["auth_mechs"] == mechs.get("inside", "").upper(),
              "%s: auth_mechs %r, Python reads %r" % (proto, r["auth_mechs"], mechs.get("inside")))
        if starttls:
            check(r["auth_mechs_plain"] == mechs.get("before", "").upper(),
                  "%s: auth_mechs_plain %r, Python reads %r" % (proto, r["auth_mechs_plain"], mechs.get("before")))
        o = s_client(r["ip"], "news.lab.test", port, starttls)
        check(o is not None, "%s: openssl s_client could not complete the handshake" % proto)
        for k in ("tls_version", "cipher", "cert_sha256", "chain_valid"):
            check(o is None or r[k] == o[k], "%s: %s is %r, openssl s_client says %r" % (proto, k, r[k], (o or {}).get(k)))
        if starttls:
            g = gnutls_cli(r["ip"], "news.lab.test", port, "nntp")
            check(g is not None, "%s: gnutls-cli could not complete the handshake" % proto)
            for k, v in (g or {}).items():
                check(r[k] == v, "%s: %s is %r, gnutls-cli says %r" % (proto, k, r[k], v))
