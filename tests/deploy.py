#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The deployment recipes (deploy/), checked without a cluster:

* deploy/k8s/*.yaml parse and have what the Job API requires (an Indexed Job
  whose completions equal STARTTLS_SCAN_SHARDS, volumes that the mounts
  name, a restart policy a Job accepts); their shell commands run, with the
  real binary, over an input of invalid lines only (rows without any DNS or
  connection), one run per index, then the merge Job's command: the merged
  file must hold every line once.
* deploy/k8s/Dockerfile names Debian 12 packages that exist.
* deploy/slurm/*.sbatch and submit.sh parse (bash -n); the Slurm lab test
  runs them on a real Slurm.
* deploy/prometheus: promtool checks the alerting rules and runs their unit
  tests; the systemd service's and the cron line's commands run with the
  real binary (paths moved into a temporary directory), twice, and promtool
  checks the metrics file they write (the lab's lab_monitor.py scrapes one
  with a real Prometheus).

Usage: deploy.py BINARY SOURCE_DIR   (no network, no root)
"""
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

BIN, SRC = os.path.abspath(sys.argv[1]), sys.argv[2]
failed = 0


def check(cond, what):
    global failed
    if not cond:
        failed += 1
        print("FAIL:", what)


def docs(name):
    with open(os.path.join(SRC, "deploy", "k8s", name)) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def pod_checks(job, what):
    spec = job.get("spec", {})
    pod = spec.get("template", {}).get("spec", {})
    check(job.get("apiVersion") == "batch/v1" and job.get("kind") == "Job", "%s: a batch/v1 Job" % what)
    check(isinstance(job.get("metadata", {}).get("name"), str), "%s: metadata.name" % what)
    check(pod.get("restartPolicy") in ("Never", "OnFailure"), "%s: a Job's restartPolicy" % what)
    containers = pod.get("containers") or []
    check(len(containers) == 1, "%s: one container" % what)
    volumes = {v.get("name") for v in pod.get("volumes", [])}
    for c in containers + pod.get("initContainers", []):
        check(c.get("name") and c.get("image"), "%s: container name and image" % what)
        for m in c.get("volumeMounts", []):
            check(m.get("name") in volumes and m.get("mountPath", "").startswith("/"),
                  "%s: the mount %r names a volume" % (what, m))
    env = {e["name"]: e.get("value") for c in containers for e in c.get("env", [])}
    return spec, containers[0] if containers else {}, env


def shell_of(container):
    check(container.get("command") == ["/bin/sh", "-c"] and len(container.get("args", [])) == 1,
          "the command is one sh -c line")
    return container.get("args", [""])[0]


def run_pod(cmd, env, tmp):
    """The container's command with /out and /input in tmp, starttls-scan on PATH."""
    cmd = cmd.replace("/out", os.path.join(tmp, "out")).replace("/input", os.path.join(tmp, "input"))
    bindir = os.path.join(tmp, "bin")
    full = dict(os.environ, PATH=bindir + ":" + os.environ["PATH"], **env)
    return subprocess.run(["/bin/sh", "-c", cmd], capture_output=True, text=True, env=full, timeout=60)


def test_kubernetes():
    scan_docs = docs("indexed-job.yaml")
    jobs = [d for d in scan_docs if d.get("kind") == "Job"]
    check(len(jobs) == 1, "indexed-job.yaml has one Job")
    check(any(d.get("kind") == "PersistentVolumeClaim" for d in scan_docs), "and the results' claim")
    spec, scan_c, env = pod_checks(jobs[0], "indexed-job")
    n = spec.get("completions")
    check(spec.get("completionMode") == "Indexed" and isinstance(n, int) and n > 1,
          "an Indexed Job with completions")
    check(isinstance(spec.get("parallelism"), int) and spec.get("backoffLimit", 0) >= n,
          "parallelism, and a backoffLimit that lets every index be retried")
    check(env.get("STARTTLS_SCAN_SHARDS") == str(n), "STARTTLS_SCAN_SHARDS equals completions")
    merge_jobs = docs("merge-job.yaml")
    mspec, merge_c, menv = pod_checks(merge_jobs[0], "merge-job")
    check(menv.get("STARTTLS_SCAN_SHARDS") == str(n), "the merge Job knows the same count")
    cmd, mcmd = shell_of(scan_c), shell_of(merge_c)
    check("--shard auto" in cmd and "--resume" in cmd, "the scan runs --shard auto --resume")
    tmp = tempfile.mkdtemp(prefix="sts-deploy-")
    try:
        for d in ("bin", "out/tmp", "input"):
            os.makedirs(os.path.join(tmp, d))
        os.symlink(BIN, os.path.join(tmp, "bin", "starttls-scan"))
        lines = ["bad..name%d" % i for i in range(200)]
        with open(os.path.join(tmp, "input", "domains.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
        pod_env = {k: v for k, v in env.items() if k != "TMPDIR"}
        for k in range(n):
            p = run_pod(cmd, dict(pod_env, JOB_COMPLETION_INDEX=str(k)), tmp)
            check(p.returncode == 0, "pod %d: %s" % (k, p.stderr))
            check(os.path.exists(os.path.join(tmp, "out", "shard-%d-of-%d.csv" % (k, n))), "pod %d's file" % k)
        p = run_pod(mcmd, {kk: v for kk, v in menv.items() if kk != "TMPDIR"}, tmp)
        check(p.returncode == 0, "the merge pod: %s" % p.stderr)
        with open(os.path.join(tmp, "out", "merged.csv"), newline="") as f:
            got = sorted(r["domain"] for r in csv.DictReader(f))
        check(got == sorted(lines), "the merged file holds every line once (%d rows)" % len(got))
        os.unlink(os.path.join(tmp, "out", "shard-3-of-%d.csv" % n))
        p = run_pod(mcmd, {kk: v for kk, v in menv.items() if kk != "TMPDIR"}, tmp)
        check(p.returncode != 0, "the merge pod fails when a shard is missing")
    finally:
        shutil.rmtree(tmp)


def test_dockerfile():
    text = open(os.path.join(SRC, "deploy", "k8s", "Dockerfile")).read()
    check(text.count("FROM debian:12") == 2, "Debian 12, build and run stages")
    packages = set()
    for m in re.finditer(r"apt-get install -y --no-install-recommends ([^&]+)", text):
        packages |= set(m.group(1).replace("\\", " ").split())
    check(len(packages) >= 10, "the Dockerfile installs packages: %r" % sorted(packages))
    if shutil.which("apt-cache"):
        for p in sorted(packages):
            out = subprocess.run(["apt-cache", "show", "--no-all-versions", p], capture_output=True, text=True)
            check(out.returncode == 0 and "Package: %s" % p in out.stdout, "Debian 12 has the package %s" % p)


def test_slurm_scripts():
    for name in ("scan.sbatch", "merge.sbatch", "submit.sh"):
        path = os.path.join(SRC, "deploy", "slurm", name)
        check(subprocess.run(["bash", "-n", path]).returncode == 0, "%s parses" % name)
        check(os.access(path, os.X_OK), "%s is executable" % name)
    text = open(os.path.join(SRC, "deploy", "slurm", "scan.sbatch")).read()
    check("--shard auto --resume" in text and "${STARTTLS_SCAN:-starttls-scan}" in text,
          "scan.sbatch runs ${STARTTLS_SCAN:-starttls-scan} --shard auto --resume")


def prom_path(name):
    return os.path.join(SRC, "deploy", "prometheus", name)


def exec_start(text):
    """The service's ExecStart, its continuation lines joined."""
    m = re.search(r"^ExecStart=((?:.*\\\n)*.*)$", text, re.M)
    return m.group(1).replace("\\\n", " ") if m else ""


def run_recipe(cmd, tmp):
    """A recipe's command line with its paths in tmp and the real binary: (exit, metrics file)."""
    for path in ("/var/lib/prometheus/node-exporter", "/var/lib/starttls-scan", "/var/lib/prometheus",
                 "/etc/starttls-scan"):
        cmd = cmd.replace(path, os.path.join(tmp, path.strip("/").replace("/", "_")))
    cmd = cmd.replace("/usr/bin/starttls-scan", BIN)
    p = subprocess.run(["/bin/sh", "-c", cmd], capture_output=True, text=True, timeout=60)
    prom = os.path.join(tmp, "var_lib_prometheus_node-exporter", "starttls-scan.prom")
    return p, prom


def test_prometheus():
    if not shutil.which("promtool"):
        check(False, "promtool is installed (Debian's prometheus; make test installs it)")
        return
    rules, tests = prom_path("starttls-scan.rules.yml"), prom_path("starttls-scan.rules.test.yml")
    p = subprocess.run(["promtool", "check", "rules", rules], capture_output=True, text=True)
    check(p.returncode == 0, "promtool check rules: %s%s" % (p.stdout, p.stderr))
    p = subprocess.run(["promtool", "test", "rules", os.path.basename(tests)], capture_output=True, text=True,
                       cwd=os.path.dirname(tests))
    check(p.returncode == 0 and "SUCCESS" in p.stdout, "promtool test rules: %s%s" % (p.stdout, p.stderr))
    service = exec_start(open(prom_path("starttls-scan-metrics.service")).read())
    cron = [l for l in open(prom_path("starttls-scan.cron")) if l.strip() and not l.startswith("#")]
    check(len(cron) == 1 and service, "one cron line, one ExecStart")
    cron_cmd = " ".join(cron[0].split()[6:]) if cron else ""
    for what, cmd in (("service", service), ("cron", cron_cmd)):
        tmp = tempfile.mkdtemp(prefix="sts-prom-")
        try:
            for d in ("var_lib_prometheus_node-exporter", "var_lib_prometheus", "var_lib_starttls-scan",
                      "etc_starttls-scan"):
                os.makedirs(os.path.join(tmp, d))
            with open(os.path.join(tmp, "etc_starttls-scan", "domains.txt"), "w") as f:
                f.write("".join("bad..name%d\n" % i for i in range(50)))
            for run in (1, 2):  # the second run replaces the file the first wrote
                p, prom = run_recipe(cmd, tmp)
                check(p.returncode == 0 and "logger" not in p.stderr,
                      "%s run %d: %s" % (what, run, p.stderr))
                text = open(prom).read() if os.path.exists(prom) else ""
                check(text.count('starttls_probe_status_info{domain="bad..name') == 50 and
                      'starttls_scan_rows{status="invalid_target"} 50' in text,
                      "%s run %d: a series per line: %s" % (what, run, text[:300]))
                c = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
                check(c.returncode == 0, "%s: promtool check metrics: %s" % (what, c.stderr))
        finally:
            shutil.rmtree(tmp)


if __name__ == "__main__":
    test_prometheus()
    test_kubernetes()
    test_dockerfile()
    test_slurm_scripts()
    print("%d problems" % failed)
    sys.exit(1 if failed else 0)
