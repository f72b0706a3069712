#!/usr/bin/python3
"""`bigpe serve` in headless Chromium (Debian's chromium), against a real
run: the index's progress bar moves between two DOM snapshots of a running
run (the second taken once the JSON shows another iteration done: no sleeps),
and on the experiment page, once the run has stopped, the curve has as many
points as iterations finished, the lineage shows every instruction, and the
image grid's images all load. Each page writes what it drew into #check /
data attributes; Chromium dumps the DOM and the test reads them.
Exits 77 (CTest: skipped) when chromium is missing."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BIGPE = os.environ.get("BIGPE_EXE", os.path.join(ROOT, "build", "bigpe"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM:
    print("SKIP: chromium not installed (apt-get install chromium; scripts/setup installs it)")
    sys.exit(77)
if not os.path.exists("/usr/share/javascript/chart.js/chart.min.js"):
    print("SKIP: libjs-chart.js not installed (scripts/setup installs it)")
    sys.exit(77)


def dump_dom(url, profile):
    r = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         f"--user-data-dir={profile}", "--virtual-time-budget=5000", "--dump-dom", url],
        capture_output=True, text=True, timeout=90)
    if r.returncode != 0 or "<html" not in r.stdout.lower():
        raise AssertionError(f"chromium exit {r.returncode}: {r.stderr[-1500:]}")
    return r.stdout


def get_json(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.load(r)


class ServeInChromium(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="bigpe-serve-chromium-")
        cls.profile = os.path.join(cls.tmp, "profile")
        runs = os.path.join(cls.tmp, "runs")
        os.makedirs(runs)
        cls.bigpe_run = subprocess.Popen(
            [BIGPE, "--log-level", "warn", "run", os.path.join(ROOT, "experiments/quickstart.yaml"),
             "iterations=100000", "batch_size=1", "sim.cost_ms=5", "out=" + os.path.join(runs, "live")],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cls.serve = subprocess.Popen([BIGPE, "serve", "--runs", runs, "--listen", "127.0.0.1:0"],
                                     cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = cls.serve.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        if not m:
            raise AssertionError("bigpe serve printed no URL: " + line)
        cls.url = m.group(1)

    @classmethod
    def tearDownClass(cls):
        for p in (cls.bigpe_run, cls.serve):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait(timeout=120)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def iterations_done(self):
        try:
            j = get_json(self.url + "api/experiments")
        except urllib.error.HTTPError as e:
            if e.code == 503:  # the run folder is starting up (locked, no live.json yet)
                return -1
            raise
        if not j["experiments"] or j["experiments"][0]["status"] != "running":
            return -1
        return j["experiments"][0]["iterations_done"]

    def progress_in_dom(self):
        dom = dump_dom(self.url, self.profile)
        m = re.search(r'<tr class="experiment"[^>]*data-iterations-done="(\d+)".*?data-progress="([0-9.e-]+)"',
                      dom, re.S)
        self.assertIsNotNone(m, dom[-2000:])
        return int(m.group(1)), float(m.group(2))

    def test_progress_moves_then_the_stopped_runs_page_shows_everything(self):
        done = -1
        for _ in range(20000):  # bounded: until one iteration is done
            done = self.iterations_done()
            if done >= 1 or self.bigpe_run.poll() is not None:
                break
        self.assertGreaterEqual(done, 1)
        first_it, first_progress = self.progress_in_dom()
        for _ in range(20000):  # until the JSON shows another iteration
            if self.iterations_done() > first_it or self.bigpe_run.poll() is not None:
                break
        second_it, second_progress = self.progress_in_dom()
        self.assertGreater(second_it, first_it)
        self.assertGreater(second_progress, first_progress)

        self.bigpe_run.send_signal(signal.SIGTERM)
        self.assertEqual(self.bigpe_run.wait(timeout=120), 128 + signal.SIGTERM)
        exp = get_json(self.url + "api/experiments")["experiments"][0]
        self.assertEqual(exp["status"], "stopped")
        detail = get_json(self.url + "api/experiments/" + exp["id"])
        dom = dump_dom(self.url + "experiments/" + exp["id"], self.profile)
        check = re.search(r'<p id="check"[^>]*>', dom)
        self.assertIsNotNone(check, dom[-2000:])
        attrs = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', check.group(0)))
        self.assertEqual(int(attrs["iterations"]), exp["iterations_done"])
        self.assertEqual(int(attrs["points"]), exp["iterations_done"])
        lineage = set(re.findall(r'<li class="instr[^"]*" data-id="([^"]+)"', dom))
        self.assertEqual(lineage, {n["id"] for n in detail["lineage"]})
        self.assertGreater(int(attrs["images-total"]), 0)
        self.assertEqual(attrs["images-loaded"], attrs["images-total"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
