#!/usr/bin/python3
"""scripts/timeline: a hand-made trace drawn as an SVG, with LLM calls
packed onto the fewest rows, one row per worker, an iteration window, and
errors that name the line of a bad event."""
import json
import os
import re
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIMELINE = os.path.join(ROOT, "scripts", "timeline")


def run(trace_lines, *args):
    with tempfile.TemporaryDirectory() as d:
        trace = os.path.join(d, "timeline.jsonl")
        with open(trace, "w", encoding="utf-8") as f:
            f.write("\n".join(trace_lines) + "\n")
        out = os.path.join(d, "t.svg")
        p = subprocess.run([TIMELINE, trace, "--out", out, *args], capture_output=True, text=True)
        svg = open(out, encoding="utf-8").read() if os.path.exists(out) else ""
        return p, svg


def event(lane, what, start, end):
    return json.dumps({"lane": lane, "what": what, "start": start, "end": end})


TRACE = [
    event("loop", "iteration 1", 100.0, 104.0),
    event("loop", "iteration 2", 104.0, 110.0),
    # Two calls overlap, the third starts after the first ended: two rows.
    event("llm", "generator", 100.0, 101.5),
    event("llm", "generator", 100.5, 102.0),
    event("llm", "gradient", 101.5, 103.0),
    event("worker:w0", "render", 102.0, 102.05),
    event("worker:w1", "render", 102.0, 102.05),
    event("llm", "modifier", 105.0, 106.5),
]


class Timeline(unittest.TestCase):
    def test_calls_are_packed_and_workers_get_a_row_each(self):
        p, svg = run(TRACE)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("(2 at most)", svg)
        self.assertIn("(2, one row each)", svg)
        self.assertEqual(len(re.findall(r'fill="#4e79a7"', svg)), 2 + 1)  # two generator calls + legend
        self.assertEqual(len(re.findall(r'fill="#e15759"', svg)), 2 + 1)  # two renders + legend

    def test_an_iteration_window_leaves_out_what_lies_outside_it(self):
        p, svg = run(TRACE, "--iteration", "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(re.findall(r'fill="#59a14f"', svg)), 1)  # the modifier (iteration 2): legend only
        self.assertIn("iteration 1", svg)
        p, _ = run(TRACE, "--iteration", "3")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("iterations 1 to 2", p.stderr)

    def test_a_bad_line_is_named(self):
        p, _ = run(TRACE[:2] + ['{"lane": "llm", "start": 1}'])
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("line 3", p.stderr)


if __name__ == "__main__":
    unittest.main()
