# SPDX-License-Identifier: GPL-2.0-or-later
"""The trust defects (issue 11): opt-outs, DNS names, resume keys, write errors,
output files, input errors, retries, check and the small visible ones."""
import csv
import io
import json
import os
import re
import signal
import subprocess
import time

from labkit import *  # noqa: F401,F403  the shared helpers and BIN, LAB, NS, CA


def write_file(name, text):
    path = os.path.join(LAB, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def test_mapped_ipv6_is_the_ipv4_address():
    blocklist = write_file("block-mapped.txt", "127.0.1.0/24\n")
    log_before = len(maillog())
    # A target line and an AAAA record, both ::ffff:127.0.1.1: the blocklist holds.
    rows, err, secs, rc = scan(["[::ffff:127.0.1.1]:25", "::ffff:127.0.1.1"], "--no-mx",
                               "--allow-private", "--blocklist", blocklist)
    check(len(rows) == 1, "two spellings of one address are one target: %r" % [r["domain"] for r in rows])
    check(all(r["status"] == "blocked" and r["ip"] == "127.0.1.1" and "blocklist" in r["error"]
              for r in rows), "a mapped target line is blocklisted as its IPv4: %r" %
          [(r["ip"], r["status"], r["error"]) for r in rows])
    rows, err, secs, rc = scan(["mapped.lab.test"], "--allow-private", "--blocklist", blocklist)
    check(len(rows) == 1 and rows[0]["status"] == "blocked" and rows[0]["ip"] == "127.0.1.1",
          "an AAAA of ::ffff:127.0.1.1 is blocklisted as 127.0.1.1: %r" %
          [(r["ip"], r["status"], r["error"]) for r in rows])
    rows, err, secs, rc = scan(["[::ffff:127.0.1.1]"], "--no-mx")
    check(len(rows) == 1 and rows[0]["status"] == "blocked" and "loopback" in rows[0]["error"],
          "the built-in list sees the loopback inside: %r" % [(r["status"], r["error"]) for r in rows])
    time.sleep(1)
    check(smtpd_connects(maillog()[log_before:], "mx-good") == 0, "a blocklisted mapped address is never contacted")
    # A and AAAA ::ffff: of the same address: one address, one connection at a time.
    rows, err, secs, rc = scan(["cmapped.lab.test"], "--no-mx", "--allow-private", "--per-host", "1")
    check([(r["ip"], r["status"]) for r in rows] == [("127.0.2.30", "no_starttls")],
          "A x and AAAA ::ffff:x give one row for x: %r" % [(r["ip"], r["status"]) for r in rows])


def lab_cmd(*args):
    return ["ip", "netns", "exec", NS, BIN, "--resolver", "127.0.53.1", "--ca-file", CA, "--retry-delay", "0.5", *args]


def run(*args, stdin=b"", timeout=60):
    return subprocess.run(lab_cmd(*args), input=stdin, capture_output=True, timeout=timeout)


def read_rows(path):
    data = open(path, "rb").read()
    if data.startswith(b"{"):
        return [json.loads(l) for l in data.decode().splitlines()]
    return list(csv.DictReader(io.StringIO(data.decode(), newline=""), strict=True))


def target_keys(rows):
    return sorted((str(r["domain"]), str(r["port"] or ""), r["protocol"]) for r in rows)


def keep_first_rows(path, n):
    """What an interrupted run leaves: the header (CSV) and the first n rows."""
    lines = open(path, "rb").read().splitlines(keepends=True)
    head = 1 if lines and not lines[0].startswith(b"{") else 0
    with open(path, "wb") as f:
        f.writelines(lines[:head + n])


def test_resume_keys_the_whole_target():
    targets = os.path.join(LAB, "ports.txt")
    with open(targets, "w") as f:
        f.write("mail.lab.test:993\nmail.lab.test:995\nmail.lab.test:465\nmail.lab.test\n")
    for proto in ("tls", "smtp"):
        out = os.path.join(LAB, "ports-%s.csv" % proto)
        p = run("--allow-private", "--no-mx", "-p", proto, "--timeout", "4", "--no-retry", "--overwrite", "-o", out, targets)
        full = target_keys(read_rows(out))
        check(p.returncode == 0 and len(full) == 4, "-p %s: four targets, four rows: %r" % (proto, full))
        keep_first_rows(out, 2)  # the last target of the file is always scanned again
        p = run("--allow-private", "--no-mx", "-p", proto, "--timeout", "4", "--no-retry", "--resume", "-o", out, targets)
        check(p.returncode == 0 and b"1 target was already in the output" in p.stderr,
              "-p %s: one target was done, three were not: %r" % (proto, p.stderr[-300:]))
        check(target_keys(read_rows(out)) == full, "-p %s: every target exactly once after --resume: %r"
              % (proto, target_keys(read_rows(out))))


def test_resume_jsonl():
    lines = ["good.lab.test", "-lead.lab.test", "nosuch.lab.test", "plain.lab.test", "=bad"]
    inp = write_file("jsonl-in.txt", "\n".join(lines) + "\n")
    out = os.path.join(LAB, "resume.jsonl")
    p = run("--allow-private", "-f", "jsonl", "--overwrite", "-o", out, inp)
    full = target_keys(read_rows(out))
    check(p.returncode == 0 and len(full) == 5, "jsonl: five rows: %r" % full)
    keep_first_rows(out, 3)
    with open(out, "ab") as f:
        f.write(b'{"domain":"half')  # a crash cut the last line
    p = run("--allow-private", "-f", "jsonl", "--resume", "-o", out, inp)
    check(p.returncode == 0, "jsonl --resume runs: %d %r" % (p.returncode, p.stderr[-300:]))
    check(target_keys(read_rows(out)) == full, "jsonl: every target exactly once (invalid lines too): %r"
          % target_keys(read_rows(out)))
    csv_out = os.path.join(LAB, "resume-other.csv")
    run("--allow-private", "--overwrite", "-o", csv_out, inp)
    p = run("--allow-private", "-f", "jsonl", "--resume", "-o", csv_out, inp)
    check(p.returncode == 2 and b"not a jsonl file" in p.stderr, "jsonl --resume on a CSV file is refused: %r" % p.stderr)
    p = run("--allow-private", "--resume", "-o", out, inp)
    check(p.returncode == 2 and b"not a csv file" in p.stderr, "csv --resume on a JSONL file is refused: %r" % p.stderr)


def test_resume_after_death_inside_a_write():
    """A run killed inside the one write of a target (SIGKILL, the OOM
    killer, ulimit -f) may leave part of its rows, even ending at a row's
    end: --resume keeps every target's rows completely or not at all."""
    inp = write_file("death-in.txt", "good.lab.test\nexpired.lab.test\nmulti.lab.test\n")
    out = os.path.join(LAB, "death.csv")
    p = run("--allow-private", "--overwrite", "-o", out, inp)
    rows = read_rows(out)
    # The file as a run leaves it when multi.lab.test's three rows came last
    # (the order of targets is the order they finished: set it here).
    order = {"good.lab.test": 0, "expired.lab.test": 1, "multi.lab.test": 2}
    with open(out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\r\n")
        w.writeheader()
        w.writerows(sorted(rows, key=lambda r: order[r["domain"]]))
    full = read_rows(out)
    check(p.returncode == 0 and [r["domain"] for r in full[-3:]] == ["multi.lab.test"] * 3 and len(full) == 5,
          "multi.lab.test's rows last: %r" % [r["domain"] for r in full])
    for cut, what in ((b"", "at a row's end"), (b"multi.lab.test,mx-pl", "inside a row")):
        data = open(out, "rb").read().splitlines(keepends=True)
        with open(out, "wb") as f:
            f.writelines(data[:-2])  # one of multi's three rows is left...
            f.write(cut)             # ...and perhaps half of the next
        p = run("--allow-private", "--resume", "-o", out, inp)
        rows = read_rows(out)
        multi = [r for r in rows if r["domain"] == "multi.lab.test"]
        check(p.returncode == 0 and len(rows) == 5 and len(multi) == 3 and target_keys(rows) == target_keys(full),
              "cut %s: every target's rows whole, once: %r" % (what, [r["domain"] for r in rows]))


def test_resume_summary_covers_old_rows():
    inp = write_file("expiry-in.txt", "expired.lab.test\ngood.lab.test\nplain.lab.test\n")
    out = os.path.join(LAB, "expiry.csv")
    run("--allow-private", "--overwrite", "-o", out, inp)
    rows = read_rows(out)
    # The expired target was done before the interrupt, then good's rows;
    # the last target of a file is always scanned again (its rows may be cut).
    first = [r for r in rows if r["domain"] == "expired.lab.test"] + [r for r in rows if r["domain"] == "good.lab.test"]
    with open(out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\r\n")
        w.writeheader()
        w.writerows(first)
    summary = os.path.join(LAB, "expiry-summary.json")
    if os.path.exists(summary):
        os.unlink(summary)
    p = run("--allow-private", "--resume", "-o", out, "--expiring-within", "30", "--summary", summary, inp)
    check(p.returncode == 3, "the expired row from the earlier run still makes exit 3: %d %r" % (p.returncode, p.stderr[-400:]))
    sm = json.load(open(summary))
    check(sm["rows"] == 3 and sm["rows_resumed"] == 1 and sm["expiring_within"]["list"][0]["domain"] == "expired.lab.test",
          "the summary covers every row of the file: %r" % {k: sm[k] for k in ("rows", "rows_resumed", "expiring_within")})
    check(b"expired.lab.test mx-expired.lab.test" in p.stderr, "and stderr lists it")


def test_summary_file_rules():
    out = os.path.join(LAB, "sum-out.csv")
    summary = write_file("sum-kept.json", "{\"keep\": true}\n")
    for f in (out,):
        if os.path.exists(f):
            os.unlink(f)
    p = run("--allow-private", "-o", out, "--summary", summary, stdin=b"good.lab.test\n")
    check(p.returncode == 2 and b"--summary" in p.stderr and open(summary).read() == "{\"keep\": true}\n",
          "a non-empty --summary file is not replaced: %r" % p.stderr)
    check(not os.path.exists(out), "and the refused run created no output file")
    p = run("--allow-private", "-o", out, "--summary", out, stdin=b"good.lab.test\n")
    check(p.returncode == 2 and b"is also the output file (-o)" in p.stderr and not os.path.exists(out),
          "--summary naming the -o file is refused: %r" % p.stderr)
    p = run("--allow-private", "-o", out, "--summary", os.path.join(LAB, "no-such-dir", "s.json"), stdin=b"good.lab.test\n")
    check(p.returncode == 2 and b"--summary" in p.stderr and not os.path.exists(out),
          "a --summary in a missing directory is refused before the output exists: %r" % p.stderr)
    p = run("--allow-private", "-o", out, "--summary", summary, "--overwrite", stdin=b"good.lab.test\n")
    check(p.returncode == 0 and json.load(open(summary))["rows"] == 1, "--overwrite replaces it")
    inp = write_file("sum-in.txt", "good.lab.test\n")
    p = run("--allow-private", "-o", inp, "--overwrite", inp)
    check(p.returncode == 2 and b"is the input file" in p.stderr and open(inp).read() == "good.lab.test\n",
          "-o naming the input file is refused, even with --overwrite: %r" % p.stderr)


def test_refused_runs_leave_no_file():
    out = os.path.join(LAB, "refused.csv")
    bad = [["--resolver", "1.2.3"], ["--resolver", "127.0.53.1:70000"], ["--ca-file", "/no/such/ca.pem"],
           ["--blocklist", "/no/such/list"], ["--summary", "/no/such/dir/s.json"]]
    for args in bad:
        if os.path.exists(out):
            os.unlink(out)
        p = run("--allow-private", "-o", out, *args, stdin=b"good.lab.test\n")
        check(p.returncode == 2 and p.stderr.startswith(b"starttls-scan: "), "%r: refused with a message: %r" % (args, p.stderr))
        check(not os.path.exists(out), "%r: no output file left behind" % args)
    # The corrected rerun is not blocked.
    p = run("--allow-private", "-o", out, stdin=b"good.lab.test\n")
    check(p.returncode == 0, "the corrected rerun runs: %r" % p.stderr)


def test_one_run_per_output_file():
    out = os.path.join(LAB, "locked.csv")
    if os.path.exists(out):
        os.unlink(out)
    first = subprocess.Popen(lab_cmd("--allow-private", "--banner-timeout", "3", "--timeout", "4", "-o", out),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first.stdin.write(b"silent.lab.test\ngood.lab.test\n")
    first.stdin.close()
    time.sleep(1)
    for extra in ([], ["--overwrite"], ["--resume"]):
        p = run("--allow-private", "-o", out, *extra, stdin=b"good.lab.test\n")
        check(p.returncode == 2 and b"being written by another starttls-scan" in p.stderr,
              "%r: a second run on the same file is refused: %r" % (extra, p.stderr))
    first.wait(timeout=30)
    rows = read_rows(out)
    check(first.returncode == 0 and sorted(r["domain"] for r in rows) == ["good.lab.test", "silent.lab.test"],
          "the first run's file is whole: %r" % [r["domain"] for r in rows])


def test_input_errors():
    p = run("--allow-private", LAB)
    check(p.returncode == 2 and b"directory" in p.stderr, "a directory as input: exit 2: %r" % p.stderr)
    p = subprocess.run(["bash", "-c", 'exec "$@" < "%s"' % LAB, "x"] + lab_cmd("--allow-private"), capture_output=True)
    check(p.returncode == 2 and b"directory" in p.stderr, "a directory on stdin: exit 2: %r" % p.stderr)
    p = subprocess.run(["bash", "-c", 'exec "$@" 0<&-', "x"] + lab_cmd("--allow-private"), capture_output=True)
    check(p.returncode == 2 and b"standard input is closed" in p.stderr, "closed stdin: exit 2, no abort: %d %r"
          % (p.returncode, p.stderr))
    p = run("--allow-private", "example.com")
    check(p.returncode == 2 and b"echo example.com | starttls-scan" in p.stderr, "a name, not a file: %r" % p.stderr)
    p = run("help")
    check(p.returncode == 2 and b"starttls-scan --help" in p.stderr, "'help': %r" % p.stderr)


def test_sighup_is_a_stop():
    out = os.path.join(LAB, "hup.csv")
    if os.path.exists(out):
        os.unlink(out)
    p = subprocess.Popen(lab_cmd("--allow-private", "--banner-timeout", "20", "--timeout", "30", "-o", out),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write(b"good.lab.test\nsilent.lab.test\n")
    p.stdin.close()
    time.sleep(1.5)
    p.send_signal(signal.SIGHUP)
    p.wait(timeout=30)
    err = p.stderr.read()
    check(p.returncode == 129, "SIGHUP exits 129 like an interrupt: %d %r" % (p.returncode, err[-300:]))
    check(b"1 target was read but not scanned" in err, "the summary says what was left: %r" % err[-400:])
    rows = read_rows(out)
    check([r["domain"] for r in rows] == ["good.lab.test"], "the finished target was written: %r" % rows)


def mount_tiny(path, size):
    os.makedirs(path, exist_ok=True)
    subprocess.run(["umount", path], capture_output=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s" % size, "tmpfs", path], check=True)


def test_write_error_stops_at_once():
    disk = os.path.join(LAB, "tiny")
    mount_tiny(disk, "16k")
    try:
        out = os.path.join(disk, "out.csv")
        inp = write_file("bulk-in.txt", "\n".join("d%d.bulk.lab.test" % i for i in range(400)) + "\n")
        t0 = time.time()
        p = run("--allow-private", "-c", "20", "-o", out, inp, timeout=120)
        secs = time.time() - t0
        check(p.returncode == 2 and b"No space left on device" in p.stderr, "ENOSPC: exit 2 with the reason: %d %r"
              % (p.returncode, p.stderr[-300:]))
        data = open(out, "rb").read()
        check(data.endswith(b"\r\n"), "the file ends with a whole row")
        rows = read_rows(out)
        m = re.search(rb"-> (\d+) rows?", p.stderr)
        check(m is not None and int(m.group(1)) == len(rows), "the summary claims what is in the file: %r vs %d"
              % (m and m.group(1), len(rows)))
        check(0 < len(rows) < 400, "it stopped early: %d rows" % len(rows))
        subprocess.run(["mount", "-o", "remount,size=4m", disk], check=True)
        p = run("--allow-private", "-c", "20", "--resume", "-o", out, inp, timeout=120)
        rows = read_rows(out)
        check(p.returncode == 0 and sorted(r["domain"] for r in rows) == sorted("d%d.bulk.lab.test" % i for i in range(400)),
              "after ENOSPC, --resume gives every target exactly once: %d rows" % len(rows))
    finally:
        subprocess.run(["umount", disk], capture_output=True)
    # A reader that goes away (| head -2) stops the scan at once too.
    many = "\n".join(["silent.lab.test"] + ["d%d.bulk.lab.test" % i for i in range(40)]) + "\n"
    t0 = time.time()
    p = subprocess.Popen(lab_cmd("--allow-private", "-c", "2", "--banner-timeout", "20", "--timeout", "30"),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write(many.encode())
    p.stdin.close()
    p.stdout.readline()
    p.stdout.readline()
    p.stdout.close()
    p.wait(timeout=60)
    err = p.stderr.read()
    check(p.returncode == 2 and time.time() - t0 < 15, "| head -2: the scan stops when the reader goes: %d after %.1fs %r"
          % (p.returncode, time.time() - t0, err[-200:]))


def test_full_tmpdir_scans_nothing():
    """The input's first pass (a copy of stdin, sort's files) lives in
    TMPDIR: when it fills, nothing is scanned and the run says so."""
    disk = os.path.join(LAB, "tinytmp")
    mount_tiny(disk, "16k")
    try:
        lines = "".join("d%d.bulk.lab.test\n" % (i % 400) for i in range(8000)).encode()
        out = os.path.join(LAB, "tmpdir-out.csv")
        log_before = len(maillog())
        p = subprocess.run(lab_cmd("--allow-private", "--overwrite", "-o", out, "-"), input=lines,
                           capture_output=True, timeout=60, env=dict(os.environ, TMPDIR=disk))
        err = p.stderr.decode(errors="replace")
        check(p.returncode == 2 and "nothing was scanned" in err and "No space left on device" in err,
              "a full TMPDIR: exit 2, nothing scanned, the reason: %d %r" % (p.returncode, err[-400:]))
        check(not os.path.exists(out) or read_rows(out) == [], "a full TMPDIR: no rows")
        check(smtpd_connects(maillog()[log_before:], "mx-good") == 0, "a full TMPDIR: no connection")
        # The same input with room: every target once, the duplicates counted.
        subprocess.run(["mount", "-o", "remount,size=4m", disk], check=True)
        p = subprocess.run(lab_cmd("--allow-private", "--overwrite", "-o", out, "-"), input=lines,
                           capture_output=True, timeout=120, env=dict(os.environ, TMPDIR=disk))
        rows = read_rows(out)
        check(p.returncode == 0 and sorted(r["domain"] for r in rows) == sorted("d%d.bulk.lab.test" % i for i in range(400)),
              "with room in TMPDIR: every target once (%d rows): %r" % (len(rows), p.stderr[-200:]))
        check(b"7600 duplicate" in p.stderr, "the duplicates counted: %r" % p.stderr[-300:])
        check(os.listdir(disk) == [], "nothing left in TMPDIR: %r" % os.listdir(disk))
    finally:
        subprocess.run(["umount", disk], capture_output=True)


def test_dns_answers_told_truthfully():
    log_before = len(maillog())
    names = ["nul.odd.test", "badcname.odd.test", "many.odd.test", "tc.odd.test", "servfail.odd.test",
             "refused.odd.test", "nosuch.odd.test"]
    p = in_ns(BIN, "--resolver", "127.0.54.1", "--allow-private", "--ca-file", CA, "--timeout", "5",
              stdin=("\n".join(names) + "\n").encode())
    rows = list(csv.DictReader(io.StringIO(p.stdout.decode(), newline=""), strict=True))
    by = {}
    for r in rows:
        by.setdefault(r["domain"], []).append(r)
    def one(domain, status, error_re):
        got = by.get(domain, [])
        check(len(got) == 1 and got[0]["status"] == status and re.search(error_re, got[0]["error"]),
              "%s: %s /%s/: %r" % (domain, status, error_re, [(r["status"], r["mx_host"], r["error"]) for r in got]))
    one("nul.odd.test", "dns_failed", "malformed DNS answer: an MX exchange holds a byte")
    one("badcname.odd.test", "dns_failed", "malformed DNS answer: a CNAME target holds a byte")
    one("tc.odd.test", "dns_failed", "truncated answer with no records")
    one("servfail.odd.test", "dns_failed", "^MX lookup: SERVFAIL$")
    one("refused.odd.test", "dns_failed", "^MX lookup: REFUSED$")
    one("nosuch.odd.test", "dns_failed", "^MX lookup: NXDOMAIN$")
    many = by.get("many.odd.test", [])
    check(len(many) == 10 and min(int(r["mx_pref"]) for r in many) == 0 and
          all(r["mx_records"] == "500" for r in many) and
          any(r["mx_host"] == "mx-first.odd.test" and r["status"] == "ok" for r in many),
          "500 MX records: the preference-0 one, last on the wire, is scanned, and every row says 500: %r"
          % sorted((r["mx_pref"], r["mx_host"]) for r in many))
    time.sleep(1)
    check("127.0.1.1" not in [r["ip"] for r in by.get("nul.odd.test", [])] and
          smtpd_connects(maillog()[log_before:], "mx-good") == 9,
          "the name cut at the NUL (mx.odd.test) is never scanned: %d connects to mx-good"
          % smtpd_connects(maillog()[log_before:], "mx-good"))
    p = in_ns(BIN, "--resolver", "127.0.54.99", "--allow-private", "--dns-timeout", "1",
              stdin=b"good.lab.test\n")
    r = list(csv.DictReader(io.StringIO(p.stdout.decode(), newline="")))
    check(len(r) == 1 and r[0]["error"] == "MX lookup: DNS server unreachable (connection refused)",
          "an unreachable resolver is unreachable: %r" % [x["error"] for x in r])
    check(b"warning: no row got as far as a connection" in p.stderr and b"127.0.54.99" in p.stderr,
          "and the summary names the likely cause: %r" % p.stderr[-300:])
    # A run that measured nothing has its own exit status, said even with -q.
    check(p.returncode == 4, "nothing measured: exit status 4, got %d" % p.returncode)
    p = in_ns(BIN, "--resolver", "127.0.54.99", "--allow-private", "--dns-timeout", "1", "-q",
              stdin=b"good.lab.test\nmulti.lab.test\n")
    check(p.returncode == 4 and p.stderr.decode().startswith("starttls-scan: nothing was measured (exit status 4)")
          and "2 of 2 got no answer from the resolver: is 127.0.54.99 reachable" in p.stderr.decode(),
          "-q: only the line that says nothing was measured: %d %r" % (p.returncode, p.stderr))
    # NXDOMAIN is an answer: nothing to measure, truthfully; exit 0.
    p = in_ns(BIN, "--resolver", "127.0.53.1", "--allow-private", "-q", stdin=b"nosuch.lab.test\n")
    check(p.returncode == 0 and p.stderr == b"", "every domain NXDOMAIN: exit 0, quiet: %d %r" % (p.returncode, p.stderr))
    # Nor does a refusing resolver count as fine.
    p = in_ns(BIN, "--resolver", "127.0.54.1", "--allow-private", "-q", stdin=b"refused.odd.test\n")
    check(p.returncode == 4, "a resolver that answers REFUSED: exit 4, got %d %r" % (p.returncode, p.stderr))


def test_policy_txt_rrsets():
    """Several TXT records at _mta-sts and _smtp._tls (odddns.py TXT_SETS):
    each record joined from its own strings (a 40-, a 10-byte and a longer
    record once overflowed a buffer and killed the scan), the ones without
    the version tag discarded, exactly one left or no policy."""
    names = ["txt3.odd.test", "txt2.odd.test", "two.odd.test", "hundred.odd.test"]
    p = in_ns(BIN, "--resolver", "127.0.54.1", "--allow-private", "--ca-file", CA, "--timeout", "5", "--no-dane",
              stdin=("\n".join(names) + "\n").encode())
    rows = {r["domain"]: r for r in csv.DictReader(io.StringIO(p.stdout.decode(), newline=""), strict=True)}
    check(p.returncode == 0 and sorted(rows) == sorted(names), "every domain has its row: %d %r %r"
          % (p.returncode, sorted(rows), p.stderr[-300:]))
    def policy(domain):
        r = rows.get(domain, {})
        return r.get("mta_sts"), r.get("mta_sts_id"), r.get("mta_sts_error", ""), r.get("tls_rpt", "")
    got = policy("txt3.odd.test")
    check(got[:2] == ("error", "x") and "mta-sts.txt3.odd.test" in got[2] and got[3] == "mailto:x@odd.test",
          "txt3: the third record is the policy's (id x; its host does not resolve): %r" % (got,))
    got = policy("txt2.odd.test")
    check(got[:2] == ("error", "policy1") and "policy host" in got[2] and got[3] == "mailto:policy1",
          "txt2: 'x=1' is discarded, id policy1 is used: %r" % (got,))
    got = policy("two.odd.test")
    check(got[:2] == ("error", "") and "more than one v=STSv1 TXT record" in got[2] and "no policy" in got[2]
          and got[3].startswith("malformed: more than one v=TLSRPTv1"),
          "two: two records of ours, so no policy, and the error says why: %r" % (got,))
    got = policy("hundred.odd.test")
    check(got[:2] == ("error", "last"), "hundred: the 100th record is read (over TCP): %r" % (got,))


def test_starttls_not_advertised_is_tried():
    # vsftpd with ssl_tlsv1=NO: no AUTH TLS in FEAT, TLS 1.3 after AUTH TLS anyway.
    rows, err, secs, rc = scan(["ftp-hidden.lab.test"], "--allow-private", "-p", "ftp")
    r = rows[0] if rows else {}
    check(r.get("status") == "ok" and r.get("starttls") == "no" and r.get("tls_version") == "TLSv1.3",
          "FTP: AUTH TLS works though FEAT does not list it: %r" % {k: r.get(k) for k in ("status", "starttls", "tls_version", "error")})
    o = s_client("127.0.5.2", "ftp-hidden.lab.test", "21", "ftp")
    check(o is not None and r.get("cipher") == o["cipher"] and r.get("cert_sha256") == o["cert_sha256"],
          "FTP: as openssl s_client -starttls ftp sees it: %r" % o)
    rows, err, secs, rc = scan(["quiettls.lab.test", "plain.lab.test"], "--allow-private")
    by = {x["domain"]: x for x in rows}
    q = by.get("quiettls.lab.test", {})
    check(q.get("status") == "ok" and q.get("starttls") == "no" and q.get("cert_sha256") == cert_file_facts("good")["cert_sha256"],
          "SMTP: STARTTLS works though EHLO does not list it: %r" % {k: q.get(k) for k in ("status", "starttls", "error")})
    p = by.get("plain.lab.test", {})
    check(p.get("status") == "no_starttls" and p.get("starttls") == "no" and "tried anyway: 502" in p.get("error", ""),
          "SMTP: not listed and refused is no_starttls, with the reply: %r" % p.get("error"))


def openssl_text(name):
    path = os.path.join(LAB, "certs", name + ".crt")
    return subprocess.run(["openssl", "x509", "-in", path, "-noout", "-text", "-serial"],
                          capture_output=True, text=True).stdout


def test_names_serials_and_groups_as_openssl_says():
    rows, err, secs, rc = scan(["bigcert.lab.test", "good.lab.test", "negserial.lab.test", "longserial.lab.test",
                                "dhe.lab.test", "dh1024.lab.test"], "--allow-private")
    by = {r["domain"]: r for r in rows}
    for domain, cert in (("bigcert.lab.test", "big"), ("good.lab.test", "good"), ("negserial.lab.test", "negserial")):
        text = openssl_text(cert)
        alg = re.search(r"Signature Algorithm: (\S+)", text).group(1)
        serial = re.search(r"^serial=(.*)$", text.replace("\\\n", ""), re.M).group(1)
        r = by.get(domain, {})
        check(r.get("cert_sig_alg") == alg, "%s: cert_sig_alg %r, openssl says %r" % (domain, r.get("cert_sig_alg"), alg))
        check(r.get("cert_serial") == serial, "%s: cert_serial %r, openssl says %r" % (domain, r.get("cert_serial"), serial))
    check(by["bigcert.lab.test"]["cert_sig_alg"] == "ecdsa-with-SHA256", "an ECDSA signature is ecdsa-with-SHA256")
    check(by["negserial.lab.test"]["cert_serial"] == "-1234", "a negative serial keeps its sign")
    long = by.get("longserial.lab.test", {})
    text = openssl_text("longserial").replace("\\\n", "")
    serial = re.search(r"^serial=(.*)$", text, re.M).group(1)
    check(long.get("status") == "ok" and long.get("cert_serial") == serial and long.get("hostname_match") == "yes"
          and long.get("cert_sha256") == cert_file_facts("longserial")["cert_sha256"],
          "a 40-octet serial does not fail the scan: %r" % {k: long.get(k) for k in
                                                             ("status", "handshake", "cert_serial", "error")})
    check(long.get("chain_valid") == "" and "serial number is longer" in long.get("chain_error", ""),
          "and the chain it could not check says why: %r" % long.get("chain_error"))
    for domain, ip in (("dhe.lab.test", "127.0.7.3"), ("dh1024.lab.test", "127.0.7.4")):
        p = in_ns("openssl", "s_client", "-starttls", "smtp", "-connect", ip + ":25", "-cipher", "ALL:@SECLEVEL=0",
                  stdin=b"", timeout=20)
        m = re.search(r"Server Temp Key: DH, (\d+) bits", p.stdout.decode(errors="replace"))
        r = by.get(domain, {})
        check(m is not None and r.get("kex_group") == "DH-" + m.group(1),
              "%s: kex_group %r, openssl s_client: %r" % (domain, r.get("kex_group"), m and m.group(0)))


def grey_events(kind):
    try:
        return [l.split() for l in open(os.path.join(LAB, "counter.log")) if l.split()[1:2] == [kind]]
    except FileNotFoundError:
        return []


def test_try_again_later_is_tried_again():
    """421 at the greeting (greylisting, postscreen) or no greeting (a tarpit):
    probed once more, after --retry-delay, near the end of the run."""
    before_g, before_t = len(grey_events("grey")), len(grey_events("tarpit"))
    t0 = time.time()
    p = run("--allow-private", "--retry-delay", "3", "--banner-timeout", "2", "--timeout", "6",
            stdin=b"greylist.lab.test\ntarpit.lab.test\ngood.lab.test\nratelimit.lab.test\n", timeout=60)
    secs = time.time() - t0
    rows = list(csv.DictReader(io.StringIO(p.stdout.decode(), newline="")))
    by = {r["domain"]: r for r in rows}
    for d in ("greylist.lab.test", "tarpit.lab.test"):
        r = by.get(d, {})
        check(r.get("status") == "ok" and r.get("attempts") == "2" and r.get("cert_sha256"),
              "%s: the second attempt's outcome, and that it was the second: %r" % (d, {k: r.get(k) for k in ("status", "attempts", "error")}))
    check(by.get("good.lab.test", {}).get("attempts") == "1", "a first success is attempt 1")
    check(by.get("ratelimit.lab.test", {}).get("status") == "server_refused" and
          by.get("ratelimit.lab.test", {}).get("attempts") == "2", "refused twice: refused, after two attempts")
    g = grey_events("grey")[before_g:]
    check(len(g) == 2 and float(g[1][0]) - float(g[0][0]) >= 2.99,
          "the greylisting server saw two connections, at least --retry-delay apart: %r" % g)
    check(len(grey_events("tarpit")[before_t:]) == 2, "the tarpit too")
    check(secs < 20, "bounded: %.1fs" % secs)
    check(b"2 rows from a second attempt" in p.stderr or b"3 rows from a second attempt" in p.stderr,
          "the summary says how many were retried: %r" % p.stderr[-400:])
    before_g = len(grey_events("grey"))
    p = run("--allow-private", "--no-retry", stdin=b"greylist.lab.test\n")
    rows = list(csv.DictReader(io.StringIO(p.stdout.decode(), newline="")))
    check(len(rows) == 1 and rows[0]["status"] in ("server_refused", "ok") and rows[0]["attempts"] == "1",
          "--no-retry: one attempt: %r" % [(r["status"], r["attempts"]) for r in rows])


def check_cmd(*args, password="lab-password", extra_env=None):
    env = dict(os.environ, STARTTLS_SCAN_PASSWORD=password, **(extra_env or {}))
    p = subprocess.run(["ip", "netns", "exec", NS, BIN, "check", *args, "--resolver", "127.0.53.1",
                        "--ca-file", CA, "--ehlo", "scanner.lab.test", "--timeout", "4",
                        "--banner-timeout", "2"], capture_output=True, env=env, timeout=60,
                       stdin=subprocess.DEVNULL)
    out = p.stdout.decode(errors="replace")
    last = out.strip().splitlines()[-1] if out.strip() else ""
    return p.returncode, out, p.stderr.decode(errors="replace"), last


def test_check_says_why():
    blocklist = write_file("check-block.txt", "127.0.1.20/32\n")
    cases = [  # target and options, exit status, the verdict line
        (["mx-good.lab.test"], 0, r"^OK: TLSv1\.3, certificate valid \d+ more days$"),  # loopback: named, so checked
        (["nosuch.lab.test"], 1, r"^FAILED: DNS: MX lookup: NXDOMAIN$"),
        (["nowhere.lab.test", "--no-mx"], 1, r"^FAILED: no address: NXDOMAIN"),
        (["mx-closed.lab.test"], 1, r"^FAILED: cannot connect: connection refused$"),
        (["mx-closed.lab.test", "--blocklist", blocklist], 1, r"^FAILED: not contacted: in the blocklist"),
        (["mx-silent.lab.test"], 1, r"^FAILED: timeout: greeting: nothing for 2s$"),
        (["mx-expired.lab.test"], 1, r"^FAILED: the certificate chain is not valid: certificate has expired"),
        (["mx-expired.lab.test", "--no-verify"], 0, r"^OK: TLSv1\.3, certificate expired \d+ days ago; WARNING: the certificate chain is not valid"),
        (["mx-wrongname.lab.test"], 1, r"^FAILED: the certificate does not name mx-wrongname.lab.test"),
        (["mx-self.lab.test"], 1, r"^FAILED: the certificate chain is not valid: self-signed"),
        (["mx-tls10.lab.test"], 1, r"^FAILED: no TLS handshake completed: the server chose TLSv1.0 with TLS_ECDHE_RSA"),
        (["multi.lab.test"], 1, r"^FAILED: mx-plain.lab.test \[127.0.1.7\] port 25: no STARTTLS.*\(1 of 3 addresses failed\)$"),
        (["mx-dual.lab.test"], 0, r"^OK: TLSv1\.\d on every address, certificate valid \d+ more days$"),
    ]
    for args, status, verdict in cases:
        rc, out, err, last = check_cmd(*args)
        check(rc == status and re.search(verdict, last), "check %s: exit %d, %r (wanted %d, /%s/)"
              % (" ".join(args), rc, last, status, verdict))
    rc, out, err, last = check_cmd("mx-tls10.lab.test")
    check("-- the server's hello (read in plaintext, no handshake completed): TLSv1.0, TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"
          in out and "subject: O=STS Lab,CN=mx-good.lab.test" in out, "a TLS 1.0 server shows what it chose and its certificate")
    rc, out, err, last = check_cmd("mx-dual.lab.test")
    check("-- smtp mx-dual.lab.test [127.0.1.1] port 25" in out and "-- smtp mx-dual.lab.test [::1] port 25" in out
          and out.index("[127.0.1.1] port 25\n") < out.index("[::1] port 25\n"),
          "every address of a dual-stack host, one after the other")
    rc, out, err, last = check_cmd("multi.lab.test")
    check("-- multi.lab.test has MX records; checking each host, lowest preference first: mx-good.lab.test (10) "
          "mx-tls12.lab.test (20) mx-plain.lab.test (30)" in out, "a mail domain is checked through its MX hosts, named")
    rc, out, err, last = check_cmd("mail.lab.test:993", "-p", "imaps")
    check(rc == 0 and "-- imaps mail.lab.test [127.0.4.1] port 993" in out and "port 143" not in out,
          "the port shown is the port used")
    rc, out, err, last = check_cmd("mail.lab.test:143", "-p", "IMAP", "--versions")
    check(rc == 0 and "versions accepted: TLSv1.2 TLSv1.3" in out, "-p in any case; --versions works in check: %r" % last)


def test_check_refuses_what_means_nothing():
    for args in (["-o", "x.csv"], ["-f", "jsonl"], ["-q"], ["--workers", "2"], ["--summary", "s.json"],
                 ["--resume"], ["--concurrency", "5"], ["--metrics", "m.prom"]):
        p = in_ns(BIN, "check", "mx-good.lab.test", *args, stdin=b"")
        check(p.returncode == 2 and b"means nothing for check" in p.stderr, "check %r is refused: %r" % (args, p.stderr))
    # -w and -c are check's own (--nagios's thresholds): without --nagios, said so.
    for args in (["-w", "2"], ["-c", "5"], ["--warn-only", "chain"]):
        p = in_ns(BIN, "check", "mx-good.lab.test", *args, stdin=b"")
        check(p.returncode == 2 and b"are for --nagios" in p.stderr, "check %r is refused: %r" % (args, p.stderr))
    p = in_ns(BIN, "-p", "imap", "check", "mail.lab.test", stdin=b"")
    check(p.returncode == 2 and b"'check' comes first" in p.stderr, "a misplaced check says what to type: %r" % p.stderr)
    p = in_ns(BIN, "--no-verify", stdin=b"")
    check(p.returncode == 2 and b"belongs to 'starttls-scan check'" in p.stderr, "--no-verify is check's")
    p = in_ns(BIN, "--port", "25", "--port", "587", stdin=b"")
    check(p.returncode == 2 and b"--port given twice" in p.stderr, "a port given twice is refused: %r" % p.stderr)
    p = in_ns(BIN, "-f", "JSONL", "--resolver", "127.0.53.1", "--allow-private", stdin=b"nosuch.lab.test\n")
    check(p.returncode == 0 and p.stdout.startswith(b'{"domain"'), "-f in any case")


def test_check_auth_only_when_offered_and_redacted():
    rc, out, err, last = check_cmd("mx-good.lab.test", "--auth-user", "labuser")
    check(rc == 1 and "AUTH was not sent: the server does not offer AUTH PLAIN inside TLS" in last and
          not any(l.startswith("C: AUTH") for l in out.splitlines()), "no AUTH where none is offered: %r" % last)
    for mech in ("PLAIN", "LOGIN"):
        rc, out, err, last = check_cmd("mx-echo.lab.test", "--auth-user", "labuser", "--auth-mech", mech.lower(),
                                       "--no-verify", password="s3cret-Pa55")  # the verdict quotes the 535
        import base64
        forms = ["s3cret-Pa55", base64.b64encode(b"s3cret-Pa55").decode(),
                 base64.b64encode(b"\0labuser\0s3cret-Pa55").decode()]
        # The server echoes them split in two lines: neither half may show.
        halves = [f[:len(f) // 2] for f in forms[1:]] + [f[len(f) // 2:] for f in forms[1:]]
        check(rc == 1 and "<redacted>" in out and all(f not in out + err for f in forms + halves)
              and (mech == "LOGIN" or "AUTH refused (535 5.7.8 <redacted>" in last),
              "%s: credentials the server echoes, across two lines too, are redacted: %r"
              % (mech, [l for l in out.splitlines() if "535" in l or "334" in l or "FAILED" in l]))
        if mech == "LOGIN":
            user64 = base64.b64encode(b"labuser").decode()
            check("C: " + user64 in out, "LOGIN: the user name is shown, as in IMAP LOGIN: %r"
                  % [l for l in out.splitlines() if l.startswith("C: ")])
    rc, out, err, last = check_cmd("smtp.lab.test:587", "--auth-user", "labuser", password="x" * 300)
    check(rc == 2 and "C: " not in out and "longer than 255" in err, "an over-long password is refused before anything is sent: %r" % err)


def test_check_ehlo_name():
    env = dict(os.environ, STARTTLS_SCAN_PASSWORD="x")
    for hostname, want in (("scanner.lab.test", "EHLO name scanner.lab.test\n"),
                           ("nodots", "EHLO name nodots.invalid (this machine has no fully qualified name: set one with --ehlo NAME)")):
        p = subprocess.run(["ip", "netns", "exec", NS, "unshare", "--uts", "sh", "-c",
                            'hostname "$0" && exec "$@"', hostname, BIN, "check", "mx-good.lab.test",
                            "--resolver", "127.0.53.1", "--ca-file", CA], capture_output=True, env=env, timeout=30)
        out = p.stdout.decode(errors="replace")
        check(want in out, "hostname %s: %r" % (hostname, out.splitlines()[:1]))
        ehlo = [l for l in out.splitlines() if l.startswith("C: EHLO ")]
        check(ehlo and "." in ehlo[0], "the EHLO name sent is fully qualified: %r" % ehlo[:1])


def test_progress_stays_off_the_rows():
    """Rows on the same terminal as stderr: no progress line between them."""
    seen = run_on_pty(lab_cmd("--allow-private", "--banner-timeout", "2.5", "--no-retry")[4:],
                      b"good.lab.test\nsilent.lab.test\n", stdout_too=True)
    check(b"\x1b[K" not in seen and b"in flight" not in seen, "no progress line among the rows: %r" % seen[:200])
    check(b"good.lab.test,mx-good.lab.test" in seen and b"rows by status" in seen, "the rows and the summary are there")
