#!/usr/bin/python3
"""scripts/launch-local and scripts/launch-slurm, with fakes for what needs a
GPU or Slurm: `nvidia-smi`, `srun` (runs its command here, as one node) and
`scontrol`, and a recording `bigpe` for the worker, campaign and export
roles (its broker and status roles are the real bigpe). The fakes record
their arguments, environment and the signals they get in a log folder.
Redis is a real redis-server; the LaunchSlurmReal and LaunchLocalReal cases
run everything for real (workers, campaign, export) on loopback. The real
bigpe is BIGPE_EXE (set by CTest); without it those cases are skipped."""
import glob
import json
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
REAL_BIGPE = os.environ.get("BIGPE_EXE", "")
NEEDS_BIGPE = unittest.skipUnless(REAL_BIGPE and os.access(REAL_BIGPE, os.X_OK),
                                  "BIGPE_EXE (the built bigpe) is not set")

# A fake bigpe: records argv and CUDA_VISIBLE_DEVICES and on SIGTERM writes
# a marker with the time and exits. `campaign` exits by itself after
# FAKE_CAMPAIGN_SECONDS. The broker and status roles are the real bigpe
# (FAKE_REAL_BIGPE), which launch-slurm checks the identity of.
FAKE_PROCESS = textwrap.dedent(r'''
    #!/usr/bin/python3
    import json, os, signal, sys, time
    log = os.environ["FAKE_LOG"]
    args = sys.argv[1:]
    if args[:1] == ["--log-level"]:
        args = args[2:]
    role = args[0]
    if role in ("broker", "status"):
        os.execv(os.environ["FAKE_REAL_BIGPE"], [os.environ["FAKE_REAL_BIGPE"]] + sys.argv[1:])
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
    if role not in ("worker", "campaign"):
        sys.exit(0)  # export: done at once
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
            if p.stdout:
                p.stdout.close()
        subprocess.run(["rm", "-rf", self.tmp])

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SLURM_", "BIGPE")) and k != "CUDA_VISIBLE_DEVICES"}
        env["PATH"] = self.bin + ":/usr/bin:/bin"
        env["FAKE_LOG"] = self.log
        env["FAKE_REAL_BIGPE"] = REAL_BIGPE
        env.update(extra)
        return env

    def start(self, cmd, env):
        p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, start_new_session=True)
        self.procs.append(p)
        return p

    def records(self, role):
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

    def test_scorers_and_their_folders_pass_through_each_folder_its_own_flag(self):
        lines = self.dry_run("--service", "turbo", "--backend", "torchscript-sd", "--model", "/models/sd",
                             "--scorer", "hpsv2,pickscore", "--scorer-model", "/models/hps",
                             "--scorer-model", "/models/pick", CUDA_VISIBLE_DEVICES="0,1")
        self.assertEqual(len(lines), 2)
        for ln in lines:
            self.assertIn(r" --scorer hpsv2\,pickscore --scorer-model /models/hps --scorer-model /models/pick ", ln)

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


# The quickstart cut to a few renders, as a campaign of one experiment.
TINY_CAMPAIGN = textwrap.dedent(f"""
    name: tiny
    base: {ROOT}/experiments/quickstart.yaml
    set: {{iterations: 1, batch_size: 1, sim.cost_ms: 0, eval.seeds: 1, queries.heldout: 2,
           write_images: false}}
    variants:
      - name: ucb
        set: {{selector.kind: ucb}}
""").lstrip()


class SlurmFakes(Fakes):
    def slurm_env(self, **extra):
        env = self.env(SLURM_JOB_ID="42", SLURM_JOB_NODELIST="localhost", SLURM_JOB_NUM_NODES="1",
                       SLURM_GPUS_ON_NODE="2", BIGPE=self.bigpe, BIGPE_ROOT=ROOT,
                       BIGPE_CAMPAIGN="experiments/sim/table1.campaign.yaml",
                       BIGPE_RUN_DIR=os.path.join(self.tmp, "run"), BIGPE_SRUN_ARGS="",
                       BIGPE_BIND="127.0.0.1", BIGPE_HEAD="127.0.0.1")
        env.update(extra)
        return env

    def stops(self, output):
        """(what, pid) of each "stopping X (pid N)" line, in order."""
        return [(m.group(1), int(m.group(2)))
                for m in re.finditer(r"launch-slurm: stopping (\S+) \(pid (\d+)\)", output)]

    def assert_gone(self, pid, what):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        self.fail(f"{what} (pid {pid}) still runs")


class LaunchSlurm(SlurmFakes):
    def test_script_parses(self):
        r = subprocess.run(["bash", "-n", LAUNCH_SLURM], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(LAUNCH_SLURM) as f:
            text = f.read()
        for directive in ("#SBATCH --requeue", "#SBATCH --signal=B:USR1@", "#SBATCH --cpus-per-task=",
                          "#SBATCH --mem="):
            self.assertIn(directive, text)
        for var in ("BIGPE_CAMPAIGN", "BIGPE_RUN_DIR", "BIGPE_REDIS_PORT", "BIGPE_SERVICE",
                    "BIGPE_BACKEND", "BIGPE_MODEL", "BIGPE_SCORER_MODEL", "BIGPE_SCORER", "BIGPE_WORKER_ARGS",
                    "BIGPE_BIND", "BIGPE_MAX_FAST_FAILURES", "BIGPE_DRY_RUN"):
            self.assertRegex(text, rf"(?m)^#   {var} ", f"{var} is not documented")

    def dry_run(self, **env):
        r = subprocess.run([LAUNCH_SLURM], env=self.env(BIGPE_DRY_RUN="1", **env),
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_dry_run_plans_services_on_the_first_node_and_workers_on_every_node(self):
        run_dir = os.path.join(self.tmp, "run")
        plan = self.dry_run(SLURM_JOB_ID="7", SLURM_JOB_NODELIST="gpu[01-03],big7",
                            SLURM_JOB_NUM_NODES="4", SLURM_GPUS_PER_NODE="a100:2", SLURM_CPUS_PER_TASK="12",
                            BIGPE_CAMPAIGN="experiments/sim/table1.campaign.yaml",
                            BIGPE_RUN_DIR=run_dir, BIGPE_BACKEND="torchscript-sd", BIGPE_MODEL="/models/m",
                            BIGPE_SCORER_MODEL="/models/hps", BIGPE_REDIS_PASSWORD="hunter2")
        lines = plan.splitlines()
        self.assertIn("nodes:      gpu01 gpu02 gpu03 big7 (4)", lines)
        # Ports are picked when the job starts: the plan names them.
        self.assertTrue(any(ln.startswith(f"[gpu01] redis-server {run_dir}/redis/auth.conf "
                                          "--port <redis-port> ") for ln in lines), plan)
        self.assertTrue(any(ln.startswith("[gpu01] ") and r" broker --clients tcp://0.0.0.0:\*"
                            in ln for ln in lines), plan)
        srun = next(ln for ln in lines if ln.startswith("[all nodes] srun "))
        self.assertIn("--nodes=4", srun)
        self.assertIn("--gpus-per-node=2", srun)
        self.assertIn("--cpus-per-task=12", srun)
        self.assertIn("--restart --max-fast-failures 3 ", srun)
        workers = [ln for ln in lines if re.match(r"\[\w+\]   CUDA_VISIBLE_DEVICES=", ln)]
        self.assertEqual(len(workers), 8)
        for node in ("gpu01", "gpu02", "gpu03", "big7"):
            mine = [w for w in workers if w.startswith(f"[{node}]")]
            self.assertEqual(len(mine), 2)
            self.assertIn(f"--worker-id {node}-gpu1", mine[1])
            self.assertIn("--broker tcp://gpu01:<worker-port>", mine[0])
            self.assertIn("--model /models/m --scorer-model /models/hps", mine[0])
        sched = next(ln for ln in lines if " campaign /" in ln)
        self.assertRegex(sched, r"^\[gpu01\] \S+ campaign \S+/experiments/sim/table1\.campaign\.yaml "
                                rf"--out {re.escape(run_dir)}/campaign redis=redis://gpu01:<redis-port> "
                                r"broker=tcp://gpu01:<client-port> workers=remote$")
        self.assertNotIn("hunter2", plan)

    def test_several_scorer_folders_become_one_flag_each_and_the_scorer_list_is_passed(self):
        plan = self.dry_run(SLURM_JOB_ID="7", SLURM_JOB_NODELIST="n1", SLURM_GPUS_ON_NODE="2",
                            BIGPE_CAMPAIGN="c.yaml", BIGPE_BACKEND="torchscript-sd", BIGPE_MODEL="/models/m",
                            BIGPE_SCORER_MODEL="/models/hps,/models/pick", BIGPE_SCORER="hpsv2,pickscore")
        srun = next(ln for ln in plan.splitlines() if ln.startswith("[all nodes] srun "))
        workers = [ln for ln in plan.splitlines() if ln.startswith("[n1]   CUDA_VISIBLE_DEVICES=")]
        self.assertEqual(len(workers), 2, plan)
        for ln in [srun] + workers:
            self.assertIn(r" --model /models/m --scorer hpsv2\,pickscore "
                          "--scorer-model /models/hps --scorer-model /models/pick ", ln)

    def test_an_empty_scorer_folder_in_the_list_is_refused_before_anything_starts(self):
        r = subprocess.run([LAUNCH_SLURM], env=self.env(BIGPE_DRY_RUN="1", SLURM_JOB_ID="7",
                                                        SLURM_JOB_NODELIST="n1", BIGPE_CAMPAIGN="c.yaml",
                                                        BIGPE_BACKEND="torchscript-sd", BIGPE_MODEL="/models/m",
                                                        BIGPE_SCORER_MODEL="/models/hps,"),
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertIn("BIGPE_SCORER_MODEL=/models/hps,: an empty folder in the list", r.stderr)

    def test_dry_run_with_fixed_ports_uses_them(self):
        plan = self.dry_run(SLURM_JOB_ID="7", SLURM_JOB_NODELIST="n1", BIGPE_CAMPAIGN="c.yaml",
                            BIGPE_REDIS_PORT="16379", BIGPE_CLIENT_PORT="5555", BIGPE_WORKER_PORT="5556")
        self.assertIn(" redis=redis://n1:16379 broker=tcp://n1:5555 workers=remote", plan)
        self.assertIn(" --port 16379 ", plan)
        self.assertIn(" broker --clients tcp://0.0.0.0:5555 --workers tcp://0.0.0.0:5556", plan)

    def test_torchscript_workers_without_both_model_folders_are_refused_before_anything_starts(self):
        r = subprocess.run([LAUNCH_SLURM], env=self.env(BIGPE_DRY_RUN="1", SLURM_JOB_ID="7",
                                                        SLURM_JOB_NODELIST="n1", BIGPE_CAMPAIGN="c.yaml",
                                                        BIGPE_BACKEND="torchscript-sd",
                                                        BIGPE_MODEL="/models/sdxl-turbo"),
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertIn("BIGPE_BACKEND=torchscript-sd needs BIGPE_SCORER_MODEL (the exported HPS v2 folder, "
                      "--scorer-model)", r.stderr)

    def test_dry_run_resumes_when_the_campaign_folder_exists(self):
        run_dir = os.path.join(self.tmp, "run")
        env = dict(SLURM_JOB_ID="7", SLURM_JOB_NODELIST="n1", BIGPE_CAMPAIGN="c.yaml",
                   BIGPE_RUN_DIR=run_dir)
        self.assertNotIn("--resume", self.dry_run(**env))
        os.makedirs(os.path.join(run_dir, "campaign"))
        open(os.path.join(run_dir, "campaign", "campaign.json"), "w").close()
        self.assertIn(" campaign /", self.dry_run(**env))
        self.assertRegex(self.dry_run(**env), r"campaign \S+c\.yaml --resume --out ")

    @NEEDS_BIGPE
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
        self.assertEqual(sorted(w["cvd"] for w in workers), ["0", "1"])
        for r in [sched] + workers:
            self.assertIsNotNone(r["term"], f"{r['argv'][:1]} was not stopped")
        # The password is in no command line, only in a private file (and
        # Redis took it: the job's identity checks passed through AUTH).
        for r in [sched] + workers:
            self.assertNotIn("hun", " ".join(r["argv"]))
        auth = os.path.join(self.tmp, "run", "redis", "auth.conf")
        self.assertEqual(os.stat(auth).st_mode & 0o777, 0o600)
        with open(auth) as f:
            self.assertEqual(f.read(), 'requirepass "hun\\"ter\\\\2"\n')
        # Scheduler first, then workers, then broker, Redis last; each is
        # gone before the next is stopped.
        stops = self.stops(out)
        self.assertEqual([what for what, _ in stops], ["scheduler", "workers", "broker", "redis-server"], out)
        self.assertLess(sched["term"], min(w["term"] for w in workers))
        for what, pid in stops:
            self.assert_gone(pid, what)

    @NEEDS_BIGPE
    def test_a_finished_campaign_is_exported_before_redis_stops(self):
        p = self.start([LAUNCH_SLURM], self.slurm_env(FAKE_CAMPAIGN_SECONDS="0.5"))
        out, _ = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0, out)
        run_dir = os.path.join(self.tmp, "run")
        self.assertEqual(self.records("export")[0]["argv"],
                         ["export", f"{run_dir}/campaign", "--out", f"{run_dir}/export", "--force"])
        self.assertLess(out.index("exporting the campaign"), out.index("stopping redis-server"), out)

    @NEEDS_BIGPE
    def test_a_failed_campaign_stops_the_services_and_passes_its_status(self):
        p = self.start([LAUNCH_SLURM], self.slurm_env(FAKE_CAMPAIGN_SECONDS="1",
                                                      FAKE_CAMPAIGN_EXIT="3"))
        out, _ = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 3, out)
        self.assertFalse(os.path.exists(os.path.join(self.log, "scontrol.args")))
        self.assertEqual(self.records("export"), [])  # a failed campaign is not exported
        for r in self.records("worker"):
            self.assertIsNotNone(r["term"], "a worker was not stopped")
        stops = self.stops(out)
        self.assertEqual([what for what, _ in stops], ["workers", "broker", "redis-server"], out)
        for what, pid in stops:
            self.assert_gone(pid, what)


@NEEDS_BIGPE
class LaunchSlurmReal(SlurmFakes):
    """Everything real but Slurm: redis-server, broker, workers (sim, on the
    CPU), campaign and export, all on 127.0.0.1."""

    def setUp(self):
        super().setUp()
        os.remove(self.bigpe)  # the real one only
        self.campaign = os.path.join(self.tmp, "tiny.campaign.yaml")
        with open(self.campaign, "w") as f:
            f.write(TINY_CAMPAIGN)

    def job_env(self, job, **extra):
        return self.slurm_env(SLURM_JOB_ID=str(job), SLURM_GPUS_ON_NODE="0", BIGPE=REAL_BIGPE,
                              BIGPE_CAMPAIGN=self.campaign, BIGPE_RUN_DIR=os.path.join(self.tmp, f"run{job}"),
                              **extra)

    def endpoints(self, output):
        m = re.search(r"launch-slurm: redis (redis://\S+) \(pid \d+\), broker (tcp://\S+) / (tcp://\S+) "
                      r"\(id ([0-9a-f]+)\)", output)
        self.assertIsNotNone(m, output)
        return m.groups()

    def test_two_jobs_on_one_node_each_run_on_their_own_redis_and_broker(self):
        jobs = [self.start([LAUNCH_SLURM], self.job_env(job)) for job in (1, 2)]
        outs = [p.communicate(timeout=170)[0] for p in jobs]
        for p, out in zip(jobs, outs):
            self.assertEqual(p.returncode, 0, out)
        # What each campaign ran against, from its experiment's run.json.
        used = []
        for job in (1, 2):
            with open(os.path.join(self.tmp, f"run{job}", "campaign", "experiments", "ucb.r0", "run.json")) as f:
                config = json.load(f)["config"]
            used.append((config["redis"], config["broker"]))
            # It finished on its own Redis and was exported from it.
            with open(os.path.join(self.tmp, f"run{job}", "export", "experiments.jsonl")) as f:
                self.assertEqual(len(f.read().splitlines()), 1)
        self.assertNotEqual(used[0][0], used[1][0], "both jobs used one Redis")
        self.assertNotEqual(used[0][1], used[1][1], "both jobs used one broker")
        for out, (redis_url, broker) in zip(outs, used):
            self.assertEqual(self.endpoints(out)[:2], (redis_url, broker), out)

    def test_a_redis_of_someone_else_on_the_fixed_port_is_refused(self):
        port = free_port()
        data = os.path.join(self.tmp, "foreign")
        os.makedirs(data)
        foreign = self.start(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", data,
                              "--save", ""], self.env())
        self.wait_for(lambda: subprocess.run(["redis-cli", "-p", str(port), "PING"], capture_output=True,
                                             text=True).stdout.strip() == "PONG", "the foreign redis-server")
        p = self.start([LAUNCH_SLURM], self.job_env(3, BIGPE_REDIS_PORT=str(port)))
        out, _ = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 1, out)
        self.assertIn(f"redis-server could not listen on port {port} (another process", out)
        self.assertNotIn("scheduler: bigpe campaign", out)
        keys = subprocess.run(["redis-cli", "-p", str(port), "DBSIZE"], capture_output=True, text=True)
        self.assertEqual(keys.stdout.strip(), "0", "the job wrote into a Redis not its own")
        foreign.terminate()

    def test_a_broker_of_someone_else_on_the_fixed_port_is_refused(self):
        ports = [free_port(), free_port()]
        foreign = self.start([REAL_BIGPE, "broker", "--clients", f"tcp://127.0.0.1:{ports[0]}",
                              "--workers", f"tcp://127.0.0.1:{ports[1]}"], self.env())
        self.assertTrue(foreign.stdout.readline().startswith("broker clients="))  # bound
        p = self.start([LAUNCH_SLURM], self.job_env(4, BIGPE_CLIENT_PORT=str(ports[0]),
                                                    BIGPE_WORKER_PORT=str(ports[1])))
        out, _ = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 1, out)
        self.assertIn(f"broker did not start (are its ports taken? BIGPE_CLIENT_PORT={ports[0]}", out)
        self.assertNotIn("scheduler: bigpe campaign", out)
        foreign.terminate()

    def test_workers_that_cannot_start_are_given_up_and_the_campaign_stops(self):
        p = self.start([LAUNCH_SLURM], self.job_env(5, BIGPE_BACKEND="torchscript-sd",
                                                    BIGPE_MODEL=os.path.join(self.tmp, "no-sd"),
                                                    BIGPE_SCORER_MODEL=os.path.join(self.tmp, "no-hps")))
        out, _ = p.communicate(timeout=120)
        self.assertEqual(p.returncode, 1, out)
        # The worker says why, launch-local gives it up, and the job stops
        # the campaign instead of waiting for a worker that never comes.
        self.assertIn("worker: cannot start: model folder", out)
        self.assertEqual(out.count("launch-local: worker cpu0 started"), 3, out)
        self.assertIn("launch-local: worker cpu0 failed 3 times in a row", out)
        self.assertIn("launch-slurm: the workers' step ended (exit 1): no worker is left to render", out)
        self.assertEqual([what for what, _ in self.stops(out)], ["scheduler", "broker", "redis-server"], out)


@NEEDS_BIGPE
class LaunchLocalReal(Fakes):
    def test_a_worker_that_cannot_start_is_restarted_a_few_times_and_says_why(self):
        logs = os.path.join(self.tmp, "logs")
        p = self.start([LAUNCH_LOCAL, "--bigpe", REAL_BIGPE, "--restart", "--log-dir", logs,
                        "--broker", "tcp://127.0.0.1:1", "--no-persist", "--service", "sdxl-turbo+hpsv2",
                        "--backend", "torchscript-sd", "--model", os.path.join(self.tmp, "sd")], self.env())
        out, _ = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 1, out)
        self.assertEqual(out.count("launch-local: worker cpu0 started"), 3, out)
        self.assertIn("launch-local: worker cpu0: ", out)  # its own last words, from its log
        self.assertIn("needs --scorer-model DIR (the exported HPS v2 folder)", out)
        self.assertIn("not restarting it", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
