# SPDX-License-Identifier: GPL-2.0-or-later
"""nsd in the bench namespace, and the resolver run (MX lookups/s)."""
import json
import os
import shutil
import subprocess

from benchlib import NS, PIDS, in_ns, scan, sh, stop, udp_rcvbuf_errors, wait_listen

NSD_CONF = """server:
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
    rrl-ratelimit: 0
    verbosity: 0
remote-control:
    control-enable: no
zone:
    name: %(origin)s
    zonefile: zone
"""


class Nsd:
    """nsd serving one zone on 127.0.53.1; write_records(file) writes the
    records after the SOA and NS. nsd gets an 8 MiB receive buffer, so that
    the namespace's UDP receive-buffer drops are the scanner's, and no
    response rate limiting: domains that share an MX host ask the same
    question many times, which RRL would drop as an attack."""

    def __init__(self, workdir, name, origin, write_records, startup=120):
        nsd = shutil.which("nsd") or "/usr/sbin/nsd"
        d = os.path.join(workdir, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "zone"), "w") as z:
            z.write("$ORIGIN %s.\n$TTL 3600\n@ SOA ns hostmaster 1 3600 600 86400 3600\n"
                    "@ NS ns\nns A 127.0.53.1\n" % origin)
            write_records(z)
        with open(os.path.join(d, "nsd.conf"), "w") as c:
            c.write(NSD_CONF % {"d": d, "origin": origin})
        sh("ip", "-n", NS, "addr", "add", "127.0.53.1/8", "dev", "lo", stderr=subprocess.DEVNULL,
           check=False)
        self.proc = subprocess.Popen(in_ns(nsd, "-d", "-c", os.path.join(d, "nsd.conf")),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        PIDS.append(self.proc.pid)
        wait_listen("u", "127.0.53.1:53", startup)

    def close(self):
        PIDS.remove(self.proc.pid)
        stop(self.proc.pid)


def resolver_run(build, workdir, domains, conc, workers):
    """nsd answers for `domains` domains, each with its own MX host whose A and
    AAAA are documentation addresses: the scanner resolves everything and
    connects nowhere (blocked by default). Runs the scan once per --workers
    value in `workers`, with the MX resolution alone (--no-dane --no-mta-sts
    --no-tls-rpt) and with the policy lookups (the default); {(workers, what):
    result}, the DNS queries sent in result["queries"]."""
    def records(z):
        for i in range(domains):
            z.write("d%d MX 10 mx%d\nmx%d A 192.0.2.%d\nmx%d AAAA 2001:db8::%x:%x\n"
                    % (i, i, i, i % 250 + 1, i, (i + 1) >> 16, (i + 1) & 0xFFFF))
    server = Nsd(workdir, "nsd", "bench.test", records)
    try:
        names = ["d%d.bench.test" % i for i in range(domains)]
        out = {}
        for w in workers:
            for what, extra in (("MX", ["--no-dane", "--no-mta-sts", "--no-tls-rpt"]), ("all", [])):
                drops0 = udp_rcvbuf_errors()
                sfile = os.path.join(workdir, "resolve.json")
                r = scan(build, workdir, "resolve-w%d-%s" % (w, what), names,
                         ["--resolver", "127.0.53.1", "-c", str(conc), "-w", str(w), "--summary", sfile,
                          "--overwrite"] + extra)
                r["drops"] = udp_rcvbuf_errors() - drops0
                with open(sfile) as f:
                    r["queries"] = json.load(f)["dns_queries"]
                os.unlink(sfile)
                out[(w, what)] = r
        return out
    finally:
        server.close()
