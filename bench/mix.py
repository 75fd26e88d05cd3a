# SPDX-License-Identifier: GPL-2.0-or-later
"""A realistic population (bench-server --mix): per-host reply latency from
20 to 300 ms, 5 % silent hosts, 2 % tarpits that greet after 20 s, 3 % that
greet with 421 and hang up, RSA and ECDSA chains. The wall time is compared
with the ideal: the sum of the hosts' own durations divided by the
concurrency, or the longest host when that is longer, so that a slow host is
seen never to hold up the rest."""
import heapq
import os

from benchlib import Server, addresses, log, scan, scanner_args

BANNER_TIMEOUT = 25  # above the tarpits' 20 s: they complete, the silent ones time out


def mix_hash(a):
    """bench/server.c's mix_hash, on the 32-bit address."""
    m = 0xFFFFFFFF
    a ^= a >> 16
    a = (a * 0x7FEB352D) & m
    a ^= a >> 15
    a = (a * 0x846CA68B) & m
    a ^= a >> 16
    return a


def kind_of(addr):
    """(kind, latency ms) of a host, as the server decides it."""
    o = [int(x) for x in addr.split(".")]
    h = mix_hash((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3])
    pick, latency = h % 100, 20 + (h >> 8) % 281
    kind = "silent" if pick < 5 else "tarpit" if pick < 7 else "refuse" if pick < 10 else "normal"
    return kind, latency


EXPECTED = {"normal": "ok", "tarpit": "ok", "silent": "timeout", "refuse": "server_refused"}


def duration(kind, latency, round_trips):
    """A host's own duration in seconds: what it takes alone."""
    if kind == "silent":
        return BANNER_TIMEOUT
    if kind == "refuse":
        return latency / 1000.0
    if kind == "tarpit":
        return 20 + (round_trips - 1) * latency / 1000.0
    return round_trips * latency / 1000.0


def in_order_schedule(durations, conc):
    """The wall time of a scanner that costs nothing: each host, in input
    order, starts in the first of conc slots to come free. Unlike the sum
    over the concurrency it has the tail of the last slow hosts to start."""
    slots = [0.0] * min(conc, len(durations))
    end = 0.0
    for d in durations:
        start = heapq.heappop(slots)
        end = max(end, start + d)
        heapq.heappush(slots, start + d)
    return end


def mix_section(build, workdir, certs, ncerts, n, conc, cores, base, summary, table):
    """Returns the next free address block."""
    ca = os.path.join(workdir, "mix-ca.pem")
    with open(ca, "w") as f:
        for key in ("rsa", "ecdsa"):
            f.write(open(os.path.join(certs[key], "ca.pem")).read())
    # How many delayed round trips one host costs: 20 hosts at once at 200 ms.
    srv = Server(build, certs["ecdsa"], ncerts, delay=200, greeting=200, threads=cores)
    try:
        one = scan(build, workdir, "mix-calibrate", addresses(base, 20), scanner_args(ca, 20, 1))
        base += 1
    finally:
        srv.close()
    round_trips = one["wall"] / 0.2
    hosts = addresses(base, n)
    base += (n >> 16) + 1
    kinds = [kind_of(h) for h in hosts]
    durations = [duration(k, lat, round_trips) for k, lat in kinds]
    ideal = max(sum(durations) / conc, max(durations))
    srv = Server(build, [certs["rsa"], certs["ecdsa"]], ncerts, threads=cores, mix=True)
    try:
        cpu0 = srv.cpu()
        r = scan(build, workdir, "mix", hosts,
                 scanner_args(ca, conc, cores) + ["--banner-timeout", str(BANNER_TIMEOUT), "--no-retry",
                                                  "--timeout", "60"])
        server_cpu = srv.cpu() - cpu0
    finally:
        srv.close()
    # On a machine this small the mix is also CPU-bound: the scanner and the
    # server together need this much of the cores, whatever the latencies.
    cpu_ideal = (r["cpu"] + server_cpu) / cores
    schedule = in_order_schedule(durations, conc)
    by_host = {row["ip"]: row["status"] for row in r["rows"]}
    wrong = sum(1 for h, (k, _) in zip(hosts, kinds) if by_host.get(h) != EXPECTED[k])
    count = {k: sum(1 for x, _ in kinds if x == k) for k in EXPECTED}
    table.add("starttls-scan -c %d, the mix" % conc, "both", r)
    line = ("mix: %d hosts (%s) at -c %d: wall %.1f s = %.2f × the ideal %.1f s (the hosts' own "
            "durations %.0f s / %d = %.1f s, the longest %.1f s; %.1f delayed round trips a host); "
            "%d rows not as the server decided; CPU %.0f µs/host; CPU bound: (scanner %.1f s + "
            "server %.1f s) / %d cores = %.1f s; a scanner that costs nothing, in input order: "
            "%.1f s, so wall = %.2f × that"
            % (n, ", ".join("%s %d" % kv for kv in sorted(count.items())), conc, r["wall"],
               r["wall"] / ideal, ideal, sum(durations), conc, sum(durations) / conc, max(durations),
               round_trips, wrong, r["cpu"] * 1e6 / n, r["cpu"], server_cpu, cores, cpu_ideal,
               schedule, r["wall"] / max(schedule, cpu_ideal)))
    log(line)
    summary.append(line)
    return base
