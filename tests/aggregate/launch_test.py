#!/usr/bin/python3
"""scripts/launch-local and scripts/launch-slurm, with fakes for everything
they start: a fake `bigpe` (worker, broker, campaign), `redis-server`,
`nvidia-smi`, `srun` and `scontrol` on PATH. The fakes record their
arguments, environment and the signals they get in a log folder; nothing
real is started and no GPU or Slurm is needed."""
import glob
import os
import re
import signal
import socket
import subprocess
import tempfile
import textwrap
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LAUNCH_LOCAL = os.path.join(ROOT, "scripts", "launch-local")
LAUNCH_SLURM = os.path.join(ROOT, "scripts", "launch-slurm")

# A fake bigpe / redis-server: records argv and CUDA_VISIBLE_DEVICES, listens
# on the ports a broker or Redis would, and on SIGTERM writes a marker with
# the time and exits. `campaign` exits by itself after FAKE_CAMPAIGN_SECONDS.
FAKE_PROCESS = textwrap.dedent(r'''
    #!/usr/bin/python3
    import json, os, signal, socket, sys, time
    log = os.environ["FAKE_LOG"]
    name = os.path.basename(sys.argv[0])
    role = name if name == "redis-server" else sys.argv[1]
    me = f"{role}-{os.getpid()}"
    def write(name, text):  # atomically: the test polls these files
        with open(os.path.join(log, "." + name), "w") as f:
            f.write(text)
        os.rename(os.path.join(log, "." + name), os.path.join(log, name))
    def term(sig, frame):
        write(me + ".term", repr(time.time()))
        sys.exit(0)
    signal.signal(signal.SIGTERM, term)
    signal.signal(signal.SIGINT, term)
    write(me + ".json", json.dumps({"argv": sys.argv[1:],
                                    "cvd": os.environ.get("CUDA_VISIBLE_DEVICES")}))
    if role not in ("redis-server", "worker", "broker", "campaign"):
        sys.exit(0)  # export: done at once
    ports = []
    args = sys.argv[1:]
    if role == "redis-server":
        ports = [int(args[args.index("--port") + 1])]
    elif role == "broker":
        ports = [int(args[args.index(k) + 1].rsplit(":", 1)[1]) for k in ("--clients", "--workers")]
    socks = []
    for p in ports:
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", p)); s.listen(8); socks.append(s)
    deadline = time.time() + float(os.environ.get("FAKE_CAMPAIGN_SECONDS", "1e9")) \
        if role == "campaign" else float("inf")
    while time.time() < deadline:
        time.sleep(0.05)
    sys.exit(int(os.environ.get("FAKE_CAMPAIGN_EXIT", "0")))
''').lstrip()

FAKE_SRUN = textwrap.dedent('''
    #!/bin/bash
    # fake srun: drop the options, run the command here (one "node"); like
    # Slurm, --gpus-per-node=N makes N GPUs visible to the task.
    echo "$@" > "$FAKE_LOG/srun.args"
    while [[ "$1" == -* ]]; do
      [[ "$1" == --gpus-per-node=* ]] && export CUDA_VISIBLE_DEVICES=$(seq -s, 0 $((${1#*=} - 1)))
      shift
    done
    exec "$@"
''').lstrip()

FAKE_SCONTROL = textwrap.dedent('''
    #!/bin/bash
    # fake scontrol: `show hostnames LIST` for flat lists; records the rest.
    if [[ "$1 $2" == "show hostnames" ]]; then tr ',' '\n' <<<"$3"; exit 0; fi
    echo "$@" >> "$FAKE_LOG/scontrol.args"
''').lstrip()

FAKE_NVIDIA_SMI = textwrap.dedent('''
    #!/bin/sh
    cat <<'EOF'
    GPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-aaaa)
    GPU 1: NVIDIA A100-SXM4-80GB (UUID: GPU-bbbb)
      MIG 3g.40gb     Device  0: (UUID: MIG-1111-2222)
      MIG 3g.40gb     Device  1: (UUID: MIG-3333-4444)
    GPU 2: NVIDIA A100-SXM4-80GB (UUID: GPU-cccc)
    EOF
''').lstrip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_exe(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o755)


class Fakes(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="bigpe-launch-")
        self.bin = os.path.join(self.tmp, "bin")
        self.log = os.path.join(self.tmp, "log")
        os.makedirs(self.bin)
        os.makedirs(self.log)
        self.bigpe = os.path.join(self.bin, "bigpe")
        write_exe(self.bigpe, FAKE_PROCESS)
        write_exe(os.path.join(self.bin, "redis-server"), FAKE_PROCESS)
        write_exe(os.path.join(self.bin, "srun"), FAKE_SRUN)
        write_exe(os.path.join(self.bin, "scontrol"), FAKE_SCONTROL)
        self.procs = []

    def tearDown(self):
        for p in self.procs:  # only the process groups this test started
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            p.wait()
        subprocess.run(["rm", "-rf", self.tmp])

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SLURM_", "BIGPE")) and k != "CUDA_VISIBLE_DEVICES"}
        env["PATH"] = self.bin + ":/usr/bin:/bin"
        env["FAKE_LOG"] = self.log
        env.update(extra)
        return env

    def start(self, cmd, env):
        p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, start_new_session=True)
        self.procs.append(p)
        return p

    def records(self, role):
        import json
        out = []
        for path in sorted(glob.glob(os.path.join(self.log, f"{role}-*.json"))):
            with open(path) as f:
                r = json.load(f)
            term = path[:-5] + ".term"
            r["term"] = None
            if os.path.exists(term):
                with open(term) as f:
                    r["term"] = float(f.read())
            out.append(r)
        return out

    def wait_for(self, predicate, what, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        self.fail(f"timed out waiting for {what}")


class LaunchLocal(Fakes):
    def dry_run(self, *args, **env):
        r = subprocess.run([LAUNCH_LOCAL, "--dry-run", "--bigpe", "bigpe", *args],
                           env=self.env(**env), capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return [ln for ln in r.stdout.splitlines() if not ln.startswith("#")]

    def test_dry_run_starts_one_worker_per_nvidia_smi_gpu_and_mig_instance(self):
        write_exe(os.path.join(self.bin, "nvidia-smi"), FAKE_NVIDIA_SMI)
        lines = self.dry_run("--broker", "tcp://head:5556", "--redis", "redis://head:6379",
                             "--service", "sdxl-turbo+hpsv2", "--backend", "torchscript-sd",
                             "--model", "/models/sdxl")
        self.assertEqual([ln.split()[0] for ln in lines],
                         ["CUDA_VISIBLE_DEVICES=0", "CUDA_VISIBLE_DEVICES=MIG-1111-2222",
                          "CUDA_VISIBLE_DEVICES=MIG-3333-4444", "CUDA_VISIBLE_DEVICES=2"])
        for ln in lines:
            self.assertIn(" bigpe worker --broker tcp://head:5556 --redis redis://head:6379 "
                          "--service sdxl-turbo+hpsv2 --backend torchscript-sd "
                          "--model /models/sdxl --device cuda:0 --worker-id ", ln)

    def test_cuda_visible_devices_wins_over_nvidia_smi(self):
        write_exe(os.path.join(self.bin, "nvidia-smi"), FAKE_NVIDIA_SMI)
        lines = self.dry_run("--service", "sim", CUDA_VISIBLE_DEVICES="3,5")
        self.assertEqual([ln.split()[0] for ln in lines],
                         ["CUDA_VISIBLE_DEVICES=3", "CUDA_VISIBLE_DEVICES=5"])

    def test_without_gpus_one_cpu_worker(self):
        lines = self.dry_run("--service", "sim")
        self.assertEqual(len(lines), 1)
        self.assertIn("--device cpu", lines[0])
        self.assertEqual(len(self.dry_run("--service", "sim", "--cpu-workers", "3",
                                          CUDA_VISIBLE_DEVICES="")), 3)

    def test_user_device_and_worker_id_are_not_overridden(self):
        lines = self.dry_run("--service", "sim", "--device", "cpu:7", "--worker-id", "w",
                             CUDA_VISIBLE_DEVICES="1")
        self.assertEqual(len(lines), 1)
        self.assertNotIn("cuda:0", lines[0])
        self.assertEqual(lines[0].count("--worker-id"), 1)

    def test_sigterm_stops_every_worker_each_on_its_own_gpu(self):
        p = self.start([LAUNCH_LOCAL, "--bigpe", self.bigpe, "--service", "sim",
                        "--broker", "tcp://127.0.0.1:1"], self.env(CUDA_VISIBLE_DEVICES="0,1"))
        self.wait_for(lambda: len(self.records("worker")) == 2, "two workers")
        time.sleep(0.2)
        os.kill(p.pid, signal.SIGTERM)
        out, _ = p.communicate(timeout=20)
        self.assertEqual(p.returncode, 0, out)
        workers = self.records("worker")
        self.assertEqual(sorted(w["cvd"] for w in workers), ["0", "1"])
        for w in workers:
            self.assertIsNotNone(w["term"], "worker did not get SIGTERM")
            self.assertIn("--service", w["argv"])
            self.assertEqual(w["argv"][w["argv"].index("--device") + 1], "cuda:0")


class LaunchSlurm(Fakes):
    def slurm_env(self, **extra):
        env = self.env(SLURM_JOB_ID="42", SLURM_JOB_NODELIST="localhost", SLURM_JOB_NUM_NODES="1",
                       SLURM_GPUS_ON_NODE="2", BIGPE=self.bigpe, BIGPE_ROOT=ROOT,
                       BIGPE_CAMPAIGN="experiments/sim/table1.campaign.yaml",
                       BIGPE_RUN_DIR=os.path.join(self.tmp, "run"), BIGPE_SRUN_ARGS="",
                       BIGPE_REDIS_PORT=str(free_port()), BIGPE_CLIENT_PORT=str(free_port()),
                       BIGPE_WORKER_PORT=str(free_port()))
        env.update(extra)
        return env

    def test_script_parses(self):
        r = subprocess.run(["bash", "-n", LAUNCH_SLURM], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(LAUNCH_SLURM) as f:
            text = f.read()
        for directive in ("#SBATCH --requeue", "#SBATCH --signal=B:USR1@"):
            self.assertIn(directive, text)
        for var in ("BIGPE_CAMPAIGN", "BIGPE_RUN_DIR", "BIGPE_REDIS_PORT", "BIGPE_SERVICE",
                    "BIGPE_BACKEND", "BIGPE_MODEL", "BIGPE_WORKER_ARGS", "BIGPE_DRY_RUN"):
            self.assertRegex(text, rf"(?m)^#   {var} ", f"{var} is not documented")

    def dry_run(self, **env):
        r = subprocess.run([LAUNCH_SLURM], env=self.env(BIGPE_DRY_RUN="1", **env),
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_dry_run_plans_services_on_the_first_node_and_workers_on_every_node(self):
        run_dir = os.path.join(self.tmp, "run")
        plan = self.dry_run(SLURM_JOB_ID="7", SLURM_JOB_NODELIST="gpu[01-03],big7",
                            SLURM_JOB_NUM_NODES="4", SLURM_GPUS_PER_NODE="a100:2",
                            BIGPE_CAMPAIGN="experiments/sim/table1.campaign.yaml",
                            BIGPE_RUN_DIR=run_dir, BIGPE_MODEL="/models/m",
                            BIGPE_REDIS_PASSWORD="hunter2")
        lines = plan.splitlines()
        self.assertIn("nodes:      gpu01 gpu02 gpu03 big7 (4)", lines)
        self.assertTrue(any(ln.startswith(f"[gpu01] redis-server {run_dir}/redis/auth.conf "
                                          "--port 16379") for ln in lines))
        self.assertTrue(any(ln.startswith("[gpu01] ") and " broker --clients tcp://0.0.0.0:5555"
                            in ln for ln in lines))
        srun = next(ln for ln in lines if ln.startswith("[all nodes] srun "))
        self.assertIn("--nodes=4", srun)
        self.assertIn("--gpus-per-node=2", srun)
        workers = [ln for ln in lines if re.match(r"\[\w+\]   CUDA_VISIBLE_DEVICES=", ln)]
        self.assertEqual(len(workers), 8)
        for node in ("gpu01", "gpu02", "gpu03", "big7"):
            mine = [w for w in workers if w.startswith(f"[{node}]")]
            self.assertEqual(len(mine), 2)
            self.assertIn(f"--worker-id {node}-gpu1", mine[1])
            self.assertIn("--broker tcp://gpu01:5556", mine[0])
            self.assertIn("--model /models/m", mine[0])
        sched = next(ln for ln in lines if " campaign /" in ln)
        self.assertRegex(sched, r"^\[gpu01\] \S+ campaign \S+/experiments/sim/table1\.campaign\.yaml "
                                rf"--out {re.escape(run_dir)}/campaign redis=redis://gpu01:16379 "
                                r"broker=tcp://gpu01:5555 workers=remote$")
        self.assertNotIn("hunter2", plan)

    def test_dry_run_resumes_when_the_campaign_folder_exists(self):
        run_dir = os.path.join(self.tmp, "run")
        env = dict(SLURM_JOB_ID="7", SLURM_JOB_NODELIST="n1", BIGPE_CAMPAIGN="c.yaml",
                   BIGPE_RUN_DIR=run_dir)
        self.assertNotIn("--resume", self.dry_run(**env))
        os.makedirs(os.path.join(run_dir, "campaign"))
        open(os.path.join(run_dir, "campaign", "campaign.json"), "w").close()
        self.assertIn(" campaign /", self.dry_run(**env))
        self.assertRegex(self.dry_run(**env), r"campaign \S+c\.yaml --resume --out ")

    def test_usr1_stops_everything_in_order_and_requeues(self):
        p = self.start([LAUNCH_SLURM], self.slurm_env(BIGPE_REDIS_PASSWORD='hun"ter\\2'))
        self.wait_for(lambda: self.records("campaign") and len(self.records("worker")) == 2,
                      "campaign and two workers")
        time.sleep(0.3)
        os.kill(p.pid, signal.SIGUSR1)
        out, _ = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0, out)
        with open(os.path.join(self.log, "scontrol.args")) as f:
            self.assertEqual(f.read().split(), ["requeue", "42"])
        sched = self.records("campaign")[0]
        self.assertIn("workers=remote", sched["argv"])
        workers = self.records("worker")
        broker, redis = self.records("broker")[0], self.records("redis-server")[0]
        self.assertEqual(sorted(w["cvd"] for w in workers), ["0", "1"])
        for r in [sched, broker, redis] + workers:
            self.assertIsNotNone(r["term"], f"{r['argv'][:1]} was not stopped")
        # The password is in no command line, only in a private file.
        for r in [sched, broker, redis] + workers:
            self.assertNotIn("hun", " ".join(r["argv"]))
        auth = os.path.join(self.tmp, "run", "redis", "auth.conf")
        self.assertEqual(os.stat(auth).st_mode & 0o777, 0o600)
        with open(auth) as f:
            self.assertEqual(f.read(), 'requirepass "hun\\"ter\\\\2"\n')
        # Scheduler first, then workers, then broker, Redis last.
        self.assertLess(sched["term"], min(w["term"] for w in workers))
        self.assertLess(max(w["term"] for w in workers), broker["term"])
        self.assertLess(broker["term"], redis["term"])

    def test_a_finished_campaign_is_exported_before_redis_stops(self):
        p = self.start([LAUNCH_SLURM], self.slurm_env(FAKE_CAMPAIGN_SECONDS="0.5"))
        out, _ = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0, out)
        run_dir = os.path.join(self.tmp, "run")
        self.assertEqual(self.records("export")[0]["argv"],
                         ["export", f"{run_dir}/campaign", "--out", f"{run_dir}/export", "--force"])
        redis = self.records("redis-server")[0]
        self.assertLess(os.path.getmtime(glob.glob(os.path.join(self.log, "export-*.json"))[0]),
                        redis["term"])

    def test_a_failed_campaign_stops_the_services_and_passes_its_status(self):
        p = self.start([LAUNCH_SLURM], self.slurm_env(FAKE_CAMPAIGN_SECONDS="1",
                                                      FAKE_CAMPAIGN_EXIT="3"))
        out, _ = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 3, out)
        self.assertFalse(os.path.exists(os.path.join(self.log, "scontrol.args")))
        self.assertEqual(self.records("export"), [])  # a failed campaign is not exported
        for role in ("worker", "broker", "redis-server"):
            for r in self.records(role):
                self.assertIsNotNone(r["term"], f"{role} was not stopped")


if __name__ == "__main__":
    unittest.main(verbosity=2)
