# SPDX-License-Identifier: GPL-2.0-or-later
"""Shards (issue 14): --shard K/N and merge against an unsharded scan, a
rerun task, shards that do not match; then a real single-node Slurm running
deploy/slurm/ as a job array, a task killed mid-run and requeued."""
import csv
import json
import os
import shutil
import subprocess
import time

from lab_scan import EXPECT
from labkit import BIN, CA, LAB, NS, by_endpoint, check
from slurmlab import Slurm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OPTS = ["--resolver", "127.0.53.1", "--ca-file", CA, "--allow-private", "--banner-timeout", "2",
        "--reply-timeout", "3", "--timeout", "6", "--retry-delay", "0.5"]
INPUT = list(EXPECT) + ["GOOD.lab.test.", "good.lab.test", "bad..name", "two words"] + \
    ["d%d.bulk.lab.test" % i for i in range(60)]


def lab_scan(*args):
    return subprocess.run(["ip", "netns", "exec", NS, BIN, *OPTS, *args], capture_output=True,
                          timeout=120)


def merge(*args):
    return subprocess.run([BIN, "merge", *args], capture_output=True, timeout=120)


def rows_of(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, strict=True))


def fresh_dir(name):
    """LAB/name, emptied, with in.txt (INPUT) and full.csv (its unsharded scan)."""
    d = os.path.join(LAB, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    inp = os.path.join(d, "in.txt")
    with open(inp, "w") as f:
        f.write("\n".join(INPUT) + "\n")
    full = os.path.join(d, "full.csv")
    p = lab_scan("-o", full, inp)
    check(p.returncode == 0, "the unsharded scan: %r" % p.stderr[-300:])
    return d, inp, full


def same_rows(got, want, what):
    a, b = by_endpoint(got), by_endpoint(want)
    check(sorted(a) == sorted(b), "%s: the targets: missing %r, extra %r"
          % (what, sorted(set(b) - set(a))[:5], sorted(set(a) - set(b))[:5]))
    diff = [k for k in a if k in b and a[k] != b[k]]
    check(not diff, "%s: rows differ from the unsharded scan: %r" % (what, diff[:3]))


def test_shard_and_merge():
    d, inp, full = fresh_dir("shards")
    shards, domains = [], []
    for k in range(4):
        out = os.path.join(d, "s%d.csv" % k)
        p = lab_scan("--shard", "%d/4" % k, "-o", out, inp)
        err = p.stderr.decode()
        check(p.returncode == 0 and "shard %d of 4" % k in err, "shard %d: exit 0, the summary says so: %r"
              % (k, err[-400:]))
        shards.append(out)
        domains.append({r["domain"] for r in rows_of(out)})
    for i in range(4):
        for j in range(i + 1, 4):
            check(not domains[i] & domains[j], "shards %d and %d share no target: %r" % (i, j, domains[i] & domains[j]))
    check(all(domains), "every shard has targets: %r" % [len(x) for x in domains])
    merged = os.path.join(d, "merged.csv")
    p = merge("-o", merged, *shards)
    check(p.returncode == 0, "merge: exit 0: %r" % p.stderr[-300:])
    same_rows(rows_of(merged), rows_of(full), "merge of 4 shards")
    check(open(merged, "rb").read().count(b"domain,mx_host") == 1, "the header once")
    rerun_and_refusals(d, inp, shards, full)


def rerun_and_refusals(d, inp, shards, full):
    # A rerun of task 1 into another file, a second later: its rows win, whatever the order.
    time.sleep(1.1)
    again = os.path.join(d, "s1-rerun.csv")
    lab_scan("--shard", "1/4", "-o", again, inp)
    merged = os.path.join(d, "merged2.csv")
    empty = os.path.join(d, "empty.csv")
    open(empty, "w").close()
    summary = os.path.join(d, "merge-summary.json")
    p = merge("-o", merged, "--summary", summary, "--expiring-within", "100000", again, *shards, empty)
    err = p.stderr.decode()
    check(p.returncode == 3, "merge --expiring-within: exit 3 (the lab has an expired certificate): %d %r"
          % (p.returncode, err[-300:]))
    got = rows_of(merged)
    same_rows(got, rows_of(full), "merge with a rerun shard and an empty one")
    newer = {r["scanned_at"] for r in rows_of(again)}
    rerun_domains = {r["domain"] for r in rows_of(again)}
    check(all(r["scanned_at"] in newer for r in got if r["domain"] in rerun_domains),
          "the rerun's rows are the ones kept")
    n1 = len({r["domain"] for r in rows_of(shards[1])})
    check("%d older cop" % n1 in err and "1 without a row" in err, "merge says what it left out: %r" % err)
    s = json.load(open(summary))
    targets = {(r["domain"], r["port"], r["protocol"]) for r in got}
    check(s["rows"] == len(got) and s["targets"] == len(targets) and s["duplicates"] == n1,
          "the merge summary counts the merged rows: %r" % {k: s.get(k) for k in ("rows", "targets", "duplicates")})
    # Refusals: nothing is written.
    bad = os.path.join(d, "bad.csv")
    with open(full, newline="") as f, open(bad, "w", newline="") as g:
        lines = f.read().split("\r\n", 1)
        g.write(lines[0] + ",extra\r\n" + lines[1])
    jsonl = os.path.join(d, "s0.jsonl")
    lab_scan("--shard", "0/4", "-f", "jsonl", "-o", jsonl, inp)
    for what, args, needle in (("another header", [bad], "not a file of starttls-scan's"),
                               ("CSV and JSON Lines", [jsonl], "refusing to mix"),
                               ("no --overwrite", [], "not empty")):
        out = merged if what == "no --overwrite" else os.path.join(d, "refused.csv")
        p = merge("-o", out, *shards, *args)
        check(p.returncode == 2 and needle in p.stderr.decode(), "merge refuses %s: %d %r"
              % (what, p.returncode, p.stderr[-300:]))
        check(what == "no --overwrite" or not os.path.exists(out), "a refused merge writes nothing (%s)" % what)
    check(not [f for f in os.listdir(d) if ".merging." in f], "no temporary file is left")
    # A task killed while writing: its partial last line is left out, with a warning.
    cut = os.path.join(d, "s2-cut.csv")
    with open(shards[2], "rb") as f, open(cut, "wb") as g:
        g.write(f.read()[:-20])
    p = merge("-o", os.path.join(d, "merged-cut.csv"), shards[0], shards[1], cut, shards[3])
    want = sum(len(rows_of(s)) for s in shards) - 1
    got = len(rows_of(os.path.join(d, "merged-cut.csv")))
    check(p.returncode == 0 and b"1 partial last line" in p.stderr and got == want,
          "a partial last line is left out with a warning: %d rows of %d, %r" % (got, want, p.stderr[-300:]))


def count_lines(path):
    try:
        with open(path, "rb") as f:
            return f.read().count(b"\n")
    except OSError:
        return 0


def test_slurm_array():
    d, inp, full = fresh_dir("slurm")
    slurm = Slurm(os.path.join(d, "daemons"))
    pids = [p.pid for _, p in slurm.pids]
    try:
        # The tasks reach the lab's namespace through STARTTLS_SCAN, exported by sbatch.
        env = dict(slurm.env, STARTTLS_SCAN="ip netns exec %s %s" % (NS, BIN))
        out = os.path.join(d, "out")
        p = subprocess.run([os.path.join(ROOT, "deploy", "slurm", "submit.sh"), "4", inp, out, *OPTS],
                           capture_output=True, text=True, env=env, timeout=30)
        check(p.returncode == 0, "submit.sh: %s %s" % (p.stdout, p.stderr))
        jobs = [w for w in p.stdout.split() if w.isdigit()]
        t0 = time.time()
        done = slurm.wait_jobs(240)
        check(done, "the array and the merge finished within 240 s (%.0f s)" % (time.time() - t0))
        states = slurm.job_states(jobs[0]) if jobs else {}
        check(sorted(states) == ["0", "1", "2", "3"] and
              all(s == ("COMPLETED", "0:0") for s in states.values()), "4 tasks completed: %r" % states)
        check(slurm.job_states(jobs[1]).get(jobs[1], ("?",))[0] == "COMPLETED" if len(jobs) > 1 else False,
              "the merge job completed")
        for k in range(4):
            check(os.path.exists(os.path.join(out, "shard-%d-of-4.csv" % k)), "shard-%d-of-4.csv" % k)
        merged = os.path.join(out, "merged.csv")
        if check_exists(merged):
            same_rows(rows_of(merged), rows_of(full), "Slurm: the merged array")
        killed_and_requeued(slurm, env, d)
    finally:
        slurm.stop()
    check(all(not os.path.exists("/proc/%d" % pid) or open("/proc/%d/stat" % pid).read().split()[2] == "Z"
              for pid in pids), "every Slurm daemon stopped")


def check_exists(path):
    ok = os.path.exists(path)
    check(ok, "%s exists" % path)
    return ok


def killed_and_requeued(slurm, env, d):
    """A task killed mid-run (SIGKILL, as the OOM killer would) and requeued
    goes on with --resume: its shard ends with every target once."""
    inp = os.path.join(d, "bulk.txt")
    with open(inp, "w") as f:
        f.write("\n".join("d%d.bulk.lab.test" % i for i in range(400)) + "\n")
    full = os.path.join(d, "bulk-full.csv")
    check(lab_scan("-o", full, inp).returncode == 0, "the unsharded bulk scan")
    out = os.path.join(d, "killed")
    p = subprocess.run(["sbatch", "--parsable", "--export=ALL", "--array=0-1", "--chdir", d,
                        os.path.join(ROOT, "deploy", "slurm", "scan.sbatch"), inp, out, *OPTS, "-c", "1",
                        "--rate", "40"], capture_output=True, text=True, env=env, timeout=30)
    job = p.stdout.strip().split(";")[0]
    shard1 = os.path.join(out, "shard-1-of-2.csv")
    deadline = time.time() + 60
    while count_lines(shard1) < 10 and time.time() < deadline:
        time.sleep(0.1)
    slurm.run("scancel", "--signal=KILL", "--batch", "%s_1" % job)
    deadline = time.time() + 30
    while slurm.job_states(job).get("1", ("",))[0] in ("RUNNING", "COMPLETING") and time.time() < deadline:
        time.sleep(0.2)
    state = slurm.job_states(job).get("1", ("?",))[0]
    partial = count_lines(shard1) - 1
    check(state == "FAILED" and 0 < partial < 190, "task 1 was killed mid-run: %s, %d rows" % (state, partial))
    p = subprocess.run(["scontrol", "requeue", "%s_1" % job], capture_output=True, text=True, env=env)
    check(p.returncode == 0, "scontrol requeue: %s" % p.stderr)
    # Slurm holds a requeued job back (Reason=BeginTime) for a while: start it now.
    subprocess.run(["scontrol", "update", "JobId=%s_1" % job, "StartTime=now"], env=env, capture_output=True)
    check(slurm.wait_jobs(120), "the requeued task finished")
    states = slurm.job_states(job)
    check(all(s == ("COMPLETED", "0:0") for s in states.values()), "both tasks completed: %r" % states)
    merged = os.path.join(d, "killed-merged.csv")
    p = merge("-o", merged, os.path.join(out, "shard-0-of-2.csv"), shard1)
    check(p.returncode == 0, "merge after the rerun: %r" % p.stderr[-300:])
    if os.path.exists(merged):
        same_rows(rows_of(merged), rows_of(full), "Slurm: a killed task rerun with --resume")
