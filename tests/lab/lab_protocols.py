# SPDX-License-Identifier: GPL-2.0-or-later
"""Every protocol against postfix, dovecot (IMAP, POP3, LMTP, ManageSieve) and vsftpd; legacy
servers and --versions."""
import csv
import hashlib
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
    ("lmtp", "mail.lab.test", {"port": "24", "status": "ok", "starttls": "yes", "auth_mechs": "",
     "banner~": r"^220 .*Dovecot"}, "lmtp"),
    ("sieve", "mail.lab.test", {"port": "4190", "status": "ok", "starttls": "yes", "auth_mechs": "PLAIN LOGIN",
     "auth_mechs_plain": "", "banner": "Dovecot (Debian) Pigeonhole"}, "sieve"),
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


def gnutls_cli(ip, sni, port, proto):
    """What GnuTLS's client sees (another stack than OpenSSL's): version, leaf digest, trust."""
    p = in_ns("gnutls-cli", "--starttls-proto=" + proto, "--x509cafile", CA, "--sni-hostname", sni,
              "--verify-hostname", sni, "-p", str(port), ip, "--print-cert", stdin=b"", timeout=20)
    out = p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")
    desc = re.search(r"- Description: \((TLS1\.\d)-", out)
    pem = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", out, re.S)
    if not desc or not pem:
        return None
    der = subprocess.run(["openssl", "x509", "-outform", "der"], input=pem.group(0).encode(),
                         capture_output=True).stdout
    return {"tls_version": "TLSv" + desc.group(1)[3:], "cert_sha256": hashlib.sha256(der).hexdigest(),
            "chain_valid": "yes" if "The certificate is trusted" in out else "no"}


def test_lmtp_and_sieve_against_gnutls():
    """LMTP and ManageSieve rows against gnutls-cli --starttls-proto, as the others against openssl."""
    for proto in ("lmtp", "sieve"):
        rows, err, secs, rc = scan(["mail.lab.test"], "--allow-private", "-p", proto)
        check(rc == 0 and len(rows) == 1 and rows[0]["status"] == "ok", "%s: one ok row: %s" % (proto, err))
        if len(rows) != 1:
            continue
        r = rows[0]
        g = gnutls_cli(r["ip"], r["mx_host"], r["port"], proto)
        check(g is not None, "%s: gnutls-cli could not complete the handshake" % proto)
        for k, v in (g or {}).items():
            check(r[k] == v, "%s: %s is %r, gnutls-cli says %r" % (proto, k, r[k], v))
        # --versions after the protocol's own upgrade (dovecot: ssl_min_protocol TLSv1.2)
        rows, err, secs, rc = scan(["mail.lab.test"], "--allow-private", "-p", proto, "--versions")
        check(len(rows) == 1 and rows[0]["versions"] == "TLSv1.2 TLSv1.3",
              "%s --versions: %r" % (proto, rows[0]["versions"] if rows else err))


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
