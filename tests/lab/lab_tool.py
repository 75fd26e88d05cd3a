# SPDX-License-Identifier: GPL-2.0-or-later
"""JSONL, the summary, --expiring-within, progress, and the check debugger."""
import csv
import io
import json
import os
import pty
import re
import shutil
import signal
import subprocess
import time
from datetime import datetime, timezone

from labkit import *  # noqa: F401,F403  the shared helpers and BIN, LAB, NS, CA


def test_jsonl_summary_and_expiry_exit():
    domains = ["good.lab.test", "expired.lab.test", "plain.lab.test", "tls12.lab.test", "nullmx.lab.test"]
    summary = os.path.join(LAB, "summary.json")
    if os.path.exists(summary):
        os.unlink(summary)  # a non-empty --summary file is never replaced without --overwrite
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
    # -q: the alert alone, one line per certificate, soonest first; cron mails exactly that.
    p = in_ns(BIN, "--resolver", "127.0.53.1", "--allow-private", "--ca-file", CA, "--expiring-within", "500", "-q",
              "-o", "/dev/null", stdin=b"good.lab.test\nexpired.lab.test\nmulti.lab.test\nmx-dual.lab.test\n")
    lines = p.stderr.decode().splitlines()
    check(p.returncode == 3 and len(lines) == 2 and
          re.fullmatch(r"starttls-scan: expired \d+ days ago, 2021-01-01T00:00:00Z: O=STS Lab,CN=mx-expired.lab.test, "
                       r"seen on mx-expired.lab.test \[127.0.1.2\] for expired.lab.test", lines[0]) and
          re.fullmatch(r"starttls-scan: expires in \d+ days, \S+Z: O=STS Lab,CN=mx-good.lab.test, seen on "
                       r"mx-good.lab.test \[127.0.1.1\] for good.lab.test and 4 more rows", lines[1]),
          "-q --expiring-within: one line per certificate and nothing else: %d %r" % (p.returncode, lines))
    p = in_ns(BIN, "--resolver", "127.0.53.1", "--allow-private", "--ca-file", CA, "--expiring-within", "30", "-q",
              "-o", "/dev/null", stdin=b"good.lab.test\n")
    check(p.returncode == 0 and p.stderr == b"", "-q, nothing expiring: silence, exit 0: %r" % p.stderr)


def test_progress():
    slow = b"good.lab.test\nsilent.lab.test\n"
    tty = run_on_pty([BIN, "--resolver", "127.0.53.1", "--allow-private", "--banner-timeout", "2.5", "--no-retry"], slow)
    check(b"\r\x1b[K" in tty and re.search(rb"starttls-scan: \d+ targets, [\d.]+/s, \d+ in flight, \d+ ok, \d+ not ok", tty),
          "a status line on a terminal: %r" % tty[:300])
    check(b"rows by status" in tty, "and the summary after it")
    quiet = run_on_pty([BIN, "-q", "--resolver", "127.0.53.1", "--allow-private", "--banner-timeout", "2.5", "--no-retry"], slow)
    check(quiet == b"", "-q: nothing on stderr: %r" % quiet[:200])
    p = in_ns(BIN, "--resolver", "127.0.53.1", "--allow-private", "--banner-timeout", "2.5", "--no-retry", stdin=slow)
    check(b"in flight" not in p.stderr and b"rows by status" in p.stderr,
          "not a terminal: no progress, only the summary")
    p = in_ns(BIN, "--resolver", "127.0.53.1", "--allow-private", "--progress", "--timeout", "11",
              "--banner-timeout", "11", "--no-retry", stdin=b"silent.lab.test\n")
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
             base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode()]
    return all(f not in text for f in forms)


def test_check_debugger():
    rc, out, err = run_check("smtp.lab.test", "-p", "submission", "--auth-user", "labuser")
    check(rc == 0 and "S: 235 2.7.0 Authentication successful" in out, "right password: 235, exit 0 (%d)" % rc)
    check(re.match(r"OK: TLSv1\.3, certificate valid \d+ more days, AUTH accepted \(235 ",
                   out.strip().splitlines()[-1]), "one line with the verdict at the end: %r" % out[-200:])
    check(out.startswith("-- check smtp.lab.test (submission), EHLO name "), "an SMTP check names its EHLO name")
    rc_imap, out_imap, _ = run_check("mail.lab.test", "-p", "imap")
    check(rc_imap == 0 and out_imap.startswith("-- check mail.lab.test (imap)\n") and "EHLO" not in out_imap,
          "an IMAP check's header does not mention an EHLO name: %r" % out_imap[:200])
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
    rc, out, err = run_check("mx-plain.lab.test", "--auth-user", "labuser", "--ehlo", "scanner.lab.test")
    check(rc == 1 and "AUTH was not attempted without TLS" in out and "AUTH" not in
          "".join(l for l in out.splitlines() if l.startswith("C: ")), "no TLS, no AUTH (%d)" % rc)
    p = in_ns(BIN, "--auth-user", "x", stdin=b"")
    check(p.returncode == 2 and b"mass scans never authenticate" in p.stderr, "mass mode refuses --auth-user")


def jsonl_and_csv(lines, *opts):
    """The same targets scanned twice, as JSONL and as CSV: (json rows, csv rows)."""
    data = ("\n".join(lines) + "\n").encode()
    base = ["--resolver", "127.0.53.1", "--allow-private", "--ca-file", CA, "--banner-timeout", "2",
            "--timeout", "6", "--retry-delay", "0.5", "-q", *opts]
    pj = in_ns(BIN, *base, "-f", "jsonl", stdin=data, timeout=120)
    pc = in_ns(BIN, *base, stdin=data, timeout=120)
    check(pj.returncode == 0 and pc.returncode == 0, "jsonl and csv runs: %d %d" % (pj.returncode, pc.returncode))
    rows = [json.loads(l) for l in pj.stdout.decode().splitlines()]
    return rows, list(csv.DictReader(io.StringIO(pc.stdout.decode(), newline="")))


def as_csv_cell(v):
    """What the CSV writes for a JSON value (before the spreadsheet guard)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, list):
        return " ".join(item.replace(" ", "\\x20") for item in v)
    return str(v)


def test_jsonl_for_programs():
    import jsonschema  # python3-jsonschema (Debian), installed by install-deps.sh test
    schema = json.load(open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "row.schema.json")))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    demo = [l.strip() for l in open(os.path.join(os.path.dirname(__file__), "demo-domains.txt"))
            if l.strip() and not l.startswith("#")]
    sets = [(demo + ["weirdcert.lab.test", "weirdbanner.lab.test", "bigcert.lab.test", "authplain.lab.test",
                     "negserial.lab.test", "dhe.lab.test", "bad line!", "[::ffff:127.0.1.1]"], ["--versions"]),
            (["smtp.lab.test", "127.0.3.1:465"], ["--no-mx", "-p", "submission"])]
    for lines, opts in sets:
        rows, crow = jsonl_and_csv(lines, *opts)
        check(len(rows) == len(crow) and len(rows) >= len(lines), "one JSON row per CSV row: %d %d" % (len(rows), len(crow)))
        for r in rows:
            errors = sorted(validator.iter_errors(r), key=str)
            check(not errors, "%s %s validates against docs/row.schema.json: %s" % (r["domain"], r["ip"],
                  "; ".join(e.message for e in errors[:3])))
        by_key = {(c["domain"], c["mx_host"], c["ip"]): c for c in crow}
        for r in rows:
            c = by_key.get((r["domain"], r["mx_host"] or "", r["ip"] or ""))
            if c is None:
                check(False, "a CSV row for %r" % r["domain"])
                continue
            # Two runs: what depends on timing (a busy machine) is compared only
            # where both runs say they were complete.
            if r["status"] != c["status"] and "timeout" in (r["status"], c["status"]):
                continue
            for k, v in r.items():
                if k in ("connect_ms", "tls_ms", "scanned_at", "cert_days_left"):
                    continue
                cell = c[k]
                if k in ("versions", "ciphers") and ("(incomplete)" in cell or "(incomplete)" in as_csv_cell(v)):
                    continue
                if cell.startswith("'") and not as_csv_cell(v).startswith("'"):
                    cell = cell[1:]  # the spreadsheet guard
                if isinstance(v, list) and v[-1] == "...[truncated]":  # both capped near 4 KiB, each its way
                    check(cell.endswith("...[truncated]") and cell.startswith(as_csv_cell(v[:-1])),
                          "%s: a capped %s is capped in both" % (r["domain"], k))
                    continue
                check(as_csv_cell(v) == cell, "%s %s: JSON %s %r is the CSV's %r" % (r["domain"], r["ip"], k, v, c[k]))
        if "--versions" in opts:
            weird = next(r for r in rows if r["domain"] == "weirdcert.lab.test")
            check("two words.lab.test" in weird["cert_san"] and "back\\x5cslash.lab.test" in weird["cert_san"]
                  and weird["cert_san"][0] == "=HYPERLINK.lab.test",
                  "a name with a space is one item, a backslash escaped: %r" % weird["cert_san"])
            good = next(r for r in rows if r["domain"] == "good.lab.test")
            check(isinstance(good["versions"], list) and "TLSv1.3" in good["versions"], "versions is an array")
            plain = next(r for r in rows if r["domain"] == "authplain.lab.test")
            check(plain["auth_mechs_plain"] and all(isinstance(m, str) and " " not in m for m in plain["auth_mechs_plain"]),
                  "auth_mechs_plain is an array of words: %r" % plain["auth_mechs_plain"])
        else:
            sub = next(r for r in rows if r["domain"] == "smtp.lab.test")
            check(sub["auth_mechs"] == ["PLAIN", "LOGIN"], "auth_mechs is an array: %r" % sub["auth_mechs"])


def readme_tour():
    """The tour's '(demo lab) $' commands, each with the output the README shows."""
    readme = open(os.path.join(os.path.dirname(__file__), "..", "..", "README.md")).read()
    tour = readme[readme.index("## A 30-second tour"):readme.index("## The two commands")]
    steps, current = [], None
    for block in re.findall(r"```\n(.*?)```", tour, re.S):
        lines = block.splitlines()
        i, current = 0, None
        while i < len(lines):
            line = lines[i]
            if line.startswith("(demo lab) $ "):
                cmd = line[len("(demo lab) $ "):]
                while cmd.endswith("\\") and i + 1 < len(lines):
                    i += 1
                    cmd = cmd[:-1] + " " + lines[i].strip()
                current = [cmd, []]
                steps.append(current)
            elif line.startswith("$ "):
                current = None
            elif current is not None:
                current[1].append(line)
            i += 1
    return [(cmd, out) for cmd, out in steps if cmd != "exit"]


# What may differ from run to run: durations, rates, dates and days left.
VARIES = re.compile(r"\d+ ms\b|\d+\.\d+ s\b|targets/s|valid: |days left|more days|\.\.\.|DNS queries sent")


def test_readme_tour():
    steps = readme_tour()
    check(len(steps) >= 2, "the README's tour has its commands: %r" % [c for c, _ in steps])
    here = os.path.join(LAB, "tour")
    os.makedirs(os.path.join(here, "tests", "lab"), exist_ok=True)
    shutil.copy(CA, os.path.join(here, "lab-ca.pem"))  # where make demo-up writes it
    shutil.copy(os.path.join(os.path.dirname(__file__), "demo-domains.txt"), os.path.join(here, "tests", "lab"))
    path = os.path.dirname(os.path.abspath(BIN)) + ":" + os.environ.get("PATH", "/usr/bin:/bin")
    for cmd, shown in steps:
        p = subprocess.run(["ip", "netns", "exec", NS, "env", "PATH=" + path, "bash", "-c", cmd],
                           cwd=here, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        got = (p.stdout + p.stderr).splitlines()
        check(p.returncode == 0, "the tour's %r exits 0: %d %s" % (cmd[:60], p.returncode, p.stderr[-300:]))
        want = [l for l in shown if l.strip() and not VARIES.search(l)]
        missing = [l for l in want if l not in got]
        check(len(want) >= 5 and not missing, "the tour's %r prints what the README shows; not: %r" % (cmd[:60], missing))
