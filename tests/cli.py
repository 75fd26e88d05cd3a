#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Command-line promises that need no network and no root (ctest: cli).

  cli.py BINARY"""
import re
import subprocess
import sys

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(shell_prefix, *args):
    """BINARY with no input, after a shell prefix (ulimit ...)."""
    cmd = "%s exec \"$0\" \"$@\" </dev/null" % shell_prefix
    return subprocess.run(["bash", "-c", cmd, BIN, "--ehlo", "scanner.example", *args],
                          capture_output=True, text=True, timeout=30)


def test_version():
    p = subprocess.run([BIN, "--version"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    lines = p.stdout.splitlines()
    check(p.returncode == 0 and re.fullmatch(r"starttls-scan \d+\.\d+\.\d+", lines[0]),
          "--version: the version first: %r" % p.stdout)
    check(len(lines) > 1 and re.fullmatch(r"linked at run time: libuv \d+\.\d+\.\d+, wolfSSL \d+\.\d+\.\d+, "
                                          r"c-ares \d+\.\d+\.\d+, expat \d+\.\d+\.\d+", lines[1]),
          "--version: the libraries linked at run time: %r" % p.stdout)


def test_tuned_is_current():
    """A tuned build is Debian's source of one wolfSSL version: once a
    security update moved the installed one past it, it must be rebuilt."""
    out = subprocess.run([BIN, "--version"], capture_output=True, text=True).stdout
    m = re.search(r"wolfSSL build: tuned, static, from Debian's source (\S+)", out)
    if not m:
        check("wolfSSL build: system" in out, "--version names the wolfSSL build: %r" % out)
        return
    installed = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libwolfssl-dev"],
                               capture_output=True, text=True).stdout.strip()
    check(m.group(1) == installed, "the tuned wolfSSL is Debian's %s but %s is installed: rebuild it "
          "(cmake --build on this build directory)" % (m.group(1), installed))


def test_open_file_limit():
    # A plain user's soft limit (1024) is below what the default -c needs: raised to fit.
    hard = int(subprocess.run(["bash", "-c", "ulimit -Hn"], capture_output=True, text=True).stdout)
    if hard >= 2000:
        p = run("ulimit -Sn 1024;")
        check(p.returncode == 0 and "limited" not in p.stderr,
              "a soft limit of 1024 is raised for the default -c: %d %r" % (p.returncode, p.stderr))
    # A hard limit too low: the default concurrency is lowered, with a notice...
    p = run("ulimit -n 300;", "-w", "2")
    check(p.returncode == 0 and "open files are limited to 300 (ulimit -n): 220 probes at once" in p.stderr,
          "the default -c fits a low hard limit: %d %r" % (p.returncode, p.stderr))
    check(p.stdout.startswith("domain,"), "and the scan runs")
    # ...quietly with -q...
    p = run("ulimit -n 300;", "-w", "2", "-q")
    check(p.returncode == 0 and p.stderr == "", "-q: no notice: %r" % p.stderr)
    # ...and an explicit -c that does not fit is refused, not lowered.
    p = run("ulimit -n 300;", "-w", "2", "-c", "1000")
    check(p.returncode == 2 and "--concurrency 1000 needs more open files than the limit of 300" in p.stderr,
          "an explicit -c past the limit is refused: %d %r" % (p.returncode, p.stderr))


def scheduler_env(**extra):
    """This environment without any scheduler's variables, plus extra."""
    import os
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SLURM_") and k not in ("JOB_COMPLETION_INDEX", "STARTTLS_SCAN_SHARDS")}
    env.update(extra)
    return env


def shard_run(*args, **env):
    return subprocess.run([BIN, "--ehlo", "scanner.example", *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, env=scheduler_env(**env), timeout=30)


def test_shard_options():
    for bad, needle in ((["--shard", "4/4"], "shard 4 of 4 does not exist"),
                        (["--shard", "x"], "expected K/N"),
                        (["--shards", "3"], "--shards N is the count for --shard auto"),
                        (["--shard", "auto"], "SLURM_ARRAY_TASK_ID")):
        p = shard_run(*bad)
        check(p.returncode == 2 and needle in p.stderr, "%s: exit 2, %r: %d %r"
              % (" ".join(bad), needle, p.returncode, p.stderr))
    p = shard_run("--shard", "auto", SLURM_ARRAY_TASK_ID="5", SLURM_ARRAY_TASK_MIN="4",
                  SLURM_ARRAY_TASK_MAX="7")
    check(p.returncode == 0 and "shard 1 of 4 (0 to 3)" in p.stderr, "--shard auto under Slurm: %r" % p.stderr)
    p = shard_run("--shard", "auto", "--shards", "6", JOB_COMPLETION_INDEX="2")
    check(p.returncode == 0 and "shard 2 of 6" in p.stderr, "--shard auto under Kubernetes: %r" % p.stderr)
    p = subprocess.run([BIN, "merge"], capture_output=True, text=True)
    check(p.returncode == 2 and "no shard files" in p.stderr, "merge without shards: %r" % p.stderr)
    p = subprocess.run([BIN, "merge", "--help"], capture_output=True, text=True)
    check(p.returncode == 0 and p.stdout.startswith("Usage: starttls-scan merge"), "merge --help")


def test_rollup_and_report_files():
    """The rollup's and the report's files: written whole or not at all,
    never over a file unless asked, a target in two files once."""
    import glob
    import os
    import tempfile
    d = tempfile.mkdtemp(prefix="sts-cli-")
    rows, out, page = (os.path.join(d, n) for n in ("rows.csv", "r.csv", "r.html"))
    p = subprocess.run([BIN, "-o", rows, "--ehlo", "scanner.example"], input="bad line!\n127.0.0.1\n[::1]\n",
                       capture_output=True, text=True)
    check(p.returncode == 0, "rows without a network: %r" % p.stderr)
    p = subprocess.run([BIN, "rollup", "-o", out, rows, rows], capture_output=True, text=True)
    lines = open(out).read().splitlines() if os.path.exists(out) else []
    check(p.returncode == 0 and len(lines) == 4 and lines[0].startswith("domain,grade,reason,"),
          "rollup: a header and one row per target, once from two copies: %r %r" % (lines, p.stderr))
    check("grades of 3 domains: A=0 B=0 C=0 D=0 F=0 -=3" in p.stderr, "rollup names the grades: %r" % p.stderr)
    before = open(out).read()
    p = subprocess.run([BIN, "rollup", "-o", out, rows], capture_output=True, text=True)
    check(p.returncode == 2 and "--overwrite" in p.stderr and open(out).read() == before,
          "rollup: a non-empty OUT stays unless --overwrite: %r" % p.stderr)
    p = subprocess.run([BIN, "rollup", "--overwrite", "-o", out, rows], capture_output=True, text=True)
    check(p.returncode == 0, "rollup --overwrite replaces it")
    notours = os.path.join(d, "notours.csv")
    open(notours, "w").write("a,b,c\n1,2,3\n")
    for cmd, target in (("rollup", os.path.join(d, "x.csv")), ("report", os.path.join(d, "x.html"))):
        p = subprocess.run([BIN, cmd, "-o", target, notours], capture_output=True, text=True)
        check(p.returncode == 2 and "not a file of starttls-scan's" in p.stderr and not os.path.exists(target),
              "%s: another program's file is refused, nothing written: %r" % (cmd, p.stderr))
        p = subprocess.run([BIN, cmd, "-o", os.path.join(d, "no", "dir"), rows], capture_output=True, text=True)
        check(p.returncode == 2 and "No such file or directory" in p.stderr, "%s: an unwritable OUT: %r" % (cmd, p.stderr))
        p = subprocess.run([BIN, cmd, rows], capture_output=True, text=True)
        check(p.returncode == 2 and "-o FILE is needed" in p.stderr, "%s without -o: %r" % (cmd, p.stderr))
        p = subprocess.run([BIN, cmd, "-o", target], capture_output=True, text=True)
        check(p.returncode == 2 and "no input file" in p.stderr, "%s without input: %r" % (cmd, p.stderr))
        p = subprocess.run([BIN, cmd, "--help"], capture_output=True, text=True)
        check(p.returncode == 0 and p.stdout.startswith("Usage: starttls-scan %s" % cmd), "%s --help" % cmd)
    check(not glob.glob(os.path.join(d, "*.writing.*")), "no temporary file left")
    p = subprocess.run([BIN, "report", "-o", page, rows], capture_output=True, text=True)
    html = open(page).read() if os.path.exists(page) else ""
    check(p.returncode == 0 and html.startswith("<!DOCTYPE html>") and "default-src 'none'" in html,
          "report: one page with its Content-Security-Policy")
    for args, needle in ((["--rollup", out], "read the rows back from -o FILE"),
                         (["--report", page, "-o", "-"], "read the rows back from -o FILE"),
                         (["--rollup", rows, "-o", rows, "--overwrite"], "is also the output file"),
                         (["--rollup", out, "-o", os.path.join(d, "new.csv")], "is not empty")):
        p = subprocess.run([BIN, "--ehlo", "scanner.example", *args], input="", capture_output=True, text=True)
        check(p.returncode == 2 and needle in p.stderr, "%s: %r, got %r" % (" ".join(args), needle, p.stderr))
    subprocess.run(["rm", "-rf", d])


def test_outputs_written_through():
    """merge, rollup and report -o: a FIFO, "-" and /dev/stdout are written
    through; a symbolic link stays, the file it names is replaced whole."""
    import os
    import tempfile
    import threading
    d = tempfile.mkdtemp(prefix="sts-cli-")
    rows = os.path.join(d, "rows.csv")
    subprocess.run([BIN, "-o", rows, "--ehlo", "scanner.example"], input="bad line!\n127.0.0.1\n",
                   capture_output=True, text=True)
    for cmd, start in (("merge", "domain,mx_host,"), ("rollup", "domain,grade,"), ("report", "<!DOCTYPE html>")):
        fifo = os.path.join(d, cmd + ".fifo")
        os.mkfifo(fifo)
        got = []
        reader = threading.Thread(target=lambda: got.append(open(fifo).read()))
        reader.start()
        p = subprocess.run([BIN, cmd, "-o", fifo, rows], capture_output=True, text=True, timeout=60)
        reader.join(30)
        check(p.returncode == 0 and got and got[0].startswith(start) and os.path.exists(fifo)
              and not os.path.isfile(fifo), "%s -o FIFO: written through, the FIFO stays: %r" % (cmd, p.stderr))
        for out in ("-", "/dev/stdout"):
            p = subprocess.run([BIN, cmd, "-o", out, rows], capture_output=True, text=True, timeout=60)
            check(p.returncode == 0 and p.stdout.startswith(start), "%s -o %s: on standard output: %r"
                  % (cmd, out, p.stderr))
            check(os.path.islink("/dev/stdout"), "%s -o %s: /dev/stdout is still a link" % (cmd, out))
        real, link = os.path.join(d, cmd + ".real"), os.path.join(d, cmd + ".link")
        open(real, "w").close()
        os.symlink(real, link)
        p = subprocess.run([BIN, cmd, "-o", link, rows], capture_output=True, text=True, timeout=60)
        check(p.returncode == 0 and os.path.islink(link) and open(real).read().startswith(start),
              "%s -o SYMLINK: the link stays, the file it names is written: %r" % (cmd, p.stderr))
    subprocess.run(["rm", "-rf", d])


def test_line_bound_when_reading_rows():
    """merge, rollup and report read a file's rows with a bound on each line
    (ROW_LINE_MAX, 1 MiB): a longer line is an error naming the file and the
    line, exit 2, never a gigabyte of memory nor exit 0 after a failed
    allocation; so is --resume."""
    import os
    import tempfile
    d = tempfile.mkdtemp(prefix="sts-cli-")
    rows, big, out = os.path.join(d, "rows.csv"), os.path.join(d, "big.csv"), os.path.join(d, "out")
    subprocess.run([BIN, "-o", rows, "--ehlo", "scanner.example"], input="bad line!\n127.0.0.1\n",
                   capture_output=True, text=True)
    lines = open(rows, "rb").read().splitlines(keepends=True)
    with open(big, "wb") as f:
        f.write(lines[0] + lines[1])
        f.write(b"x" * (64 << 20) + b"\r\n")
        f.writelines(lines[2:])
    for cmd in ("merge", "rollup", "report"):
        p = subprocess.run([BIN, cmd, "-o", out, "--overwrite", big], capture_output=True, text=True, timeout=120)
        check(p.returncode == 2 and "big.csv" in p.stderr and "row 2 is longer than 1048576 bytes" in p.stderr,
              "%s: a 64 MiB line is an error naming the file and the row: %d %r" % (cmd, p.returncode, p.stderr))
    p = subprocess.run([BIN, "--resume", "-o", big, "--ehlo", "scanner.example"], input="x.example\n",
                       capture_output=True, text=True, timeout=120)
    check(p.returncode == 2 and "line 3 of" in p.stderr and "longer than 1048576 bytes" in p.stderr,
          "--resume: the same bound: %d %r" % (p.returncode, p.stderr))
    subprocess.run(["rm", "-rf", d])


def test_million_targets_without_io():
    """Targets that end without any I/O (invalid lines, blocked addresses),
    a million in a row: each gets its row, in bounded stack (it used to
    recurse once per target and overflow near 20,000)."""
    import os
    import tempfile
    d = tempfile.mkdtemp(prefix="sts-cli-")
    src, out = os.path.join(d, "in.txt"), os.path.join(d, "out.csv")
    n = 1000000
    with open(src, "w") as f:
        for i in range(n):
            if i % 4 == 3:
                f.write("bad line %d!\n" % i)
            else:
                f.write("127.%d.%d.%d\n" % (i >> 16, (i >> 8) & 255, i & 255))
    p = subprocess.run([BIN, "-q", "-w", "2", "--ehlo", "scanner.example", "--no-dane", "-o", out, src],
                       capture_output=True, text=True, timeout=600)
    rows = 0
    with open(out) as f:
        for rows, _ in enumerate(f):
            pass
    check(p.returncode in (0, 3) and rows == n, "a million targets without I/O: a row each: exit %d, %d rows, %r"
          % (p.returncode, rows, p.stderr[-300:]))
    subprocess.run(["rm", "-rf", d])


def test_file_size_limit_and_resume():
    """ulimit -f: the scan takes the write-error path (exit 2, the file ends
    with a whole row), it is not killed by SIGXFSZ; --resume then completes
    it, every target's rows once."""
    import os
    import tempfile
    d = tempfile.mkdtemp(prefix="sts-cli-")
    src, out = os.path.join(d, "in.txt"), os.path.join(d, "out.csv")
    n = 3000
    with open(src, "w") as f:
        for i in range(n):
            f.write("bad line %d!\n" % i if i % 2 else "127.1.%d.%d\n" % (i >> 8, i & 255))
    p = run("ulimit -f 64;", "-q", "-o", out, src)
    data = open(out, "rb").read()
    check(p.returncode == 2 and "File too large" in p.stderr and data.endswith(b"\n") and 0 < len(data) <= 65536,
          "past ulimit -f: a write error, exit 2, whole rows: %d %r %d" % (p.returncode, p.stderr[-200:], len(data)))
    p = run("", "-q", "--resume", "-o", out, src)
    lines = open(out).read().splitlines()
    doms = [l.split(",")[0] for l in lines[1:]]
    check(p.returncode == 0 and len(doms) == n and len(set(doms)) == n,
          "--resume completes it, each target once: %d, %d rows, %d distinct" % (p.returncode, len(doms), len(set(doms))))
    subprocess.run(["rm", "-rf", d])


def test_auth_user_only_where_there_is_an_auth_test():
    """check --auth-user for a protocol with no AUTH test: a usage error, before any prompt or
    connection (loopback, should it ever be contacted)."""
    for proto in ("ftp", "ldap", "ldaps", "postgres", "mysql", "nntp", "xmpp-server", "tls"):
        p = subprocess.run([BIN, "check", "127.0.0.1:9", "-p", proto, "--auth-user", "bob"], capture_output=True,
                           text=True, timeout=30, stdin=subprocess.DEVNULL)
        check(p.returncode == 2 and re.search(r"no AUTH test for %s \(there is one for smtp, .*sieve, xmpp, xmpps\)" % proto, p.stderr)
              and p.stdout == "", "check -p %s --auth-user: refused at once: %d %r" % (proto, p.returncode, p.stderr))


def test_nagios_states_without_a_server():
    """check --nagios: a usage error (a target that is not a host is one) is UNKNOWN (3) with one
    status line; -w without --nagios and -c above -w are refused; --metrics-aggregate needs
    --metrics. No DNS and no connection (an invalid name is judged before either)."""
    cases = ((["--nagios", "--bogus", "mx.example"], 3, "STARTTLS UNKNOWN - check: unrecognized option '--bogus'"),
             (["--nagios", "-w", "5", "-c", "10", "mx.example"], 3, "STARTTLS UNKNOWN - "),
             (["--nagios", "-p", "ftp", "--auth-user", "bob", "127.0.0.1:9"], 3, "STARTTLS UNKNOWN - "),
             (["--nagios", "--warn-only", "chain,dns", "mx.example"], 3, "STARTTLS UNKNOWN - "),
             (["--nagios", "bad..name"], 3, "STARTTLS UNKNOWN - 'bad..name': empty label"),
             (["--nagios", "-w", "5", "-c", "10", "mx.example"], 3,
              "STARTTLS UNKNOWN - -c 10 is more days than -w 5; CRITICAL comes first"),
             (["-w", "30", "mx.example"], 2, ""))
    for args, code, first in cases:
        p = subprocess.run([BIN, "check", *args], capture_output=True, text=True, timeout=30,
                           stdin=subprocess.DEVNULL)
        lines = p.stdout.splitlines()
        check(p.returncode == code and (lines[0].startswith(first) if first else p.stdout == ""),
              "check %s: exit %d, %r: got %d %r %r" % (" ".join(args), code, first, p.returncode, p.stdout, p.stderr))
        if first:
            check(len(lines) == 1 and p.stderr, "one status line, and stderr still says why: %r %r" % (lines, p.stderr))
    p = subprocess.run([BIN, "--metrics-aggregate", "-o", "/dev/null"], input="", capture_output=True, text=True)
    check(p.returncode == 2 and "--metrics-aggregate shapes --metrics FILE" in p.stderr, "aggregate alone: %r" % p.stderr)


if __name__ == "__main__":
    BIN = sys.argv[1]
    test_version()
    test_tuned_is_current()
    test_open_file_limit()
    test_shard_options()
    test_rollup_and_report_files()
    test_million_targets_without_io()
    test_file_size_limit_and_resume()
    test_auth_user_only_where_there_is_an_auth_test()
    test_nagios_states_without_a_server()
    print("%d problems" % len(failures))
    sys.exit(1 if failures else 0)
