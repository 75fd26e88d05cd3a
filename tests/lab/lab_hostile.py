# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile servers, politeness, interrupts and resume, bad command lines, write errors."""
import csv
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
            "--banner-timeout", "3", "--reply-timeout", "3", "--no-retry"]
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
                        "--ca-file", CA, "--banner-timeout", "2", "--timeout", "3", "--retry-delay", "0.5", "-o", out, "--resume",
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
