#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The benchmark driver: one command, one table, everything measured in one run.

    python3 bench/run.py [--smoke] [--build DIR] [--keep DIR]

Creates a network namespace of its own (only its loopback exists there),
starts bench-server and nsd inside it, and measures on the same targets:

  * starttls-scan (RSA-2048 and ECDSA P-256 chains, N distinct certificates)
  * the in-process handshake floor (bench-floor: same wolfSSL, no sockets)
  * nmap --script ssl-cert, sslscan --starttls-smtp, openssl s_client -starttls
    smtp under xargs -P, and testssl.sh on a small sample
  * a latency run: 10,000 connections at once, every reply delayed 200 ms
  * --workers 1 against --workers 2, CPU-bound
  * the resolver: MX (then A/AAAA) lookups/s against nsd, with the namespace's
    UDP receive-buffer drops

CPU is user+sys of the measured command and its children (GNU time), divided
by the hosts that gave a certificate; peak RSS is the largest process's.
Benchmarks are never tests: --smoke only keeps this script working (CI).
"""
import argparse
import csv
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NS = "sts-bench-%d" % os.getpid()
PIDS = []


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def sh(*args, **kw):
    return subprocess.run(list(args), check=True, **kw)


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
    """bench-server in the namespace, started by exec so that its pid is ours to stop."""

    def __init__(self, build, certdir, ncerts, delay=0, greeting=0, threads=1, log=None):
        cmd = in_ns(os.path.join(build, "bench", "bench-server"), "--certs", certdir,
                    "--ncerts", str(ncerts), "--port", "25", "--delay", str(delay),
                    "--greeting-delay", str(greeting), "--threads", str(threads))
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log or subprocess.DEVNULL)
        PIDS.append(self.proc.pid)
        wait_listen("t", "0.0.0.0:25")

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
    rc = subprocess.run(full, stdout=stdout or subprocess.DEVNULL, stderr=subprocess.STDOUT,
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
        raise SystemExit("bench: starttls-scan exited %d (%s)" % (rc, name))
    rows = read_rows(out)
    status = {}
    for r in rows:
        status[r["status"]] = status.get(r["status"], 0) + 1
    return {"wall": wall, "cpu": cpu, "rss": rss, "ok": status.get("ok", 0), "n": len(targets),
            "status": status, "rows": rows}


NCERTS_SERVER = 100


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


def peers(table, build, workdir, certs, sizes, scanner_row):
    """The other tools, RSA chain, each on fresh addresses of the same server."""
    ca = os.path.join(certs["rsa"], "ca.pem")
    base = 40

    def peer(name, label, count, make_cmd, needle, host_suffix=""):
        """Runs one peer on `count` fresh addresses; ok = lines with needle."""
        nonlocal base
        hosts = addresses(base, count)
        base += 1
        listing = os.path.join(workdir, name + ".in")
        write_lines(listing, [h + host_suffix for h in hosts])
        out = os.path.join(workdir, name + ".out")
        log("%s: %d hosts" % (name, len(hosts)))
        with open(out, "w") as o:
            wall, cpu, rss, _ = timed(in_ns(*make_cmd(listing, out)), workdir, name, stdout=o)
        table.add(label, "rsa", {"wall": wall, "cpu": cpu, "rss": rss,
                                 "ok": count_in(out, needle), "n": len(hosts)})

    if shutil.which("openssl") and sizes["openssl"]:
        peer("openssl", "openssl s_client (xargs -P 32)", sizes["openssl"],
             lambda listing, out: ["xargs", "-a", listing, "-P", "32", "-I{}", "openssl",
                                   "s_client", "-connect", "{}", "-starttls", "smtp", "-brief",
                                   "-CAfile", ca],
             "CONNECTION ESTABLISHED", ":25")
    if shutil.which("nmap") and sizes["nmap"]:
        peer("nmap", "nmap -sT --script ssl-cert", sizes["nmap"],
             lambda listing, out: ["nmap", "-n", "-Pn", "-sT", "-T4", "-p", "25", "--script",
                                   "ssl-cert", "-iL", listing, "-oN", out + ".nmap"],
             "ssl-cert: Subject:")
    if shutil.which("sslscan") and sizes["sslscan"]:
        peer("sslscan", "sslscan --starttls-smtp (xargs -P 32)", sizes["sslscan"],
             lambda listing, out: ["xargs", "-a", listing, "-P", "32", "-n", "1", "sslscan",
                                   "--no-colour", "--starttls-smtp", "--no-ciphersuites",
                                   "--no-renegotiation", "--no-compression", "--no-heartbleed",
                                   "--no-groups", "--no-fallback"],
             "Subject:", ":25")
    tssl = shutil.which("testssl") or shutil.which("testssl.sh")
    if tssl and sizes["testssl"]:
        hosts = addresses(base, sizes["testssl"])
        base += 1
        out = os.path.join(workdir, "testssl.out")
        script = os.path.join(workdir, "testssl.sh")
        with open(script, "w") as f:
            for h in hosts:
                f.write("%s --quiet --color 0 --warnings off -S --starttls smtp %s:25\n" % (tssl, h))
        with open(out, "w") as o:
            wall, cpu, rss, _ = timed(in_ns("bash", script), workdir, "testssl", stdout=o)
        log("testssl.sh: %d hosts" % len(hosts))
        ok = count_in(out, "Common Name (CN)")
        table.add("testssl.sh -S --starttls smtp", "rsa",
                  {"wall": wall, "cpu": cpu, "rss": rss, "ok": ok, "n": len(hosts)})


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


def resolver_run(build, workdir, domains, conc, workers):
    """Runs the scan once per --workers value in `workers`; {workers: result}."""
    """nsd answers for `domains` domains, each with its own MX host whose A and
    AAAA are documentation addresses: the scanner resolves everything and
    connects nowhere (blocked by default). nsd gets an 8 MiB receive buffer,
    so that the namespace's UDP receive-buffer drops are the scanner's."""
    nsd = shutil.which("nsd") or "/usr/sbin/nsd"
    d = os.path.join(workdir, "nsd")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "zone"), "w") as z:
        z.write("$ORIGIN bench.test.\n$TTL 3600\n@ SOA ns hostmaster 1 3600 600 86400 3600\n"
                "@ NS ns\nns A 127.0.53.1\n")
        for i in range(domains):
            z.write("d%d MX 10 mx%d\nmx%d A 192.0.2.%d\nmx%d AAAA 2001:db8::%x:%x\n"
                    % (i, i, i, i % 250 + 1, i, (i + 1) >> 16, (i + 1) & 0xFFFF))
    with open(os.path.join(d, "nsd.conf"), "w") as c:
        c.write("""server:
    ip-address: 127.0.53.1
    port: 53
    username: ""
    chroot: ""
    zonesdir: "%(d)s"
    pidfile: "%(d)s/nsd.pid"
    database: ""
    logfile: "%(d)s/nsd.log"
    xfrdfile: "%(d)s/xfrd.state"
    xfrdir: "%(d)s"
    zonelistfile: "%(d)s/zone.list"
    server-count: 1
    receive-buffer-size: 8388608
    send-buffer-size: 8388608
    verbosity: 0
remote-control:
    control-enable: no
zone:
    name: bench.test
    zonefile: zone
""" % {"d": d})
    sh("ip", "-n", NS, "addr", "add", "127.0.53.1/8", "dev", "lo", stderr=subprocess.DEVNULL)
    proc = subprocess.Popen(in_ns(nsd, "-d", "-c", os.path.join(d, "nsd.conf")),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    PIDS.append(proc.pid)
    try:
        wait_listen("u", "127.0.53.1:53", 60)
        names = ["d%d.bench.test" % i for i in range(domains)]
        out = {}
        for w in workers:
            drops0 = udp_rcvbuf_errors()
            r = scan(build, workdir, "resolve-w%d" % w, names,
                     ["--resolver", "127.0.53.1", "-c", str(conc), "-w", str(w)])
            r["drops"] = udp_rcvbuf_errors() - drops0
            out[w] = r
        return out
    finally:
        PIDS.remove(proc.pid)
        stop(proc.pid)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="tiny sizes: keeps the driver working (CI)")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--keep", help="keep the work files in this directory")
    a = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("bench: needs root (network namespace)")
    smoke = a.smoke
    ncerts = NCERTS_SERVER
    size = {"cpu": 300 if smoke else 10000, "latency": 400 if smoke else 30000,
            "latency_c": 200 if smoke else 10000, "workers": 300 if smoke else 12000,
            "resolve": 500 if smoke else 100000, "floor": 20 if smoke else 400,
            "openssl": 20 if smoke else 400, "nmap": 10 if smoke else 400,
            "sslscan": 5 if smoke else 100, "testssl": 1 if smoke else 2,
            "reps": 1 if smoke else 3, "callgrind": 20 if smoke else 300,
            "lat_reps": 1 if smoke else 2}
    certs = {}
    for key in ("rsa", "ecdsa"):
        certs[key] = os.path.join(HERE, ".certs", key)
        sh("bash", os.path.join(HERE, "make-certs.sh"), certs[key], key, str(ncerts))
    workdir = a.keep or tempfile.mkdtemp(prefix="sts-bench.")
    os.makedirs(workdir, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    netns_up()
    table = Table()
    summary = []
    try:
        cores = os.cpu_count() or 2
        # 1. CPU-bound, no delay: per-host CPU against the floor. The two
        # alternate, `reps` times each, and the best of each is compared:
        # on a shared machine the noise only ever adds time.
        base = 10
        cpu_bound, fl = {}, {}
        for key in ("rsa", "ecdsa"):
            srv = Server(a.build, certs[key], ncerts, threads=cores)
            try:
                runs, floors = [], []
                for rep in range(size["reps"]):
                    floors.append(floor(a.build, certs[key], ncerts, size["floor"]))
                    runs.append(scan(a.build, workdir, "cpu-%s-%d" % (key, rep),
                                     addresses(base, size["cpu"]),
                                     scanner_args(os.path.join(certs[key], "ca.pem"), 1000, cores)))
                    base += 1
                r = min(runs, key=lambda x: x["cpu"] / max(x["ok"], 1))
                fl[key] = (min(f[0] for f in floors), min(f[1] for f in floors))
                table.add("starttls-scan -c 1000 (best of %d)" % size["reps"], key, r)
                cpu_bound[key] = r
                per_host = r["cpu"] * 1e6 / max(r["ok"], 1)
                all_runs = ", ".join("%.0f" % (x["cpu"] * 1e6 / max(x["ok"], 1)) for x in runs)
                all_floors = ", ".join("%.0f" % f[0] for f in floors)
                summary.append("%s: scanner %.0f µs CPU/host = %.2f × the floor of %.0f µs "
                               "(runs: scanner %s; floor %s; floor with facts %.0f)"
                               % (key, per_host, per_host / fl[key][0], fl[key][0], all_runs,
                                  all_floors, fl[key][1]))
                if key == "rsa":
                    peers(table, a.build, workdir, certs, size, r)
            finally:
                srv.close()
        # 1b. The same comparison in user-space instructions (callgrind).
        if shutil.which("valgrind") and size["callgrind"]:
            for key in ("rsa", "ecdsa"):
                srv = Server(a.build, certs[key], ncerts, threads=cores)
                try:
                    s_ir, f_ir = instructions(a.build, workdir, certs[key], 10, size["callgrind"])
                finally:
                    srv.close()
                summary.append("%s: user-space instructions per host (callgrind, 10 chains): "
                               "scanner %.2f M, floor %.2f M: %.2f ×"
                               % (key, s_ir / 1e6, f_ir / 1e6, s_ir / f_ir))
        # 2. --workers 1 against --workers 2, CPU-bound. The server shares the
        # two cores (bench/README.md: it needs about as much CPU as the scanner).
        srv = Server(a.build, certs["ecdsa"], ncerts, threads=cores)
        try:
            ca = os.path.join(certs["ecdsa"], "ca.pem")
            w = {}
            for workers in (1, 2):
                w[workers] = scan(a.build, workdir, "workers-%d" % workers,
                                  addresses(base, size["workers"]), scanner_args(ca, 1000, workers))
                base += 1
                table.add("starttls-scan -c 1000 --workers %d" % workers, "ecdsa", w[workers])
            rate = [w[k]["ok"] / w[k]["wall"] for k in (1, 2)]
            per = [w[k]["cpu"] * 1e6 / max(w[k]["ok"], 1) for k in (1, 2)]
            summary.append("workers: --workers 2 gives %.2f × the hosts/s of --workers 1 "
                           "(scanner CPU/host %.0f and %.0f µs; the rest of the machine is the "
                           "server's)" % (rate[1] / rate[0], per[0], per[1]))
        finally:
            srv.close()
        # 3. Latency: every reply 200 ms late, 10,000 at once, against the
        # CPU bound measured the same way just before (same targets count,
        # same server threads), alternating, best of each.
        ca = os.path.join(certs["ecdsa"], "ca.pem")
        lats, refs, per_host_s = [], [], None
        for rep in range(size["lat_reps"]):
            srv = Server(a.build, certs["ecdsa"], ncerts, threads=cores)
            try:
                refs.append(scan(a.build, workdir, "latency-ref-%d" % rep,
                                 addresses(base, size["latency"]), scanner_args(ca, 1000, cores)))
                base += 1
            finally:
                srv.close()
            srv = Server(a.build, certs["ecdsa"], ncerts, delay=200, greeting=200, threads=cores)
            try:
                if per_host_s is None:
                    # One host's latency: a batch of 20 at once, which nothing queues.
                    one = scan(a.build, workdir, "latency-1", addresses(base, 20),
                               scanner_args(ca, 20, 1))
                    base += 1
                    per_host_s = one["wall"]
                lats.append(scan(a.build, workdir, "latency-%d" % rep,
                                 addresses(base, size["latency"]),
                                 scanner_args(ca, size["latency_c"], cores)))
                base += 1
            finally:
                srv.close()
        rate = lambda r: r["ok"] / r["wall"]
        lat, ref = max(lats, key=rate), max(refs, key=rate)
        table.add("starttls-scan -c 1000, D=0 (best of %d)" % len(refs), "ecdsa", ref)
        table.add("starttls-scan -c %d, D=G=200 ms (best of %d)" % (size["latency_c"], len(lats)),
                  "ecdsa", lat)
        bound = min(rate(ref), size["latency_c"] / per_host_s)
        timeouts = sum(r["status"].get("timeout", 0) for r in lats)
        summary.append("latency: %.0f hosts/s = %.0f %% of min(CPU bound %.0f, %d / %.2f s) "
                       "(runs: %s against %s), timeouts %d, peak RSS %.0f MiB"
                       % (rate(lat), 100 * rate(lat) / bound, rate(ref), size["latency_c"],
                          per_host_s, ", ".join("%.0f" % rate(r) for r in lats),
                          ", ".join("%.0f" % rate(r) for r in refs), timeouts,
                          max(r["rss"] for r in lats)))
        # 4. The resolver.
        runs = resolver_run(a.build, workdir, size["resolve"], 5000, (1, cores))
        for w, res in sorted(runs.items()):
            lost = sum(v for k, v in res["status"].items() if k not in ("blocked",))
            summary.append("resolver, --workers %d: %d domains, %.0f MX lookups/s (%.0f DNS "
                           "queries/s), %d not resolved, %d UDP receive-buffer drops, %.0f µs "
                           "CPU/domain, peak RSS %.0f MiB"
                           % (w, res["n"], res["n"] / res["wall"], 3 * res["n"] / res["wall"], lost,
                              res["drops"], res["cpu"] * 1e6 / res["n"], res["rss"]))
        if cores in runs and 1 in runs and cores != 1:
            summary.append("resolver: --workers %d gives %.2f × the domains/s of --workers 1"
                           % (cores, (runs[cores]["n"] / runs[cores]["wall"]) /
                              (runs[1]["n"] / runs[1]["wall"])))
        print()
        table.show()
        print()
        for line in summary:
            print(line)
        scan_rsa = cpu_bound["rsa"]["cpu"] * 1e6 / max(cpu_bound["rsa"]["ok"], 1)
        for tool, key, n, ok, wall, hps, cpu_host, rss, note in table.rows:
            if not tool.startswith("starttls-scan") and ok:
                print("%s uses %.1f × the scanner's CPU per host" % (tool, cpu_host / scan_rsa))
    finally:
        cleanup()
        if not a.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
