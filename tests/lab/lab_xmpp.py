# SPDX-License-Identifier: GPL-2.0-or-later
"""XMPP (issue 25) against the lab's prosody (tests/lab/beyondmail.sh): client to server,
server to server and direct TLS, each row compared with openssl s_client and gnutls-cli; the
transcript of check."""
import hashlib
import os
import re
import subprocess

from labkit import *  # noqa: F401,F403  the shared helpers and BIN, LAB, NS, CA
from lab_protocols import gnutls_cli

# -p NAME, port, openssl s_client -starttls NAME (None: direct TLS), gnutls-cli's name.
XMPP = [
    ("xmpp", "5222", "xmpp", "xmpp"),
    ("xmpps", "5223", None, None),
    ("xmpp-server", "5269", "xmpp-server", None),
]


def prosody_up():
    up = os.path.exists(os.path.join(LAB, "prosody", "pid"))
    check(up, "the lab runs prosody (install-deps.sh test installs it)")
    return up


def s_client_xmpp(port, starttls):
    args = ["openssl", "s_client", "-connect", "127.0.8.1:%s" % port, "-CAfile", CA, "-servername",
            "xmpp.lab.test"]
    if starttls:
        args += ["-starttls", starttls, "-xmpphost", "xmpp.lab.test"]
    out = in_ns(*args, stdin=b"", timeout=20)
    text = out.stdout.decode(errors="replace") + out.stderr.decode(errors="replace")
    m = re.search(r"New, \S+, Cipher is (\S+)", text)
    pem = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", text, re.S)
    if not m or m.group(1) == "(NONE)" or not pem:
        return None
    der = subprocess.run(["openssl", "x509", "-outform", "der"], input=pem.group(0).encode(),
                         capture_output=True).stdout
    code = re.search(r"Verify return code: (\d+)", text)
    return {"tls_version": openssl_protocol(text), "cipher": stdname(m.group(1)),
            "cert_sha256": hashlib.sha256(der).hexdigest(),
            "chain_valid": "yes" if code and code.group(1) == "0" else "no"}


def test_xmpp_against_openssl_and_gnutls():
    if not prosody_up():
        return
    for proto, port, starttls, gnutls in XMPP:
        rows, err, secs, rc = scan(["xmpp.lab.test"], "--allow-private", "-p", proto)
        check(rc == 0 and len(rows) == 1 and rows[0]["status"] == "ok",
              "%s: one ok row (%d): %s %s" % (proto, rc, [r["error"] for r in rows], err))
        if len(rows) != 1:
            continue
        r = rows[0]
        check(r["port"] == port and r["protocol"] == proto, "%s: port %s" % (proto, r["port"]))
        check(r["starttls"] == ("yes" if starttls else ""), "%s: starttls %r" % (proto, r["starttls"]))
        check(r["chain_valid"] == "yes" and r["hostname_match"] == "yes" and
              r["cert_sha256"] == cert_file_facts("good")["cert_sha256"], "%s: the lab certificate, valid" % proto)
        # prosody with internal_hashed offers these inside TLS to clients, none before it
        # (c2s_require_encryption), and none to servers (dialback, no certificate of ours).
        want = "" if proto == "xmpp-server" else "SCRAM-SHA-1 PLAIN"
        check(r["auth_mechs"] == want and r["auth_mechs_plain"] == "",
              "%s: auth_mechs %r, before TLS %r" % (proto, r["auth_mechs"], r["auth_mechs_plain"]))
        o = s_client_xmpp(port, starttls)
        check(o is not None, "%s: openssl s_client could not complete the handshake" % proto)
        for k, v in (o or {}).items():
            check(r[k] == v, "%s: %s is %r, openssl s_client says %r" % (proto, k, r[k], v))
        if gnutls:
            # by name: gnutls-cli's stream header is to= the host it is given (an address
            # would be host-unknown); the namespace's resolver knows the lab's names
            g = gnutls_cli("xmpp.lab.test", "xmpp.lab.test", port, gnutls)
            check(g is not None, "%s: gnutls-cli could not complete the handshake" % proto)
            for k, v in (g or {}).items():
                check(r[k] == v, "%s: %s is %r, gnutls-cli says %r" % (proto, k, r[k], v))


def test_xmpp_check_transcript():
    """check shows the XML both ways, to= the domain, and the SASL mechanisms inside TLS."""
    if not prosody_up():
        return
    p = in_ns(BIN, "check", "xmpp.lab.test", "-p", "xmpp", "--resolver", "127.0.53.1", "--ca-file", CA,
              timeout=30)
    out = p.stdout.decode(errors="replace")
    check(p.returncode == 0 and "\nOK: TLSv1.3" in out, "check -p xmpp: OK (%d)\n%s" % (p.returncode, out))
    for want in ("C: <?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                 "xmlns:stream='http://etherx.jabber.org/streams' to='xmpp.lab.test' version='1.0'>",
                 "S: <stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>",
                 "C: <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
                 "S: <proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
                 "<mechanism>SCRAM-SHA-1</mechanism>", "C: </stream:stream>",
                 "-- AUTH offered inside TLS: SCRAM-SHA-1 PLAIN"):
        check(want in out, "check -p xmpp shows %r:\n%s" % (want, out))
    check(out.count("C: <?xml version='1.0'?><stream:stream") == 2, "a new stream inside TLS")
