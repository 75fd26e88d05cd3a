# SPDX-License-Identifier: GPL-2.0-or-later
"""The bench's sections that scan the bench server: CPU per host against the
floor and the physical limit (each build), instructions, workers, latency."""
import os
import shutil

from benchlib import (NCERTS_SERVER, Server, addresses, floor, instructions, limit, scan,
                      scanner_args)
from peers import peers


def per_host(r):
    return r["cpu"] * 1e6 / max(r["ok"], 1)


def cpu_section(builds, workdir, certs, size, cores, base, table, summary):
    """CPU-bound, no delay: per-host CPU of each build against its floor and
    its limit (bench-limit: crypto + the kernel's TCP), all alternating, `reps`
    times each; the best of each is compared (noise only ever adds time).
    Returns ({(build, key): best scan}, next address block)."""
    ncerts = NCERTS_SERVER
    first = next(iter(builds.values()))
    best = {}
    for key in ("rsa", "ecdsa"):
        ca = os.path.join(certs[key], "ca.pem")
        srv = Server(first, certs[key], ncerts, threads=cores)
        try:
            runs = {b: [] for b in builds}
            floors = {b: [] for b in builds}
            limits = {b: [] for b in builds}
            for rep in range(size["reps"]):
                for name, build in builds.items():
                    floors[name].append(floor(build, certs[key], ncerts, size["floor"]))
                    limits[name].append(limit(build, certs[key], size["limit"]))
                    runs[name].append(scan(build, workdir, "cpu-%s-%s-%d" % (name, key, rep),
                                           addresses(base, size["cpu"]), scanner_args(ca, 1000, cores)))
                    base += 1
            for name in builds:
                r = min(runs[name], key=per_host)
                best[(name, key)] = r
                fl = min(f[0] for f in floors[name])
                lim = min(limits[name], key=lambda x: x["crypto_us"] + x["tcp_us"])
                lim_total = lim["crypto_us"] + lim["tcp_us"]
                table.add("starttls-scan -c 1000, %s wolfSSL (best of %d)" % (name, size["reps"]), key, r)
                summary.append(
                    "%s, %s: scanner %.0f µs CPU/host = %.2f × the limit of %.0f µs (crypto %.0f: X25519 "
                    "%.0f, verify %.0f, parse %.0f, schedule %.0f, records %.0f; TCP %.0f) = %.2f × the "
                    "floor of %.0f µs (runs: scanner %s; limit %s; floor %s)"
                    % (key, name, per_host(r), per_host(r) / lim_total, lim_total, lim["crypto_us"],
                       lim["x25519_us"], lim["verify_us"], lim["parse_us"], lim["schedule_us"],
                       lim["records_us"], lim["tcp_us"], per_host(r) / fl, fl,
                       ", ".join("%.0f" % per_host(x) for x in runs[name]),
                       ", ".join("%.0f" % (x["crypto_us"] + x["tcp_us"]) for x in limits[name]),
                       ", ".join("%.0f" % f[0] for f in floors[name])))
            if len(builds) == 2:
                names = list(builds)
                pairs = ", ".join("%.2f" % (per_host(b) / per_host(a))
                                  for a, b in zip(runs[names[0]], runs[names[1]]))
                summary.append("%s: %s/%s CPU per host %.2f (pair by pair: %s)"
                               % (key, names[1], names[0],
                                  per_host(best[(names[1], key)]) / per_host(best[(names[0], key)]), pairs))
            if key == "rsa":
                peers(table, first, workdir, certs, size, None)
        finally:
            srv.close()
    return best, base


# The protocols the engine speaks, with their default ports: the same TLS and
# certificates, only the dialog differs (issue 25: within 1.15 x of SMTP's).
PROTOCOL_PORTS = (("smtp", 25), ("lmtp", 24), ("sieve", 4190), ("imap", 143), ("pop3", 110), ("nntp", 119),
                  ("postgres", 5432), ("mysql", 3306), ("ldap", 389), ("xmpp", 5222))


def protocols_section(build, workdir, certs, size, cores, base, summary):
    """CPU per host of each protocol's dialog beside SMTP's: a bench-server per
    protocol, all up at once, the scans alternating; ratios pair by pair."""
    key = "rsa"
    ca = os.path.join(certs[key], "ca.pem")
    servers = [Server(build, certs[key], NCERTS_SERVER, threads=cores, protocol=p, port=port)
               for p, port in PROTOCOL_PORTS]
    try:
        runs = {p: [] for p, _ in PROTOCOL_PORTS}
        for rep in range(size["reps"]):
            for p, _ in PROTOCOL_PORTS:
                r = scan(build, workdir, "proto-%s-%d" % (p, rep), addresses(base, size["protocols"]),
                         scanner_args(ca, 1000, cores) + ["-p", p])
                if r["ok"] != r["n"]:
                    raise SystemExit("bench: -p %s: %r" % (p, r["status"]))
                runs[p].append(r)
                base += 1
        for p, _ in PROTOCOL_PORTS[1:]:
            pairs = [per_host(b) / per_host(a) for a, b in zip(runs["smtp"], runs[p])]
            best = min(per_host(r) for r in runs[p]) / min(per_host(r) for r in runs["smtp"])
            summary.append("-p %s: %.0f µs CPU/host, %.2f × SMTP's %.0f (best of %d; pair by pair: %s)"
                           % (p, min(per_host(r) for r in runs[p]), best, min(per_host(r) for r in runs["smtp"]),
                              size["reps"], ", ".join("%.2f" % x for x in pairs)))
    finally:
        for s in servers:
            s.close()
    return base


def callgrind_section(build, workdir, certs, size, cores, summary):
    if not (shutil.which("valgrind") and size["callgrind"]):
        return
    for key in ("rsa", "ecdsa"):
        srv = Server(build, certs[key], NCERTS_SERVER, threads=cores)
        try:
            s_ir, f_ir = instructions(build, workdir, certs[key], 10, size["callgrind"])
        finally:
            srv.close()
        summary.append("%s: user-space instructions per host (callgrind, 10 chains): "
                       "scanner %.2f M, floor %.2f M: %.2f ×" % (key, s_ir / 1e6, f_ir / 1e6, s_ir / f_ir))


def workers_section(build, workdir, certs, size, cores, base, table, summary):
    """--workers 1 against --workers 2, CPU-bound. The server shares the two
    cores (bench/README.md: it needs about as much CPU as the scanner)."""
    srv = Server(build, certs["ecdsa"], NCERTS_SERVER, threads=cores)
    try:
        ca = os.path.join(certs["ecdsa"], "ca.pem")
        w = {}
        for workers in (1, 2):
            w[workers] = scan(build, workdir, "workers-%d" % workers, addresses(base, size["workers"]),
                              scanner_args(ca, 1000, workers))
            base += 1
            table.add("starttls-scan -c 1000 --workers %d" % workers, "ecdsa", w[workers])
        rate = [w[k]["ok"] / w[k]["wall"] for k in (1, 2)]
        summary.append("workers: --workers 2 gives %.2f × the hosts/s of --workers 1 "
                       "(scanner CPU/host %.0f and %.0f µs; the rest of the machine is the "
                       "server's)" % (rate[1] / rate[0], per_host(w[1]), per_host(w[2])))
    finally:
        srv.close()
    return base


def latency_section(build, workdir, certs, size, cores, base, table, summary):
    """Every reply 200 ms late, 10,000 at once, against the CPU bound measured
    the same way just before (same targets count, same server threads),
    alternating, best of each."""
    ca = os.path.join(certs["ecdsa"], "ca.pem")
    lats, refs, per_host_s = [], [], None
    server_us = {"ref": [], "lat": []}
    for rep in range(size["lat_reps"]):
        srv = Server(build, certs["ecdsa"], NCERTS_SERVER, threads=cores)
        try:
            cpu0 = srv.cpu()
            refs.append(scan(build, workdir, "latency-ref-%d" % rep, addresses(base, size["latency"]),
                             scanner_args(ca, 1000, cores)))
            server_us["ref"].append((srv.cpu() - cpu0) * 1e6 / max(refs[-1]["ok"], 1))
            base += 1
        finally:
            srv.close()
        srv = Server(build, certs["ecdsa"], NCERTS_SERVER, delay=200, greeting=200, threads=cores)
        try:
            if per_host_s is None:
                # One host's latency: a batch of 20 at once, which nothing queues.
                one = scan(build, workdir, "latency-1", addresses(base, 20), scanner_args(ca, 20, 1))
                base += 1
                per_host_s = one["wall"]
            cpu0 = srv.cpu()
            lats.append(scan(build, workdir, "latency-%d" % rep, addresses(base, size["latency"]),
                             scanner_args(ca, size["latency_c"], cores)))
            server_us["lat"].append((srv.cpu() - cpu0) * 1e6 / max(lats[-1]["ok"], 1))
            base += 1
        finally:
            srv.close()
    rate = lambda r: r["ok"] / r["wall"]
    lat, ref = max(lats, key=rate), max(refs, key=rate)
    table.add("starttls-scan -c 1000, D=0 (best of %d)" % len(refs), "ecdsa", ref)
    table.add("starttls-scan -c %d, D=G=200 ms (best of %d)" % (size["latency_c"], len(lats)), "ecdsa", lat)
    bound = min(rate(ref), size["latency_c"] / per_host_s)
    timeouts = sum(r["status"].get("timeout", 0) for r in lats)
    summary.append("latency: %.0f hosts/s = %.0f %% of min(CPU bound %.0f, %d / %.2f s) "
                   "(runs: %s against %s), timeouts %d, peak RSS %.0f MiB; CPU per host, scanner + "
                   "server: D=0 %.0f + %.0f µs, D=200 ms %.0f + %.0f µs (the CPU bound at D=200 ms "
                   "itself: %.0f hosts/s, so %.0f %% of it)"
                   % (rate(lat), 100 * rate(lat) / bound, rate(ref), size["latency_c"], per_host_s,
                      ", ".join("%.0f" % rate(r) for r in lats), ", ".join("%.0f" % rate(r) for r in refs),
                      timeouts, max(r["rss"] for r in lats), per_host(ref), min(server_us["ref"]),
                      per_host(lat), min(server_us["lat"]),
                      cores * 1e6 / (per_host(lat) + min(server_us["lat"])),
                      100 * rate(lat) / min(size["latency_c"] / per_host_s,
                                            cores * 1e6 / (per_host(lat) + min(server_us["lat"])))))
    return base
