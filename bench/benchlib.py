# SPDX-License-Identifier: GPL-2.0-or-later
"""What every bench section uses: the namespace, the bench server, timing a
command, scanning, reading rows, the table, callgrind, the floor and the limit."""
import csv
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NS = "sts-bench-%d" % os.getpid()
PIDS = []
NCERTS_SERVER = 100


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def sh(*args, **kw):
    kw.setdefault("check", True)
    return subprocess.run(list(args), **kw)


def in_ns(*args):
    return ["ip", "netns", "exec", NS] + list(args)


def netns_up():
    sh("ip", "netns", "add", NS)
    sh("ip", "-n", NS, "link", "set", "lo", "up")
    for key, value in [("net.core.somaxconn", "65535"),
                       ("net.ipv4.tcp_max_syn_backlog", "65535"),
                       ("net.ipv4.ip_local_port_range", "1024 65535"),
                       ("net.ipv4.tcp_tw_reuse", "1")]:
        sh(*in_ns("sysctl", "-q", "-w", "%s=%s" % (key, value)))


def stop(pid):
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(50):
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        except ChildProcessError:
            return
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def cleanup():
    while PIDS:
        stop(PIDS.pop())
    subprocess.run(["ip", "netns", "del", NS], stderr=subprocess.DEVNULL)


def wait_listen(proto, where, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        out = subprocess.run(in_ns("ss", "-Hln" + proto), capture_output=True, text=True).stdout
        if any(line.split()[3] == where for line in out.splitlines() if len(line.split()) > 3):
            return
        time.sleep(0.05)
    raise SystemExit("bench: nothing listens on %s" % where)


class Server:
    """bench-server in the namespace, started by exec so that its pid is ours to stop.
    certdir: one directory, or a list of them (chains of several sizes)."""

    def __init__(self, build, certdir, ncerts, delay=0, greeting=0, threads=1, log=None, mix=False,
                 protocol="smtp", port=25):
        dirs = certdir if isinstance(certdir, list) else [certdir]
        cmd = in_ns(os.path.join(build, "bench", "bench-server"),
                    *[x for d in dirs for x in ("--certs", d)],
                    "--ncerts", str(ncerts), "--port", str(port), "--delay", str(delay),
                    "--greeting-delay", str(greeting), "--threads", str(threads),
                    "--protocol", protocol, *(["--mix"] if mix else []))
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log or subprocess.DEVNULL)
        PIDS.append(self.proc.pid)
        wait_listen("t", "0.0.0.0:%d" % port)

    def cpu(self):
        """The server's CPU seconds so far (user + sys, all its threads)."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self):
        PIDS.remove(self.proc.pid)
        stop(self.proc.pid)


def addresses(first_octet2, count):
    """count loopback addresses 127.A.B.C from 127.first_octet2.0.1 on."""
    out = []
    i = 1
    while len(out) < count:
        a, b, c = first_octet2 + (i >> 16), (i >> 8) & 255, i & 255
        if c not in (0, 255):
            out.append("127.%d.%d.%d" % (a, b, c))
        i += 1
    return out


def timed(cmd, workdir, name, stdout=None, stdin=None, env=None):
    """Runs cmd under GNU time; returns (wall s, cpu s, peak RSS MiB, rc)."""
    tfile = os.path.join(workdir, name + ".time")
    full = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", tfile] + cmd
    t0 = time.time()
    # What the command says goes to NAME.log beside the timing: a failure says why.
    with open(os.path.join(workdir, name + ".log"), "wb") as said:
        rc = subprocess.run(full, stdout=stdout or said, stderr=said if stdout else subprocess.STDOUT,
                            stdin=stdin or subprocess.DEVNULL, env=env).returncode
    wall = time.time() - t0
    fields = open(tfile).read().split()[-4:]
    cpu = float(fields[1]) + float(fields[2])
    return wall, cpu, int(fields[3]) / 1024.0, rc


def write_lines(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def scan(build, workdir, name, targets, args):
    hosts = os.path.join(workdir, name + ".hosts")
    write_lines(hosts, targets)
    out = os.path.join(workdir, name + ".csv")
    cmd = in_ns(os.path.join(build, "starttls-scan"), "-q", "--overwrite", "-o", out, *args, hosts)
    log("starttls-scan %s: %d targets" % (name, len(targets)))
    wall, cpu, rss, rc = timed(cmd, workdir, name)
    if rc != 0:
        raise SystemExit("bench: starttls-scan exited %d (%s): %s" % (
            rc, name, open(os.path.join(workdir, name + ".log"), errors="replace").read()[-500:]))
    rows = read_rows(out)
    status = {}
    for r in rows:
        status[r["status"]] = status.get(r["status"], 0) + 1
    return {"wall": wall, "cpu": cpu, "rss": rss, "ok": status.get("ok", 0), "n": len(targets),
            "status": status, "rows": rows}


def scanner_args(ca, conc, workers):
    return ["--no-mx", "--allow-private", "--ca-file", ca, "-c", str(conc), "-w", str(workers)]


class Table:
    def __init__(self):
        self.rows = []

    def add(self, tool, key, r, note=""):
        ok = r["ok"]
        self.rows.append((tool, key, r["n"], ok, r["wall"], ok / r["wall"] if r["wall"] else 0,
                          r["cpu"] * 1e6 / ok if ok else float("inf"), r["rss"], note))

    def show(self):
        head = "%-48s %-6s %7s %7s %8s %9s %12s %9s  %s" % (
            "tool", "chain", "hosts", "ok", "wall s", "hosts/s", "CPU µs/host", "RSS MiB", "note")
        print(head)
        print("-" * len(head))
        for t in self.rows:
            print("%-48s %-6s %7d %7d %8.2f %9.1f %12.0f %9.1f  %s" % t)


def count_in(path, needle):
    with open(path, errors="replace") as f:
        return f.read().count(needle)


def floor(build, certdir, ncerts, n):
    """bench-floor: (µs per handshake, µs with facts), the client's thread CPU."""
    log("bench-floor %s: %d handshakes" % (os.path.basename(certdir), 10 * n))
    res = subprocess.run([os.path.join(build, "bench", "bench-floor"), certdir, str(ncerts),
                          os.path.join(certdir, "ca.pem"), str(n)],
                         capture_output=True, text=True, check=True).stdout.split()
    kv = dict(x.split("=") for x in res)
    return float(kv["cpu_us_handshake"]), float(kv["cpu_us_handshake_facts"])


def callgrind_total(cmd, workdir, name, *options):
    """The instructions callgrind counted for cmd (run in the namespace)."""
    out = os.path.join(workdir, name + ".cg")
    r = subprocess.run(in_ns("valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                             *options, *cmd), capture_output=True, text=True)
    totals = [l for l in r.stderr.splitlines() if "Collected" in l or "I   refs" in l]
    if not totals:
        raise SystemExit("bench: callgrind gave no total for %s:\n%s" % (name, r.stderr[-2000:]))
    return int(totals[-1].split()[-1].replace(",", ""))


def instructions(build, workdir, certdir, ncerts, hosts):
    """User-space instructions per host (callgrind: repeatable where time is not):
    the scanner on `hosts` addresses that all map to the first ncerts chains,
    one worker; the floor's client on the same chains."""
    scan_hosts = [h for h in addresses(90, hosts * 200) if ip_index(h) % NCERTS_SERVER < ncerts][:hosts]
    path = os.path.join(workdir, "cg.hosts")
    write_lines(path, scan_hosts)
    out = os.path.join(workdir, "cg.csv")
    total = callgrind_total([os.path.join(build, "starttls-scan"), "-q", "--overwrite", "-o", out,
                             "--no-mx", "--allow-private", "--ca-file",
                             os.path.join(certdir, "ca.pem"), "-c", "50", "-w", "1", path],
                            workdir, "cg-scan")
    ok = sum(1 for r in read_rows(out) if r["status"] == "ok")
    n = 100
    fl_total = callgrind_total([os.path.join(build, "bench", "bench-floor"), certdir, str(ncerts),
                                os.path.join(certdir, "ca.pem"), str(n), "--once"],
                               workdir, "cg-floor", "--collect-atstart=no")
    return total / max(ok, 1), fl_total / (n + 1)


def ip_index(addr):
    a = [int(x) for x in addr.split(".")]
    return (a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]


def udp_rcvbuf_errors():
    out = subprocess.run(in_ns("cat", "/proc/net/snmp"), capture_output=True, text=True).stdout
    lines = [l.split() for l in out.splitlines() if l.startswith("Udp:")]
    return int(lines[1][lines[0].index("RcvbufErrors")])




def limit(build, certdir, n):
    """bench-limit: the crypto and the TCP of one host, µs of client CPU."""
    out = {}
    for part in ("crypto", "tcp"):
        res = subprocess.run(in_ns(os.path.join(build, "bench", "bench-limit"), part, certdir, str(n)),
                             capture_output=True, text=True, check=True).stdout.split()
        out.update((k, float(v)) for k, v in (x.split("=") for x in res))
    return out
