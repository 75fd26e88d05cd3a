# SPDX-License-Identifier: GPL-2.0-or-later
"""XMPP (issue 25) against the lab's prosody (tests/lab/beyondmail.sh): client to server,
server to server and direct TLS, each row compared with openssl s_client and gnutls-cli; the
transcript of check."""
import csv
import io
import os
import re
import shutil
import tempfile

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


def s_client_xmpp(port, starttls, domain="xmpp.lab.test"):
    """openssl s_client to prosody, the stream addressed to domain (direct TLS: starttls None)."""
    return s_client("127.0.11.1", domain, port, starttls, *(["-xmpphost", domain] if starttls else []))


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
        # Its order changes from one start to the next (a Lua table): the set is compared
        # here, the order in the transcript test.
        want = [] if proto == "xmpp-server" else ["PLAIN", "SCRAM-SHA-1"]
        check(sorted(r["auth_mechs"].split()) == want and r["auth_mechs_plain"] == "",
              "%s: auth_mechs %r, before TLS %r" % (proto, r["auth_mechs"], r["auth_mechs_plain"]))
        o = s_client_xmpp(port, starttls)
        check(o is not None, "%s: openssl s_client could not complete the handshake" % proto)
        for k in ("tls_version", "cipher", "cert_sha256", "chain_valid"):
            check(o is None or r[k] == o[k], "%s: %s is %r, openssl s_client says %r" % (proto, k, r[k], (o or {}).get(k)))
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
                 "<mechanism>SCRAM-SHA-1</mechanism>", "C: </stream:stream>"):
        check(want in out, "check -p xmpp shows %r:\n%s" % (want, out))
    # The mechanisms in the order the features inside TLS listed them.
    offered = re.findall(r"<mechanism>([^<]+)</mechanism>", out)
    check(sorted(offered) == ["PLAIN", "SCRAM-SHA-1"] and
          "-- AUTH offered inside TLS: %s\n" % " ".join(offered) in out,
          "check -p xmpp: the AUTH line in the features' order %r:\n%s" % (offered, out))
    check(out.count("C: <?xml version='1.0'?><stream:stream") == 2, "a new stream inside TLS")


def dig_srv(name):
    """The SRV records as dig reads them from the lab's nsd: (priority, weight, port, target)."""
    p = in_ns("dig", "+short", "+time=2", "+tries=2", "@127.0.53.1", "SRV", name, timeout=20)
    recs = set()
    for line in p.stdout.decode().splitlines():
        prio, weight, port, target = line.split()
        recs.add((int(prio), int(weight), int(port), target.rstrip(".")))
    return recs


def test_srv_discovery():
    """Servers found as clients find them (RFC 6120 3.2, RFC 2782, RFC 6186): every SRV target
    by priority on the record's port, checked against the domain; '.' is no_service; no SRV
    records, the name itself; --no-srv, the name's own address; --srv for IMAP and submission."""
    if not prosody_up():
        return
    for proto, label, port, starttls in (("xmpp", "_xmpp-client._tcp", "5222", "xmpp"),
                                         ("xmpp-server", "_xmpp-server._tcp", "5269", "xmpp-server"),
                                         ("xmpps", "_xmpps-client._tcp", "5223", None)):
        rows, err, secs, rc = scan(["chat.lab.test", "xmpp.lab.test", "noxmpp.lab.test"], "--allow-private",
                                   "-p", proto)
        by = {}
        for r in rows:
            by.setdefault(r["domain"], []).append(r)
        owner = label + ".chat.lab.test"
        want = dig_srv(owner)
        got = set()
        for r in by.get("chat.lab.test", []):
            m = re.fullmatch(r"SRV %s (\d+) (\d+) (\d+)" % re.escape(owner), r["discovery"])
            check(m is not None, "%s chat: discovery %r" % (proto, r["discovery"]))
            if m:
                got.add((int(m.group(1)), int(m.group(2)), int(m.group(3)), r["mx_host"]))
                check(r["port"] == m.group(3), "%s chat: the record's port %s, row %s" % (proto, m.group(3), r["port"]))
            check(r["ip"] != "127.0.11.9", "%s chat: the domain's own A record is not used" % proto)
            check(r["name_checked"] == "chat.lab.test" and r["mx_pref"] == "" and r["mx_records"] == "",
                  "%s chat: checked against the domain, no MX columns: %r" % (proto, r))
            if r["mx_host"] == "xmpp.lab.test":
                check(r["status"] == "ok" and r["hostname_match"] == "yes" and r["dane"] == "",
                      "%s chat via xmpp.lab.test: %s %s (%s)" % (proto, r["status"], r["hostname_match"], r["error"]))
                o = s_client_xmpp(r["port"], starttls, "chat.lab.test")
                check(o is not None and o["cert_sha256"] == r["cert_sha256"] and o["tls_version"] == r["tls_version"],
                      "%s chat: openssl s_client to the SRV target agrees: %r" % (proto, o))
            else:
                check(r["status"] == "connect_failed", "%s chat via the dead target: %s" % (proto, r["status"]))
        check(got == want and want, "%s chat: a row per SRV record dig reads: %r vs %r" % (proto, got, want))
        x = by.get("xmpp.lab.test", [])
        check(len(x) == 1 and x[0]["status"] == "ok" and x[0]["port"] == port and
              x[0]["discovery"] == "SRV %s.xmpp.lab.test: none, the name itself" % label,
              "%s xmpp.lab.test: no SRV records, the name itself: %r" % (proto, x))
    rows, err, secs, rc = scan(["noxmpp.lab.test"], "--allow-private", "-p", "xmpp")
    check(len(rows) == 1 and rows[0]["status"] == "no_service" and rows[0]["ip"] == "" and
          rows[0]["discovery"] == "SRV _xmpp-client._tcp.noxmpp.lab.test: .",
          "noxmpp: '.' is no_service, nothing contacted: %r" % rows)
    # The blocklist applies to the servers SRV names, as to MX hosts.
    block = os.path.join(LAB, "srv-block.txt")
    with open(block, "w") as f:
        f.write("127.0.11.0/24\n")
    rows, err, secs, rc = scan(["chat.lab.test"], "--allow-private", "-p", "xmpp", "--blocklist", block)
    check(len(rows) == 2 and all(r["status"] == "blocked" and r["discovery"].startswith("SRV ") for r in rows),
          "--blocklist: the SRV targets are blocked: %r" % [(r["mx_host"], r["status"]) for r in rows])
    rows, err, secs, rc = scan(["chat.lab.test"], "--allow-private", "-p", "xmpp", "--no-srv")
    check(len(rows) == 1 and rows[0]["ip"] == "127.0.11.9" and rows[0]["discovery"] == "" and
          rows[0]["status"] == "connect_failed", "--no-srv: the name's own address: %r" % rows)
    for proto, server, port in (("imap", "mail.lab.test", "143"), ("submission", "smtp.lab.test", "587")):
        rows, err, secs, rc = scan(["mailsrv.lab.test"], "--allow-private", "-p", proto, "--srv")
        # RFC 6186 6: the reference identity is the domain, which the lab's certificate does not name.
        check(len(rows) == 1 and rows[0]["mx_host"] == server and rows[0]["port"] == port and
              rows[0]["status"] == "ok" and rows[0]["name_checked"] == "mailsrv.lab.test" and
              rows[0]["hostname_match"] == "no", "--srv -p %s: %r" % (proto, rows))


def test_srv_targets_resume_merge_rollup():
    """A target whose servers SRV found (on other ports than the protocol's) is one target for
    --resume, merge and rollup: each exactly once."""
    if not prosody_up():
        return
    d = tempfile.mkdtemp(dir=LAB)
    inp, out, copy, merged = (os.path.join(d, n) for n in ("in.txt", "out.csv", "copy.csv", "merged.csv"))
    with open(inp, "w") as f:
        f.write("chat.lab.test\nxmpp.lab.test\nnoxmpp.lab.test\n")
    base = [BIN, "--resolver", "127.0.53.1", "--allow-private", "--ca-file", CA, "--timeout", "4",
            "-p", "xmpp-server", "-q"]
    p = in_ns(*base, "-o", out, inp)
    first = open(out).read()
    p = in_ns(*base, "-o", out, "--resume", inp)
    rows = list(csv.DictReader(io.StringIO(open(out).read(), newline="")))
    keys = [(r["domain"], r["mx_host"], r["ip"], r["port"]) for r in rows]
    check(p.returncode == 0 and len(keys) == len(set(keys)) and {r["domain"] for r in rows} ==
          {"chat.lab.test", "xmpp.lab.test", "noxmpp.lab.test"} and len(rows) == first.count("\n") - 1,
          "--resume: every SRV target exactly once (%d): %r" % (p.returncode, keys))
    shutil.copy(out, copy)
    p = in_ns(BIN, "merge", out, copy, "-o", merged)
    mrows = list(csv.DictReader(io.StringIO(open(merged).read(), newline=""))) if p.returncode == 0 else []
    check(p.returncode == 0 and sorted(keys) == sorted((r["domain"], r["mx_host"], r["ip"], r["port"]) for r in mrows),
          "merge: a target in two files once: %d %r" % (p.returncode, p.stderr))
    p = in_ns(BIN, "rollup", out, "-o", "-")
    lines = p.stdout.decode().splitlines()
    check(p.returncode == 0 and len(lines) == 4, "rollup: one row per domain: %r" % lines)
    shutil.rmtree(d)


def test_srv_dane_rfc7673():
    """A signed SRV answer (through the validating unbound): the SRV target is the name checked
    and DANE applies at _PORT._tcp.TARGET (RFC 7673): a matching record is valid, a wrong one
    invalid. An unsigned one (lab.test): the domain is checked, and DANE does not apply."""
    rows, err, secs, rc = scan(["srv.sec.test", "srvwrong.sec.test"], "--allow-private", "-p", "submission",
                               "--srv", resolver="127.0.53.2")
    by = {r["domain"]: r for r in rows}
    for domain, target, dane in (("srv.sec.test", "mx-ee.sec.test", "valid"),
                                 ("srvwrong.sec.test", "mx-wrong.sec.test", "invalid")):
        r = by.get(domain)
        check(r is not None and r["mx_host"] == target and r["port"] == "25" and r["name_checked"] == target
              and r["dane"] == dane and r["discovery"] == "SRV _submission._tcp.%s 0 0 25" % domain,
              "%s: checked as %s, DANE %s: %r" % (domain, target, dane, r and {k: r[k] for k in (
                  "mx_host", "port", "name_checked", "dane", "dane_error", "discovery", "status")}))
    rows, err, secs, rc = scan(["chat.lab.test"], "--allow-private", "-p", "xmpp", resolver="127.0.53.2")
    ok = [r for r in rows if r["status"] == "ok"]
    check(len(ok) == 1 and ok[0]["name_checked"] == "chat.lab.test" and ok[0]["dane"] == "",
          "an unsigned SRV answer: the domain checked, no DANE: %r" % [(r["name_checked"], r["dane"]) for r in ok])
