# SPDX-License-Identifier: GPL-2.0-or-later
"""check --auth-mech (issue 26): every mechanism against dovecot's SASL
(sasllab.sh: IMAP, POP3, ManageSieve, and postfix's submission through
dovecot's auth socket; the tokens checked by an OAuth2 introspection
endpoint) and prosody's (XMPP), each login confirmed in the server's own log
with the mechanism asked for; a wrong password and a wrong token refused;
auto choosing the strongest; two SCRAM servers that do not know the password
caught; swaks's verdict compared where swaks has the mechanism; and no
secret in any transcript, as typed or in base64 at any alignment."""
import base64
import os
import re
import shutil
import time
import subprocess

from labkit import *  # noqa: F401,F403  the shared helpers and BIN, LAB, NS, CA

PASSWORD, TOKEN = "lab-password", "lab-token-4242"
MECHS = ("PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256", "XOAUTH2", "OAUTHBEARER")
PROTOCOLS = ("imap", "pop3", "submission", "sieve")
DOVECOT_LOG = os.path.join(LAB, "dovecot-sasl", "dovecot.log")


def auth_check(target, *args, password=PASSWORD, token=TOKEN):
    env = dict(os.environ)
    env.pop("STARTTLS_SCAN_PASSWORD", None)
    env.pop("STARTTLS_SCAN_TOKEN", None)
    if password is not None:
        env["STARTTLS_SCAN_PASSWORD"] = password
    if token is not None:
        env["STARTTLS_SCAN_TOKEN"] = token
    p = subprocess.run(["ip", "netns", "exec", NS, BIN, "check", target, "--resolver", "127.0.53.1", "--ca-file", CA,
                        "--reply-timeout", "20", "--auth-user", "labuser", *args], capture_output=True, env=env, timeout=60,
                       stdin=subprocess.DEVNULL)
    out = p.stdout.decode(errors="replace")
    last = out.strip().splitlines()[-1] if out.strip() else ""
    return p.returncode, out, p.stderr.decode(errors="replace"), last


def secret_forms(secret):
    """The secret as typed, and the base64 characters only its bytes decide at each alignment."""
    forms = [secret]
    raw = secret.encode()
    for offset in range(3):
        enc = base64.b64encode(b"\0" * offset + raw).decode()
        head = (0, 2, 3)[offset]
        end = (offset + len(raw)) // 3 * 4
        forms.append(enc[head:end])
    return forms


def no_secret(text, what):
    for secret in (PASSWORD, TOKEN):
        for form in secret_forms(secret):
            check(form not in text, "%s: the transcript holds %r (a form of %r)" % (what, form, secret))


def log_size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def log_since(path, size):
    try:
        with open(path, errors="replace") as f:
            f.seek(size)
            return f.read()
    except OSError:
        return ""


def test_every_mechanism_against_dovecot():
    for proto in PROTOCOLS:
        for mech in MECHS:
            size = log_size(DOVECOT_LOG)
            rc, out, err, last = auth_check("sasl.lab.test", "-p", proto, "--auth-mech", mech)
            what = "%s %s" % (proto, mech)
            check(rc == 0 and "AUTH accepted" in last, "%s: accepted: %d %r %r" % (what, rc, last, err))
            no_secret(out + err, what)
            # dovecot's auth process names the mechanism each client (postfix's smtpd for
            # submission) asked for; IMAP's LOGIN is its own command, which dovecot runs as PLAIN.
            used = "PLAIN" if (proto, mech) == ("imap", "LOGIN") else mech
            service = {"submission": "smtp", "sieve": "sieve"}.get(proto, proto)
            pattern = r"client in: AUTH\t\d+\t%s\tservice=%s\t" % (re.escape(used), service)
            log = ""
            for _ in range(20):
                log = log_since(DOVECOT_LOG, size)
                if re.search(pattern, log):
                    break
                time.sleep(0.1)
            check(re.search(pattern, log), "%s: dovecot's log shows AUTH %s for %s" % (what, used, service))


def test_wrong_secrets_refused():
    for proto in PROTOCOLS:
        for mech in ("PLAIN", "CRAM-MD5", "SCRAM-SHA-256"):
            rc, out, err, last = auth_check("sasl.lab.test", "-p", proto, "--auth-mech", mech, password="not-it-123")
            check(rc == 1 and "AUTH refused" in last, "%s %s, a wrong password: %d %r" % (proto, mech, rc, last))
            no_secret(out, "%s %s wrong" % (proto, mech))
        for mech in ("XOAUTH2", "OAUTHBEARER"):
            rc, out, err, last = auth_check("sasl.lab.test", "-p", proto, "--auth-mech", mech, token="bad-token-999")
            check(rc == 1 and "AUTH refused" in last, "%s %s, a wrong token: %d %r" % (proto, mech, rc, last))
    rc, out, err, last = auth_check("sasl.lab.test", "-p", "imap", "--auth-mech", "XOAUTH2", token=None)
    check(rc == 2 and "STARTTLS_SCAN_TOKEN" in err and out == "", "a token mechanism without a token: %r" % err)


def test_auto_picks_the_strongest():
    for proto in PROTOCOLS:
        rc, out, err, last = auth_check("sasl.lab.test", "-p", proto, "--auth-mech", "auto", token=None)
        check(rc == 0 and "SCRAM-SHA-256" in out.split("C: ", 1)[-1] and re.search(r"^C: .*SCRAM-SHA-256", out, re.M),
              "%s auto with a password: SCRAM-SHA-256: %r" % (proto, last))
        rc, out, err, last = auth_check("sasl.lab.test", "-p", proto, "--auth-mech", "auto")
        check(rc == 0 and re.search(r"^C: .*OAUTHBEARER", out, re.M), "%s auto with a token: OAUTHBEARER: %r" %
              (proto, last))
    # The first dovecot offers PLAIN and LOGIN only.
    rc, out, err, last = auth_check("smtp.lab.test", "-p", "submission", "--auth-mech", "auto", token=None)
    check(rc == 0 and "C: AUTH PLAIN <credentials, base64, redacted>" in out, "auto among PLAIN LOGIN: %r" % last)
    rc, out, err, last = auth_check("smtp.lab.test", "-p", "submission", "--auth-mech", "SCRAM-SHA-256")
    check(rc == 1 and "does not offer AUTH SCRAM-SHA-256 inside TLS" in last and "C: AUTH" not in out,
          "a mechanism not offered is not sent: %r" % last)


def test_xmpp_sasl_against_prosody():
    for mech in ("PLAIN", "SCRAM-SHA-1", "auto"):
        rc, out, err, last = auth_check("xmpp.lab.test", "-p", "xmpp", "--auth-mech", mech, token=None)
        check(rc == 0 and "AUTH accepted" in last, "xmpp %s: %d %r %r" % (mech, rc, last, err))
        no_secret(out, "xmpp %s" % mech)
        if mech != "PLAIN":
            check("mechanism='SCRAM-SHA-1'" in out and "<success" in out, "xmpp %s: SCRAM-SHA-1, verified" % mech)
    rc, out, err, last = auth_check("xmpp.lab.test", "-p", "xmpp", "--auth-mech", "SCRAM-SHA-1", password="nope-123")
    check(rc == 1 and "not-authorized" in last, "xmpp, a wrong password: %r" % last)


def test_scram_servers_that_do_not_know_the_password():
    for ip, words in (("127.0.2.23", "signature is wrong"), ("127.0.2.24", "without proving")):
        rc, out, err, last = auth_check(ip + ":25", "--no-verify", "--auth-mech", "auto", token=None)
        check(rc == 1 and words in last and "-- AUTH failed: SCRAM" in out,
              "%s: a SCRAM server that does not know the password is caught: %r" % (ip, last))


def test_same_verdict_as_swaks():
    if not shutil.which("swaks"):
        check(False, "swaks is installed (make test installs it)")
        return
    for mech in ("PLAIN", "LOGIN", "CRAM-MD5"):
        for password in (PASSWORD, "not-it-123"):
            p = in_ns("swaks", "--server", "127.0.4.2:587", "--tls", "--tls-ca-path", CA, "--ehlo", "swaks.lab.test",
                      "--auth", mech, "--auth-user", "labuser", "--auth-password", password, "--quit-after", "AUTH",
                      timeout=60)
            swaks_ok = p.returncode == 0
            rc, out, err, last = auth_check("sasl.lab.test", "-p", "submission", "--auth-mech", mech,
                                            password=password)
            check(swaks_ok == (rc == 0) and swaks_ok == (password == PASSWORD),
                  "%s, %s password: swaks %d, check %d %r" % (mech, "the" if password == PASSWORD else "a wrong",
                                                              p.returncode, rc, last))


def test_short_secrets_redacted_too():
    """A secret shorter than a base64 quad is still redacted as typed (the echoing server)."""
    for mech in ("PLAIN", "LOGIN"):
        rc, out, err, last = auth_check("127.0.2.21:25", "--no-verify", "--auth-mech", mech, password="q7z")
        check("C: AUTH" in out and "q7z" not in out and "q7z" not in err,
              "%s: a 3-byte password the server echoes is redacted: %r" % (mech, out[-600:]))
