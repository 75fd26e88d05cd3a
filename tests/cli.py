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
                                          r"c-ares \d+\.\d+\.\d+", lines[1]),
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


if __name__ == "__main__":
    BIN = sys.argv[1]
    test_version()
    test_tuned_is_current()
    test_open_file_limit()
    print("%d problems" % len(failures))
    sys.exit(1 if failures else 0)
