# SPDX-License-Identifier: GPL-2.0-or-later
"""Scale by simulation: a generated zone of up to a million mail domains whose
MX names spread over a few thousand distinct endpoints on the bench server's
addresses, scanned end to end. Peak RSS is measured at two input lengths and
two endpoint counts: memory must grow with the distinct endpoints (the dedup
table, the resolver's state) and the concurrency, never with the input."""
import json
import os
import shutil
import subprocess

from benchlib import Server, addresses, in_ns, log, timed, write_lines
from dns import Nsd


def count_statuses(path):
    """Rows by status of a large CSV, streamed (the status is the 7th cell)."""
    import csv
    out = {}
    with open(path, newline="") as f:
        reader = csv.reader(f)
        next(reader, None)
        for row in reader:
            out[row[6]] = out.get(row[6], 0) + 1
    return out


def merge_run(build, workdir, shard_csv, copies):
    """starttls-scan merge over `copies` copies of one scan's file: every
    target in each, so all but one copy of each is left out. Peak RSS must
    not grow with the rows (the keys go through sort(1))."""
    files = [shard_csv]
    for i in range(1, copies):
        files.append("%s.copy%d" % (shard_csv, i))
        shutil.copyfile(shard_csv, files[-1])
    out = os.path.join(workdir, "merged-%d.csv" % copies)
    wall, cpu, rss, rc = timed([os.path.join(build, "starttls-scan"), "merge", "-q", "--overwrite", "-o", out]
                               + files, workdir, "merge-%d" % copies)
    for f in files[1:]:
        os.unlink(f)
    if rc != 0:
        raise SystemExit("bench: starttls-scan merge exited %d" % rc)
    with open(out, "rb") as f:
        rows = sum(1 for _ in f) - 1
    os.unlink(out)
    return {"wall": wall, "cpu": cpu, "rss": rss, "rows": rows}


def scale_run(build, workdir, name, domains, args, keep=False):
    listing = os.path.join(workdir, name + ".in")
    write_lines(listing, domains)
    out = os.path.join(workdir, name + ".csv")
    log("starttls-scan %s: %d domains" % (name, len(domains)))
    wall, cpu, rss, rc = timed(in_ns(os.path.join(build, "starttls-scan"), "-q", "--overwrite", "-o", out,
                                     *args, listing), workdir, name)
    if rc != 0:
        raise SystemExit("bench: starttls-scan exited %d (%s)" % (rc, name))
    status = count_statuses(out)
    if not keep:
        os.unlink(out)
    os.unlink(listing)
    return {"wall": wall, "cpu": cpu, "rss": rss, "n": len(domains), "status": status, "csv": out}


def policy_cost(build, workdir, names, args):
    """The policy lookups' cost: the same domains with them (the default) and
    without (--no-dane --no-mta-sts --no-tls-rpt), alternating three times:
    CPU per domain, best of each, the ratio pair by pair, and the DNS
    queries per domain (the summary's count)."""
    off = ["--no-dane", "--no-mta-sts", "--no-tls-rpt"]
    runs = {"on": [], "off": []}
    queries = {}
    for _ in range(3):
        for name, extra in (("on", []), ("off", off)):
            sfile = os.path.join(workdir, "policy-%s.json" % name)
            r = scale_run(build, workdir, "policy-" + name, names, args + extra + ["--summary", sfile, "--overwrite"])
            with open(sfile) as f:
                queries[name] = json.load(f)["dns_queries"]
            runs[name].append(r)
    n = len(names)
    best = {k: min(r["cpu"] for r in v) * 1e6 / n for k, v in runs.items()}
    pairs = ["%.2f" % (a["cpu"] / b["cpu"]) for a, b in zip(runs["on"], runs["off"]) if b["cpu"]]
    return ("CPU %.0f µs/domain with, %.0f without (+%.0f µs; with ÷ without pair by pair %s); wall best %.1f s "
            "vs %.1f s; DNS queries %.2f vs %.2f per domain"
            % (best["on"], best["off"], best["on"] - best["off"], " ".join(pairs),
               min(r["wall"] for r in runs["on"]), min(r["wall"] for r in runs["off"]),
               queries["on"] / n, queries["off"] / n))


def scale_section(build, workdir, certs, ncerts, domains, endpoints, cores, base, summary):
    """domains: the long input's length; endpoints: the distinct addresses.
    Names d<i> spread over all the endpoints, e<i> over a quarter of them."""
    quarter = max(endpoints // 4, 1)
    ips = addresses(base, endpoints)

    def records(z):
        for j, ip in enumerate(ips):
            z.write("mx%d A %s\n" % (j, ip))
        for i in range(domains):
            z.write("d%d MX 10 mx%d\ne%d MX 10 mx%d\n" % (i, i % endpoints, i, i % quarter))
    log("scale: a zone of %d domains over %d endpoints" % (2 * domains, endpoints))
    server = Nsd(workdir, "nsd-scale", "scale.test", records, startup=600)
    srv = Server(build, certs["ecdsa"], ncerts, threads=cores)
    try:
        # -c 500: fewer than either run's endpoints, so both have as many
        # probes in flight and the difference is the endpoints' own state.
        args = ["--resolver", "127.0.53.1", "--allow-private", "--ca-file",
                os.path.join(certs["ecdsa"], "ca.pem"), "-c", "500", "-w", str(cores)]
        short = scale_run(build, workdir, "scale-short", ["d%d.scale.test" % i for i in range(domains // 4)], args)
        long_ = scale_run(build, workdir, "scale-long", ["d%d.scale.test" % i for i in range(domains)], args,
                          keep=True)
        few = scale_run(build, workdir, "scale-few", ["e%d.scale.test" % i for i in range(domains)], args)
        policies = policy_cost(build, workdir, ["d%d.scale.test" % i for i in range(domains // 4)], args)
    finally:
        srv.close()
        server.close()
    merges = [merge_run(build, workdir, long_["csv"], k) for k in (1, 4)]
    os.unlink(long_["csv"])
    for k, m in zip((1, 4), merges):
        summary.append("scale: merge of %d × %d rows -> %d rows: wall %.1f s, CPU %.1f s, peak RSS %.0f MiB"
                       % (k, m["rows"], m["rows"], m["wall"], m["cpu"], m["rss"]))
    summary.append("scale: the DANE/MTA-STS/TLS-RPT lookups on %d domains (%d distinct MX hosts, none publishing): "
                   "%s" % (domains // 4, min(domains // 4, endpoints), policies))
    per_domain = (long_["rss"] - short["rss"]) * 1048576 / (domains - domains // 4)
    per_endpoint = (long_["rss"] - few["rss"]) * 1048576 / (endpoints - quarter)
    for r, what in ((short, "%d domains" % short["n"]), (long_, "%d domains" % long_["n"]),
                    (few, "%d domains over %d endpoints" % (few["n"], quarter))):
        lost = r["n"] - r["status"].get("ok", 0)
        summary.append("scale: %s: wall %.1f s, %.0f domains/s, CPU %.0f µs/domain, peak RSS %.0f MiB, "
                       "%d rows not ok" % (what, r["wall"], r["n"] / r["wall"], r["cpu"] * 1e6 / r["n"],
                                           r["rss"], lost))
    summary.append("scale: peak RSS grows %.1f bytes per input domain (%d → %d domains) and %.0f bytes "
                   "per distinct endpoint (%d → %d endpoints)"
                   % (per_domain, domains // 4, domains, per_endpoint, quarter, endpoints))
    return base + (endpoints >> 16) + 1
