# SPDX-License-Identifier: GPL-2.0-or-later
"""Data a paper can cite (issue 27): the summary JSON says where a run came
from (the scanner and its libraries, the command line, the times, the
resolvers asked, the local addresses the connections used, the EHLO name,
the CA bundle's digest, the schema version), checked against what the lab
knows: --version, the argv given, the namespace's resolv.conf, the client
addresses postfix logged, the CA file's own SHA-256."""
import hashlib
import json
import os
import re
import subprocess
import tempfile
import time
from datetime import datetime, timezone

from labkit import *  # noqa: F401,F403  the shared helpers and BIN, LAB, NS, CA
from rawclient import DIALOGS


def iso(t):
    return datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


def version_line():
    p = subprocess.run([BIN, "--version"], capture_output=True, text=True)
    return "; ".join(p.stdout.strip().splitlines())


def run_with_summary(tmp, domains, *opts):
    out, summary = os.path.join(tmp, "scan.csv"), os.path.join(tmp, "summary.json")
    argv = [BIN, "--ca-file", CA, "--ehlo", "scanner.lab.test", "--allow-private", "-q", "--overwrite",
            "-o", out, "--summary", summary, *opts]
    t0 = time.time()
    p = in_ns(*argv, stdin=("\n".join(domains) + "\n").encode())
    t1 = time.time()
    check(p.returncode == 0, "the scan ran: %r" % p.stderr)
    with open(summary) as f:
        return json.load(f).get("run", {}), argv, t0, t1


def test_summary_says_where_the_run_came_from():
    ca_digest = hashlib.sha256(open(CA, "rb").read()).hexdigest()
    with tempfile.TemporaryDirectory(prefix="sts-prov-") as tmp:
        log_before = len(maillog())
        run, argv, t0, t1 = run_with_summary(tmp, ["good.lab.test", "dual.lab.test"], "--resolver", "127.0.53.1")
        check(run.get("schema_version") == 1, "schema_version: %r" % run.get("schema_version"))
        check(run.get("scanner") == version_line(), "scanner is --version's: %r" % run.get("scanner"))
        check(run.get("command_line") == argv, "the command line as given: %r" % run.get("command_line"))
        started, ended = iso(run.get("started", "1970-01-01T00:00:00Z")), iso(run.get("ended", "1970-01-01T00:00:00Z"))
        check(int(t0) <= started <= ended <= t1 + 1, "started and ended within the run: %r" % run)
        check(run.get("protocol") == "smtp" and run.get("ehlo") == "scanner.lab.test", "protocol and EHLO: %r" % run)
        check(run.get("resolvers") == ["127.0.53.1"] and run.get("resolvers_from") == "--resolver",
              "the resolver given: %r" % run)
        check(run.get("ca_bundle") == {"path": CA, "sha256": ca_digest}, "the CA bundle and its digest: %r" %
              run.get("ca_bundle"))
        # The addresses postfix saw our connections come from.
        seen = set(re.findall(r"smtpd\[\d+\]: connect from [^\[]*\[([^\]]+)\]", maillog()[log_before:]))
        sources = run.get("source_addresses", [])
        check(sources and set(sources) <= seen and run.get("source_addresses_more") == 0 and
              {"127.0.0.1", "::1"} <= set(sources),
              "the source addresses are those postfix logged (IPv4 and IPv6): %r vs %r" % (sources, seen))
        # No --resolver: the namespace's resolv.conf (the lab's unbound, protect.sh).
        run, _, _, _ = run_with_summary(tmp, ["good.lab.test"])
        conf = open("/etc/netns/%s/resolv.conf" % NS).read()
        want = re.findall(r"^\s*nameserver\s+(\S+)", conf, re.M)
        check(run.get("resolvers") == want and run.get("resolvers_from") == "/etc/resolv.conf",
              "resolv.conf's servers: %r vs %r" % (run.get("resolvers"), want))


def test_merge_summary_says_where_it_came_from():
    with tempfile.TemporaryDirectory(prefix="sts-prov-") as tmp:
        shards = []
        for k in range(2):
            path = os.path.join(tmp, "shard-%d.csv" % k)
            p = in_ns(BIN, "--shard", "%d/2" % k, "-q", "-o", path, stdin=b"bad..one\nbad..two\nbad..three\n")
            check(p.returncode == 0, "shard %d: %r" % (k, p.stderr))
            shards.append(path)
        summary = os.path.join(tmp, "merged.json")
        argv = [BIN, "merge", "-q", "-o", os.path.join(tmp, "merged.csv"), "--summary", summary, *shards]
        p = subprocess.run(argv, capture_output=True, text=True)
        check(p.returncode == 0, "merge ran: %r" % p.stderr)
        run = json.load(open(summary)).get("run", {})
        check(run.get("scanner") == version_line() and run.get("command_line") == argv and
              run.get("schema_version") == 1 and run.get("resolvers") == [] and run.get("ca_bundle", {}).get("path") is None,
              "merge's run: its own command line, no resolver: %r" % run)


def test_raw_dialog_as_the_server_said_it():
    for proto, (target, address, port, _) in sorted(DIALOGS.items()):
        with tempfile.TemporaryDirectory(prefix="sts-raw-") as tmp:
            out = os.path.join(tmp, "raw.jsonl")
            args = [BIN, "-p", proto, "--resolver", "127.0.53.1", "--ca-file", CA, "--ehlo", "scanner.lab.test",
                    "--allow-private", "-q", "-f", "jsonl", "-o", out, "--raw"]
            if proto != "smtp":
                args.append("--no-mx")
            p = in_ns(*args, stdin=(target + ("" if proto == "smtp" else ":%d" % port) + "\n").encode())
            rows = [json.loads(l) for l in open(out)] if p.returncode == 0 else []
            row = next((r for r in rows if r["ip"] == address), {})
            client = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rawclient.py")
            c = in_ns("python3", client, CA, proto, timeout=60)
            want = json.loads(c.stdout or b"{}")
            columns = [step[2] for step in DIALOGS[proto][3] if step[2]]
            check(sorted(want) == sorted(columns) and all(want.values()),
                  "%s: the independent client read every reply: %r %r" % (proto, want, c.stderr[-300:]))
            for column, lines in want.items():
                # The scan escapes what a server chose (control bytes, backslashes): these servers send none.
                check(row.get(column) == lines, "%s %s: %r, an independent client read %r" %
                      (proto, column, row.get(column), lines))
            check(row.get("raw_truncated") is False, "%s: nothing cut: %r" % (proto, row.get("raw_truncated")))
    rows, err, _, code = scan(["good.lab.test"], "--allow-private")
    check(code == 0 and rows and all(rows[0][c] == "" for c in ("raw_capabilities", "raw_starttls",
                                                               "raw_capabilities_tls", "raw_truncated")),
          "without --raw the columns are empty: %r" % (rows[0] if rows else err))
