# SPDX-License-Identifier: GPL-2.0-or-later
"""The directory and database protocols (issue 25) against the lab's own Debian servers
(tests/lab/beyondmail.sh): OpenLDAP's slapd (StartTLS and LDAPS), PostgreSQL and MariaDB, each row
compared with openssl s_client -starttls and gnutls-cli --starttls-proto, and the servers
without TLS told as such."""
import os
import re
import shutil

from labkit import *  # noqa: F401,F403  the shared helpers and BIN, LAB, NS, CA
from lab_protocols import OPENSSL_VERSION_FLAG, gnutls_cli

# -p NAME, expected columns, openssl s_client -starttls NAME (None: implicit TLS),
# gnutls-cli --starttls-proto NAME (None: it has none for this protocol).
DB_PROTOCOLS = [
    ("ldap", {"port": "389", "starttls": "yes", "banner": ""}, "ldap", "ldap"),
    ("ldaps", {"port": "636", "starttls": "", "banner": ""}, None, None),
    ("postgres", {"port": "5432", "starttls": "yes", "banner": "", "auth_mechs": ""}, "postgres", "postgres"),
    ("mysql", {"port": "3306", "starttls": "yes", "banner~": r"^5\.5\.5-10\.\d+\.\d+-MariaDB", "auth_mechs": ""},
     "mysql", None),
]


def servers_up():
    up = os.path.exists(os.path.join(LAB, "postgres", "pid")) and os.path.exists(
        os.path.join(LAB, "mariadb", "pid")) and os.path.exists(os.path.join(LAB, "slapd", "slapd.pid"))
    check(up, "the lab runs PostgreSQL, MariaDB and slapd (install-deps.sh test installs them)")
    return up


def root_dse_mechanisms(port, scheme):
    """supportedSASLMechanisms as OpenLDAP's own ldapsearch reads it, inside TLS."""
    args = ["env", "LDAPTLS_CACERT=" + CA, "LDAPTLS_REQCERT=demand", "ldapsearch", "-LLL", "-x",
            "-H", "%s://db.lab.test:%s" % (scheme, port), "-b", "", "-s", "base", "supportedSASLMechanisms"]
    if scheme == "ldap":
        args.insert(args.index("-x"), "-ZZ")
    p = in_ns(*args, timeout=20)
    return " ".join(re.findall(r"^supportedSASLMechanisms: (\S+)", p.stdout.decode(), re.M))


def test_db_protocols_against_openssl_and_gnutls():
    if not servers_up():
        return
    for proto, exp, starttls, gnutls in DB_PROTOCOLS:
        rows, err, secs, rc = scan(["db.lab.test"], "--allow-private", "-p", proto)
        check(rc == 0 and len(rows) == 1 and rows[0]["status"] == "ok",
              "%s: one ok row, exit 0 (%d): %s %s" % (proto, rc, rows[0]["error"] if rows else "", err))
        if len(rows) != 1:
            continue
        r = rows[0]
        check(r["protocol"] == proto and r["mx_host"] == "db.lab.test", "%s: protocol and host" % proto)
        for k, v in exp.items():
            if k.endswith("~"):
                check(re.search(v, r[k[:-1]]) is not None, "%s: %s %r !~ %r" % (proto, k[:-1], r[k[:-1]], v))
            else:
                check(r[k] == v, "%s: %s is %r, expected %r" % (proto, k, r[k], v))
        check(r["chain_valid"] == "yes" and r["hostname_match"] == "yes",
              "%s: chain %s name %s" % (proto, r["chain_valid"], r["hostname_match"]))
        check(r["cert_sha256"] == cert_file_facts("good")["cert_sha256"], "%s: the lab certificate" % proto)
        o = s_client(r["ip"], "db.lab.test", r["port"], starttls)
        check(o is not None, "%s: openssl s_client could not complete the handshake" % proto)
        for k in ("tls_version", "cipher", "cert_sha256", "chain_valid"):
            check(o is None or r[k] == o[k], "%s: %s is %r, openssl s_client says %r" % (proto, k, r[k], (o or {}).get(k)))
        if gnutls:
            g = gnutls_cli(r["ip"], "db.lab.test", r["port"], gnutls)
            check(g is not None, "%s: gnutls-cli could not complete the handshake" % proto)
            for k, v in (g or {}).items():
                check(r[k] == v, "%s: %s is %r, gnutls-cli says %r" % (proto, k, r[k], v))
        if proto.startswith("ldap"):
            mechs = root_dse_mechanisms(r["port"], proto)
            check(mechs != "" and r["auth_mechs"] == mechs,
                  "%s: auth_mechs %r, ldapsearch reads %r" % (proto, r["auth_mechs"], mechs))


def s_client_accepts_version(port, starttls, version):
    args = ["env", "OPENSSL_CONF=/dev/null", "openssl", "s_client", "-connect", "127.0.10.1:%s" % port,
            OPENSSL_VERSION_FLAG[version], "-cipher", "ALL:@SECLEVEL=0"]
    if starttls:
        args += ["-starttls", starttls]
    text = in_ns(*args, stdin=b"", timeout=20).stdout.decode(errors="replace")
    m = re.search(r"New, \S+, Cipher is (\S+)", text)
    return m is not None and m.group(1) != "(NONE)" and openssl_protocol(text) == version


def test_db_protocols_versions():
    """--versions after each protocol's own upgrade, against openssl offering one version at a time."""
    if not servers_up():
        return
    for proto, exp, starttls, gnutls in DB_PROTOCOLS:
        rows, err, secs, rc = scan(["db.lab.test"], "--allow-private", "-p", proto, "--versions")
        check(len(rows) == 1 and rows[0]["status"] == "ok", "%s --versions: one ok row (%s)" % (proto, err))
        if len(rows) != 1 or "(incomplete)" in rows[0]["versions"]:
            continue
        listed = rows[0]["versions"].split()
        for version in OPENSSL_VERSION_FLAG:
            accepted = s_client_accepts_version(rows[0]["port"], starttls, version)
            check(accepted == (version in listed), "%s: %s is %s but openssl s_client %s it" % (
                proto, version, "listed" if version in listed else "not listed",
                "gets" if accepted else "is refused"))


def test_db_servers_without_tls():
    """PostgreSQL with ssl = off answers N; slapd without a certificate answers StartTLS with
    protocolError; neither is tried further."""
    if not servers_up():
        return
    for proto, error in (("postgres", "the server answered N to SSLRequest: no TLS"),
                         ("ldap", "StartTLS: protocolError (2): unsupported extended operation")):
        rows, err, secs, rc = scan(["db-nossl.lab.test"], "--allow-private", "-p", proto)
        check(len(rows) == 1 and rows[0]["status"] == "no_starttls" and rows[0]["starttls"] == "no"
              and rows[0]["error"] == error and rows[0]["tls_version"] == "",
              "%s without TLS: %r" % (proto, [(r["status"], r["starttls"], r["error"]) for r in rows]))
        o = s_client("127.0.10.2", "db-nossl.lab.test", "5432" if proto == "postgres" else "389", proto)
        check(o is None, "%s without TLS: openssl s_client gets no handshake either" % proto)


def test_db_check_transcripts():
    """check tells each binary message in words, and refuses --auth-user where there is no AUTH test."""
    if not servers_up():
        return
    want = {
        "ldap": ["C: ExtendedRequest StartTLS (1.3.6.1.4.1.1466.20037)", "S: ExtendedResponse (message 1): success (0)",
                 "C: SearchRequest root DSE", "S: SearchResultDone (message 2): success (0)", "C: UnbindRequest"],
        "postgres": ["C: SSLRequest (code 80877103)", "S: S (TLS follows)"],
        "mysql": ["S: greeting: protocol 10, server 5.5.5-10.", ", CLIENT_SSL", "C: SSLRequest (CLIENT_SSL), then TLS"],
    }
    for proto, lines in want.items():
        p = in_ns(BIN, "check", "db.lab.test", "-p", proto, "--resolver", "127.0.53.1", "--ca-file", CA, timeout=30)
        out = p.stdout.decode(errors="replace")
        check(p.returncode == 0 and "\nOK: TLSv1.3, certificate valid" in out, "check -p %s: OK (%d)\n%s" % (
            proto, p.returncode, out))
        for line in lines:
            check(line in out, "check -p %s shows %r:\n%s" % (proto, line, out))
        check(not re.search(r"[\x00-\x08\x0e-\x1f]", out), "check -p %s: no raw control bytes" % proto)
        p = in_ns(BIN, "check", "db.lab.test", "-p", proto, "--auth-user", "x", "--resolver", "127.0.53.1",
                  "--ca-file", CA, stdin=b"pw\n", timeout=30)
        check(p.returncode == 2 and b"AUTH" in p.stderr, "check -p %s --auth-user is refused: %r" % (proto, p.stderr))
    check(shutil.which("ldapsearch") is not None, "ldap-utils installed (the test group)")
