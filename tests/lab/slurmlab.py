# SPDX-License-Identifier: GPL-2.0-or-later
"""A single-node Slurm from Debian's packages for the tests: munged,
slurmctld and slurmd in the foreground, their pids recorded, state and logs
under one directory, ports of their own on 127.0.0.1; stopped by pid."""
import os
import signal
import socket
import subprocess
import time

PORTS = (16817, 16818)  # slurmctld, slurmd: not Slurm's defaults, so a real cluster is left alone


class Slurm:
    def __init__(self, workdir):
        self.dir = workdir
        self.pids = []
        os.makedirs(os.path.join(workdir, "state"), exist_ok=True)
        os.makedirs(os.path.join(workdir, "spool"), exist_ok=True)
        self.conf = os.path.join(workdir, "slurm.conf")
        self.socket = os.path.join(workdir, "munge.socket")
        self.env = dict(os.environ, SLURM_CONF=self.conf)
        try:
            self._munge()
            self._write_conf()
            self._start("slurmctld", ["slurmctld", "-D", "-f", self.conf, "-L", self.path("slurmctld.log")])
            self._start("slurmd", ["slurmd", "-D", "-f", self.conf, "-L", self.path("slurmd.log")])
            self._wait_idle(60)
        except BaseException:
            self.stop()
            raise

    def path(self, name):
        return os.path.join(self.dir, name)

    def _start(self, name, argv):
        log = open(self.path(name + ".out"), "wb")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                             start_new_session=True)
        self.pids.append((name, p))

    def _munge(self):
        key = self.path("munge.key")
        with open(key, "wb") as f:
            f.write(os.urandom(1024))
        os.chmod(key, 0o400)
        self._start("munged", ["munged", "--foreground", "--force", "--key-file", key,
                               "--socket", self.socket, "--pid-file", self.path("munged.pid"),
                               "--log-file", self.path("munged.log"), "--seed-file", self.path("munged.seed")])
        deadline = time.time() + 10
        while not os.path.exists(self.socket):
            if time.time() > deadline:
                raise RuntimeError("munged did not start: %s" % open(self.path("munged.out")).read())
            time.sleep(0.05)

    def _write_conf(self):
        host = socket.gethostname().split(".")[0]
        cpus = os.cpu_count() or 1
        with open(self.conf, "w") as f:
            f.write("""ClusterName=stslab
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={p0}
SlurmdPort={p1}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={sock}
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MailProg=/bin/true
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} State=UNKNOWN
PartitionName=lab Nodes={host} Default=YES MaxTime=INFINITE State=UP
""".format(host=host, p0=PORTS[0], p1=PORTS[1], sock=self.socket, d=self.dir, cpus=cpus))

    def run(self, *argv, timeout=30):
        return subprocess.run(list(argv), capture_output=True, text=True, env=self.env, timeout=timeout)

    def _wait_idle(self, seconds):
        deadline = time.time() + seconds
        while time.time() < deadline:
            for name, p in self.pids:
                if p.poll() is not None:
                    raise RuntimeError("%s exited %d: %s" % (name, p.returncode,
                                                             open(self.path(name + ".out")).read()[-2000:]))
            out = self.run("sinfo", "-h", "-o", "%T").stdout.strip()
            if out in ("idle", "mixed", "allocated"):
                return
            time.sleep(0.3)
        raise RuntimeError("the Slurm node never became idle: %s" % self.run("sinfo").stdout)

    def wait_jobs(self, seconds):
        """Polls squeue until no job of ours is left; False at the deadline."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            out = self.run("squeue", "-h", "-o", "%i").stdout.strip()
            if not out:
                return True
            time.sleep(0.5)
        return False

    def job_states(self, job):
        """{array task: state} from slurmctld's memory (scontrol: no accounting here)."""
        out = self.run("scontrol", "-o", "show", "job", str(job)).stdout
        states = {}
        for line in out.splitlines():
            f = dict(x.split("=", 1) for x in line.split() if "=" in x)
            states[f.get("ArrayTaskId", f.get("JobId"))] = (f.get("JobState"), f.get("ExitCode"))
        return states

    def stop(self):
        if any(p.poll() is None for name, p in self.pids if name == "slurmctld"):
            self.run("scancel", "--full", "-u", "root")
            self.wait_jobs(20)
        for name, p in reversed(self.pids):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.pids = []
