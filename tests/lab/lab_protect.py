# SPDX-License-Identifier: GPL-2.0-or-later
"""DANE, MTA-STS and TLS-RPT (issue 15) against the protection lab
(tests/lab/protect.sh): a signed zone behind a validating unbound, a bogus
signature, an unsigned zone, nginx serving policies. Every DANE verdict is
compared with OpenSSL's DANE code (openssl s_client -dane_tlsa_rrdata) fed
the records dig reads through the same resolver; every MTA-STS verdict with
the policy fetched and parsed here, independently of the scanner."""
import json
import os
import re
import subprocess
import tempfile

from labkit import BIN, CA, LAB, check, in_ns, scan

UNBOUND = "127.0.53.2"

# domain -> (MX host, dane, part of dane_error, mx_dnssec)
DANE = {
    "ee311.sec.test": ("mx-ee.sec.test", "valid", "3 1 1 matched the leaf", "yes"),
    "ee301.sec.test": ("mx-ee301.sec.test", "valid", "3 0 1 matched the leaf", "yes"),
    "ee312.sec.test": ("mx-ee312.sec.test", "valid", "3 1 2 matched the leaf", "yes"),
    "ee300.sec.test": ("mx-ee300.sec.test", "valid", "3 0 0 matched the leaf", "yes"),
    "ta201.sec.test": ("mx-ta.sec.test", "valid", "2 0 1 matched the trust anchor at depth 1", "yes"),
    "ta211.sec.test": ("mx-ta211.sec.test", "valid", "2 1 1 matched the trust anchor at depth 1", "yes"),
    "taroot.sec.test": ("mx-taroot.sec.test", "invalid", "not in the chain cannot be matched", "yes"),
    "taroot200.sec.test": ("mx-taroot200.sec.test", "valid", "issued the chain's top", "yes"),
    "wrong.sec.test": ("mx-wrong.sec.test", "invalid", "no record matches the chain as sent", "yes"),
    "pkix.sec.test": ("mx-pkix.sec.test", "unusable", "PKIX-TA and PKIX-EE are unusable", "yes"),
    "none.sec.test": ("mx-none.sec.test", "none", "", "yes"),
    "nostls.sec.test": ("mx-nostls.sec.test", "invalid", "offers no STARTTLS", "yes"),
    "tadom.sec.test": ("mx-tadom.sec.test", "valid", "names the domain", "yes"),
    "tadomx.sec.test": ("mx-tadomx.sec.test", "invalid", "does not name mx-tadomx.sec.test", "yes"),
    "bogus.test": ("mx.bogus.test", "error", "SERVFAIL", "yes"),
    "plain.test": ("mx.plain.test", "unsigned", "did not authenticate", "no"),
}
MIXED = {"mx-ee.sec.test": "valid", "mx-wrong.sec.test": "invalid"}

# domain -> (mta_sts, part of mta_sts_error, id, tls_rpt)
STS = {
    "enforce.sts.test": ("enforce", "", "20261201enforce", "mailto:tlsrpt@sts.test,https://report.sts.test/v1"),
    "testing.sts.test": ("testing", "", "20261201T1", "mailto:reports@testing.sts.test"),
    "none.sts.test": ("none", "", "none1", ""),
    "nomatch.sts.test": ("enforce", "", "nomatch1", ""),
    "badcert.sts.test": ("enforce", "", "badcert1", ""),
    "redirect.sts.test": ("error", "HTTP 301: a redirect", "redirect1", ""),
    "big.sts.test": ("error", "larger than", "big1", ""),
    "wrongname.sts.test": ("error", "is not valid for it", "wrongname1", ""),
    "malformed.sts.test": ("error", "malformed policy: ", "malformed1", ""),
    "badtxt.sts.test": ("error", "malformed _mta-sts TXT record", "", "malformed: "),
    "notxt.sts.test": ("none", "", "", ""),
    "nohost.sts.test": ("error", "the policy host mta-sts.nohost.sts.test", "nohost1", ""),
}


def tlsa_records(name):
    """The TLSA records of name as dig reads them through unbound: 'u s m hex'."""
    p = in_ns("dig", "+short", "+time=2", "+tries=2", "@" + UNBOUND, "TLSA", name)
    out = []
    for line in p.stdout.decode().splitlines():
        f = line.split()
        if len(f) >= 4 and f[0].isdigit():
            out.append("%s %s %s %s" % (f[0], f[1], f[2], "".join(f[3:]).lower()))
    return out


def openssl_dane(ip, mx, names, records):
    """Does OpenSSL's DANE code accept the server's chain for one of names?"""
    for name in names:
        args = ["openssl", "s_client", "-connect", ip + ":25", "-starttls", "smtp", "-servername", mx,
                "-dane_tlsa_domain", name, "-dane_ee_no_namechecks", "-verify_return_error", "-brief"]
        for r in records:
            args += ["-dane_tlsa_rrdata", r]
        p = in_ns(*args, stdin=b"", timeout=30)
        if p.returncode == 0 and b"Verification: OK" in p.stderr:
            return True
    return False


def run_to_file(*args):
    """The scanner through unbound, writing where args say (no rows on stdout)."""
    return in_ns(BIN, "--resolver", UNBOUND, "--ca-file", CA, "--allow-private", "--banner-timeout", "2",
                 "--reply-timeout", "3", "--timeout", "6", "--retry-delay", "0.5", *args, timeout=120)


def posttls_finger(domain):
    """postfix's own DANE client: 'valid' (a verified connection), 'error' (the
    TLSA lookup failed), or 'other' (untrusted, or no DANE)."""
    p = in_ns("env", "MAIL_CONFIG=" + os.path.join(LAB, "protect", "postfix-client"), "posttls-finger", "-c",
              "-l", "dane", "-o", "smtp_dns_support_level=dnssec", domain, timeout=30)
    out = p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")
    if "Verified TLS connection established" in out:
        return "valid"
    return "error" if "TLSA lookup problem" in out else "other"


def rows_by(rows):
    return {(r["domain"], r["mx_host"]): r for r in rows}


def test_dane_verdicts():
    domains = sorted(DANE) + ["mixed.sec.test"]
    rows, err, _, rc = scan(domains, "--allow-private", resolver=UNBOUND)
    check(rc == 0, "the DANE scan ran: %r" % err[-300:])
    by = rows_by(rows)
    for domain, (mx, want, why, dnssec) in sorted(DANE.items()):
        r = by.get((domain, mx))
        check(r is not None, "%s: a row for %s" % (domain, mx))
        if r is None:
            continue
        check(r["dane"] == want and why in r["dane_error"] and r["mx_dnssec"] == dnssec,
              "%s: dane %s (%r), mx_dnssec %s; got %s %r %s" % (domain, want, why, dnssec, r["dane"],
                                                                r["dane_error"], r["mx_dnssec"]))
        records = tlsa_records("_25._tcp." + mx)
        if want in ("valid", "invalid", "unusable", "unsigned"):
            shown = [t.split("...")[0] for t in r["tlsa"].split("|")]
            check(len(shown) == len(records) and all(any(x.startswith(s) for x in records) for s in shown),
                  "%s: the tlsa column %r holds the records dig reads %r" % (domain, r["tlsa"], records))
        if want in ("valid", "invalid", "unusable") and r["status"] == "ok":
            names = [mx] + ([domain] if dnssec == "yes" else [])
            ossl = openssl_dane(r["ip"], mx, names, records)
            check(ossl == (want == "valid"), "%s: OpenSSL's DANE says %s, we say %s" % (domain, ossl, want))
        check(len(r["cert_spki_sha256"]) == 64 or r["status"] != "ok", "%s: cert_spki_sha256 is set" % domain)
        if r["status"] == "ok":
            pf = posttls_finger(domain)
            check(pf == (want if want in ("valid", "error") else "other"),
                  "%s: posttls-finger -l dane says %s, we say %s" % (domain, pf, want))
    for mx, want in MIXED.items():
        r = by.get(("mixed.sec.test", mx))
        check(r is not None and r["dane"] == want, "mixed.sec.test: %s is %s: %r" % (mx, want, r and r["dane"]))
    # A 3 1 1 record holds what cert_spki_sha256 says.
    r = by.get(("ee311.sec.test", "mx-ee.sec.test"))
    check(r is not None and r["tlsa"] == "3 1 1 " + r["cert_spki_sha256"], "3 1 1 is the leaf's SPKI SHA-256")
    # Without a validating resolver (nsd answers without AD) nothing is authenticated.
    rows, err, _, _ = scan(["ee311.sec.test"], "--allow-private")
    check(rows and rows[0]["dane"] == "unsigned" and rows[0]["mx_dnssec"] == "no",
          "nsd, which does not validate: unsigned, mx_dnssec no: %r" % [(r["dane"], r["mx_dnssec"]) for r in rows])
    check("the resolver does not validate DNSSEC" in err, "the summary says so: %r" % err[-400:])


def policy_of(host):
    """The policy nginx serves for host, fetched and parsed here (status, mode, mx patterns)."""
    code = ("import json,socket,ssl,sys\n"
            "s=socket.create_connection(('127.0.9.80',443),timeout=5)\n"
            "t=ssl.create_default_context(cafile=sys.argv[2]).wrap_socket(s,server_hostname=sys.argv[1])\n"
            "t.sendall(('GET /.well-known/mta-sts.txt HTTP/1.1\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n'%sys.argv[1]).encode())\n"
            "d=b''\n"
            "while True:\n"
            "    b=t.recv(65536)\n"
            "    if not b: break\n"
            "    d+=b\n"
            "h,_,body=d.partition(b'\\r\\n\\r\\n')\n"
            "print(json.dumps({'status':int(h.split()[1]),'body':body.decode('latin-1')}))\n")
    p = in_ns("python3", "-c", code, host, CA, timeout=30)
    if p.returncode != 0:
        return None
    got = json.loads(p.stdout)
    fields = {}
    for line in re.split(r"\r?\n", got["body"]):
        if ":" in line:
            k, v = line.split(":", 1)
            fields.setdefault(k.strip(), []).append(v.strip())
    return got["status"], len(got["body"]), fields.get("mode", [""])[0], fields.get("mx", [])


def mx_matches(patterns, host):
    for p in patterns:
        if p.startswith("*."):
            if host.endswith(p[1:]) and "." not in host[: -len(p) + 1]:
                return True
        elif p == host:
            return True
    return False


def test_mta_sts_and_tls_rpt():
    fd, sfile = tempfile.mkstemp(dir=LAB)
    os.close(fd)
    rows, err, _, rc = scan(sorted(STS), "--allow-private", "--summary", sfile, "--overwrite", resolver=UNBOUND)
    check(rc == 0, "the MTA-STS scan ran: %r" % err[-300:])
    by = {r["domain"]: r for r in rows}
    for domain, (mode, why, sid, rpt) in sorted(STS.items()):
        r = by.get(domain)
        check(r is not None, "%s: a row" % domain)
        if r is None:
            continue
        check(r["mta_sts"] == mode and why in r["mta_sts_error"] and (why or not r["mta_sts_error"]),
              "%s: mta_sts %s (%r); got %s %r" % (domain, mode, why, r["mta_sts"], r["mta_sts_error"]))
        check(r["mta_sts_id"] == sid, "%s: mta_sts_id %r, got %r" % (domain, sid, r["mta_sts_id"]))
        check(r["tls_rpt"].startswith(rpt) and (rpt or not r["tls_rpt"]),
              "%s: tls_rpt %r, got %r" % (domain, rpt, r["tls_rpt"]))
        if mode in ("enforce", "testing", "none") and sid:
            got = policy_of("mta-sts." + domain)
            check(got is not None and got[0] == 200 and got[2] == mode,
                  "%s: the policy nginx serves says mode %s: %r" % (domain, mode, got))
            if got:
                want_match = "yes" if mx_matches(got[3], r["mx_host"]) else "no"
                check(r["mta_sts_mx_match"] == want_match, "%s: mx %s against %r: %s, got %s"
                      % (domain, r["mx_host"], got[3], want_match, r["mta_sts_mx_match"]))
                ok = want_match == "yes" and r["status"] == "ok" and r["tls_version"] in ("TLSv1.2", "TLSv1.3") \
                    and r["chain_valid"] == "yes" and r["hostname_match"] == "yes"
                want_ok = "" if mode == "none" else ("yes" if ok else "no")
                check(r["mta_sts_ok"] == want_ok, "%s: mta_sts_ok %r, got %r" % (domain, want_ok, r["mta_sts_ok"]))
    big = policy_of("mta-sts.big.sts.test")
    check(big is not None and big[1] > 65536, "the big policy is over 64 KiB as served: %r" % (big and big[1]))
    summary = json.load(open(sfile))
    os.unlink(sfile)
    s = summary["mta_sts"]
    check((s["enforce"], s["testing"], s["none_mode"], s["error"], s["no_policy"], s["valid"]) == (3, 1, 1, 6, 1, 2),
          "the summary counts the modes: %r" % s)
    check(summary["tls_rpt"]["published"] == 2 and summary["tls_rpt"]["malformed"] == 1,
          "the summary counts TLS-RPT: %r" % summary["tls_rpt"])


# oddhttps.py's policies and nginx's manymx: domain -> (mta_sts, part of
# mta_sts_error, mta_sts_mx_match)
STS_FETCH = {
    "stall.sts.test": ("error", "did not arrive whole", ""),
    "cutlen.sts.test": ("error", "HTTP response from mta-sts.cutlen.sts.test: the connection closed before the body ended", ""),
    "nolast.sts.test": ("error", "HTTP response from mta-sts.nolast.sts.test: the connection closed before the body ended", ""),
    "noclose.sts.test": ("error", "did not arrive whole", ""),
    "html.sts.test": ("error", 'media type is "text/html", not text/plain', ""),
    "notype.sts.test": ("error", "media type is not given, not text/plain", ""),
    "plainx.sts.test": ("error", 'media type is "text/plainx", not text/plain', ""),
    "interim.sts.test": ("enforce", "", "yes"),
    "manymx.sts.test": ("enforce", "", "yes"),
}


def test_dane_every_tlsa_record():
    """70 TLSA records, the matching one last: every record is matched
    (only the first 64 were once)."""
    n = len(tlsa_records("_25._tcp.mx-many70.sec.test"))
    rows, err, _, rc = scan(["many70.sec.test"], "--allow-private", "--no-mta-sts", resolver=UNBOUND)
    r = rows[0] if rows else {}
    check(n == 70 and r.get("dane") == "valid" and r.get("dane_error") == "3 1 1 matched the leaf",
          "many70: %d records, the last one matches: %r" % (n, {k: r.get(k) for k in ("dane", "dane_error")}))


def test_mta_sts_policy_whole_or_error():
    """A policy body that did not arrive whole, or not as text/plain, is an
    error (RFC 8461 3.2, 3.3), never judged on what came; 1xx interim
    responses are skipped; the 200th mx pattern counts like the first."""
    rows, err, _, rc = scan(sorted(STS_FETCH), "--allow-private", "--no-dane", resolver=UNBOUND)
    by = {r["domain"]: r for r in rows}
    for domain, (mode, why, match) in sorted(STS_FETCH.items()):
        r = by.get(domain, {})
        check(r.get("mta_sts") == mode and why in r.get("mta_sts_error", "-") and (why or not r["mta_sts_error"])
              and r.get("mta_sts_mx_match") == match,
              "%s: mta_sts %s (%r), mx_match %r; got %r" % (domain, mode, why, match,
                                                           {k: r.get(k) for k in ("mta_sts", "mta_sts_error",
                                                                                  "mta_sts_mx_match", "mta_sts_ok")}))


def test_policy_switches():
    rows, _, _, _ = scan(["enforce.sts.test", "ee311.sec.test"], "--allow-private", "--no-dane", "--no-mta-sts",
                         "--no-tls-rpt", resolver=UNBOUND)
    check(len(rows) == 2 and all(r["dane"] == r["tlsa"] == r["mta_sts"] == r["tls_rpt"] == r["mx_dnssec"] == ""
                                 for r in rows),
          "--no-dane --no-mta-sts --no-tls-rpt: the columns stay empty: %r"
          % [(r["dane"], r["mta_sts"], r["tls_rpt"], r["mx_dnssec"]) for r in rows])
    log = os.path.join(LAB, "nginx", "access.log")
    before = os.path.getsize(log)
    rows, _, _, _ = scan(["enforce.sts.test"], "--allow-private", "--no-mta-sts", resolver=UNBOUND)
    check(os.path.getsize(log) == before and rows and rows[0]["tls_rpt"], "--no-mta-sts: no fetch, TLS-RPT still")
    rows, _, _, _ = scan(["enforce.sts.test"], "--allow-private", resolver=UNBOUND)
    check(os.path.getsize(log) > before, "the policy fetch shows in nginx's log")
    # What the lookups cost in DNS: MX, A, AAAA; then TLSA and two TXT.
    # Two domains with one MX host: its TLSA is asked once (6 + 5).
    queries = []
    for opts, names in (((), b"ee311.sec.test\n"), (("--no-dane", "--no-mta-sts", "--no-tls-rpt"), b"ee311.sec.test\n"),
                        ((), b"ee311.sec.test\nee311b.sec.test\n")):
        with tempfile.NamedTemporaryFile(dir=LAB, suffix=".json") as f:
            p = in_ns(BIN, "--resolver", UNBOUND, "--ca-file", CA, "--allow-private", "-q", "--summary",
                      f.name, *opts, stdin=names, timeout=60)
            queries.append(json.load(open(f.name)).get("dns_queries") if p.returncode == 0 else None)
    check(queries == [6, 3, 11], "DNS queries: one domain with and without the lookups, two sharing an MX: %r"
          % queries)
    # Not in MX mode: no domain policies; DANE of the named host still.
    rows, _, _, _ = scan(["mx-ee.sec.test"], "--allow-private", "--no-mx", resolver=UNBOUND)
    check(rows and rows[0]["mta_sts"] == "" and rows[0]["dane"] == "valid",
          "--no-mx: no MTA-STS, DANE of the host: %r" % [(r["mta_sts"], r["dane"]) for r in rows])
    # The policy host's address is private: blocked like any other without --allow-private.
    rows, _, _, _ = scan(["enforce.sts.test"], resolver=UNBOUND)
    check(rows and rows[0]["mta_sts"] == "error" and "allow-private" in rows[0]["mta_sts_error"],
          "the policy host is not fetched from a blocked address: %r" % [r["mta_sts_error"] for r in rows])


def fetch_times(hosts):
    """The (start, end) of each fetch of hosts in nginx's log (its end, and its duration)."""
    spans = []
    for line in open(os.path.join(LAB, "nginx", "access.log")):
        f = line.split()
        if len(f) == 4 and f[2] in hosts:
            spans.append((float(f[0]) - float(f[1]), float(f[0])))
    return sorted(spans)


def test_per_host_applies_to_the_policy_host():
    """Three domains whose policy host is one address, each policy sent slowly:
    --per-host 1 fetches them one at a time, --per-host 3 at once."""
    domains = ["slow1.sts.test", "slow2.sts.test", "slow3.sts.test"]
    hosts = {"mta-sts." + d for d in domains}
    for per_host in (1, 3):
        before = len(fetch_times(hosts))
        rows, err, _, _ = scan(domains, "--allow-private", "--per-host", str(per_host), "--reply-timeout", "5",
                               "--timeout", "20", resolver=UNBOUND)
        check(len(rows) == 3 and all(r["mta_sts"] == "testing" for r in rows),
              "--per-host %d: the slow policies arrive: %r" % (per_host, [(r["mta_sts"], r["mta_sts_error"]) for r in rows]))
        spans = fetch_times(hosts)[before:]
        overlaps = sum(1 for a, b in zip(spans, spans[1:]) if b[0] < a[1] - 0.05)
        check(len(spans) == 3 and all(e - s > 0.5 for s, e in spans), "three slow fetches: %r" % spans)
        check(overlaps == 0 if per_host == 1 else overlaps >= 1,
              "--per-host %d: %d of the policy fetches overlap: %r" % (per_host, overlaps, spans))


def test_policy_counts_survive_resume():
    domains = sorted(DANE) + sorted(STS)
    with tempfile.TemporaryDirectory(dir=LAB) as d:
        full, part = os.path.join(d, "full.json"), os.path.join(d, "part.json")
        half, allin = os.path.join(d, "half.txt"), os.path.join(d, "all.txt")
        with open(half, "w") as f:
            f.write("\n".join(domains[: len(domains) // 2]) + "\n")
        with open(allin, "w") as f:
            f.write("\n".join(domains) + "\n")
        run_to_file("--summary", full, "-o", os.path.join(d, "full.csv"), allin)
        out = os.path.join(d, "resumed.csv")
        run_to_file("-o", out, half)
        p = run_to_file("--resume", "-o", out, "--summary", part, allin)
        check(p.returncode == 0, "the resumed scan ran: %r" % p.stderr[-300:])
        a, b = json.load(open(full)), json.load(open(part))
        keys = ("mail_domains", "dane", "mta_sts", "tls_rpt", "policy_failures")
        check(all(a[k] == b[k] for k in keys), "a resumed scan counts the domains' policies as one run does: %r vs %r"
              % ({k: a[k] for k in keys}, {k: b[k] for k in keys}))
        m = subprocess.run([BIN, "merge", "-o", os.path.join(d, "m.csv"), "--summary", os.path.join(d, "m.json"),
                            os.path.join(d, "full.csv")], capture_output=True, timeout=60)
        mj = json.load(open(os.path.join(d, "m.json"))) if m.returncode == 0 else {}
        check(all(mj.get(k) == a[k] for k in keys), "merge counts them the same: %r" % m.stderr[-300:])


def check_run(target, *opts):
    p = in_ns(BIN, "check", target, "--resolver", UNBOUND, "--ca-file", CA, *opts, timeout=60)
    return p.returncode, p.stdout.decode(errors="replace")


def test_check_shows_and_judges_policies():
    rc, out = check_run("ee311.sec.test")
    check(rc == 0 and "DANE valid: 3 1 1 matched the leaf" in out and "TLSA: 3 1 1 " in out
          and "MX answer authenticated (DNSSEC)" in out, "check: a matching DANE record, exit 0: %r" % out[-600:])
    # RFC 7672 3.1: a DANE-EE match authenticates the server, names and dates
    # aside (mx-ee301's certificate names only mx-ee.sec.test).
    rc, out = check_run("ee301.sec.test")
    last = out.strip().splitlines()[-1] if out.strip() else ""
    check(rc == 0 and "DANE authenticates the server; PKIX does not apply: the certificate does not name "
          "mx-ee301.sec.test" in out and re.match(r"OK: TLSv1\.3, certificate valid \d+ more days, DANE valid$", last),
          "check: DANE-EE valid on a host its certificate does not name: exit 0: %d %r" % (rc, out[-500:]))
    rc, out = check_run("wrong.sec.test")
    last = out.strip().splitlines()[-1] if out.strip() else ""
    check(rc == 1 and last.startswith("FAILED: DANE invalid: no record matches"),
          "check: authenticated TLSA records that do not match: exit 1: %r" % last)
    rc, out = check_run("wrong.sec.test", "--no-verify")
    check(rc == 0 and "DANE invalid" in out, "check --no-verify: a DANE mismatch is a warning: %d %r" % (rc, out[-300:]))
    rc, out = check_run("bogus.test")
    check(rc == 1 and "SERVFAIL" in out.strip().splitlines()[-1], "check: a bogus TLSA answer fails: %r" % out[-300:])
    rc, out = check_run("plain.test")
    check(rc == 0 and "DANE unsigned" in out, "check: unsigned TLSA records are shown, not enforced: %r" % out[-300:])
    rc, out = check_run("nomatch.sts.test")
    check(rc == 1 and "MTA-STS: mode enforce, id nomatch1, mx: mail.other.example, *.other.example" in out
          and "MTA-STS policy (enforce) violated" in out.strip().splitlines()[-1],
          "check: an enforce policy the MX host is not in: exit 1: %r" % out[-500:])
    rc, out = check_run("enforce.sts.test")
    check(rc == 0 and "MTA-STS passes" in out and
          "TLS-RPT: reports go to mailto:tlsrpt@sts.test,https://report.sts.test/v1" in out,
          "check: a policy the host passes, and the TLS-RPT address: %r" % out[-500:])
    rc, out = check_run("badcert.sts.test", "--no-verify")
    check(rc == 0 and "MTA-STS FAILS" in out, "check --no-verify: a violated policy is a warning: %r" % out[-300:])
    rc, out = check_run("redirect.sts.test")
    check(rc == 0 and "MTA-STS: error, id redirect1: HTTP 301" in out,
          "check: a policy that cannot be fetched is shown, senders go on without it: %r" % out[-300:])
