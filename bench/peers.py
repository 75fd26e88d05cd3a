# SPDX-License-Identifier: GPL-2.0-or-later
"""The other tools on the same server: openssl s_client, nmap, sslscan, testssl.sh."""
import os
import shutil

from benchlib import addresses, count_in, in_ns, log, timed, write_lines


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


