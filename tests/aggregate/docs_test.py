#!/usr/bin/python3
"""What the documents promise a new user about the real models: every
documented command line that starts a torchscript-sd worker gives it both
model folders (a worker without --scorer-model exits at once, and the docs'
examples used to omit it), and docs/models.md says how to build a CUDA
worker, what BIGPE_MODELS_TORCH_LIB does and where the HPS v2 checkpoint and
the Lexica prompts come from."""
import glob
import os
import re
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCUMENTS = ([os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
             + [os.path.join(ROOT, "scripts", n) for n in ("launch-local", "launch-slurm")]
             + sorted(glob.glob(os.path.join(ROOT, "experiments", "paper", "*.yaml"))))


def command_lines(text):
    """Lines joined across trailing backslashes, comment markers dropped."""
    out, current = [], ""
    for line in text.splitlines():
        line = re.sub(r"^\s*#\s?", "", line)
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        out.append(current + line)
        current = ""
    return out


class WorkerCommands(unittest.TestCase):
    def test_every_torchscript_worker_gets_its_scorer_model(self):
        checked = 0
        for path in DOCUMENTS:
            with open(path, encoding="utf-8") as f:
                lines = command_lines(f.read())
            for line in lines:
                if "--backend torchscript-sd" in line:
                    checked += 1
                    self.assertIn("--scorer-model", line, f"{os.path.relpath(path, ROOT)}: {line.strip()}")
                if "BIGPE_BACKEND=torchscript-sd" in line and "needs" not in line:  # not the refusal's text
                    checked += 1
                    self.assertIn("BIGPE_SCORER_MODEL=", line, f"{os.path.relpath(path, ROOT)}: {line.strip()}")
        self.assertGreater(checked, 4, "no torchscript-sd command lines found: did the documents move?")


class ModelsDocument(unittest.TestCase):
    def setUp(self):
        with open(os.path.join(ROOT, "docs", "models.md"), encoding="utf-8") as f:
            self.text = f.read()

    def section(self, heading):
        m = re.search(rf"(?ms)^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", self.text)
        self.assertIsNotNone(m, f"docs/models.md has no section '## {heading}'")
        return m.group(1)

    def test_building_a_cuda_worker(self):
        text = self.section("Building a CUDA `bigpe worker`")
        for needed in ("CMAKE_PREFIX_PATH", "torch.utils.cmake_prefix_path", "cxx11", "nvcc",
                       "BIGPE_MODELS_TORCH_LIB", "libbigpe_models_torch.so"):
            self.assertIn(needed, text)

    def test_exporters_packages_and_sources(self):
        exporting = self.section("Exporting")
        for package in ("diffusers", "transformers", "hpsv2", "open_clip_torch"):
            self.assertIn(package, exporting)
        sources = self.section("Where the weights and data come from")
        for needed in ("HPS_v2_compressed.pt", "xswu/HPSv2", "stabilityai/sdxl-turbo",
                       "slark-prime/MAAI_Optimizer", "lexica_prompts.jsonl", "professional.path"):
            self.assertIn(needed, sources)

    def test_workers_by_hand_and_the_one_gpu_box_heading(self):
        self.assertIn("--scorer-model", self.section("Starting workers by hand"))
        self.section("One GPU box: the embedded default with real models")


if __name__ == "__main__":
    unittest.main(verbosity=2)
