#!/usr/bin/python3
"""The gallery opened in headless Chromium (Debian's chromium): every image
on every page loads. Each page counts, on its load event, the images that
are complete with a natural width > 0 into #image-check; Chromium dumps the
DOM and the test reads the counts. A broken image must be caught (negative
control). Exits 77 (CTest: skipped) when chromium or pandas is missing."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "scripts"))

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM:
    print("SKIP: chromium not installed (apt-get install chromium; scripts/setup installs it)")
    sys.exit(77)
try:
    import pandas  # noqa: F401
    import matplotlib  # noqa: F401
    import scipy  # noqa: F401
except ImportError as e:
    print(f"SKIP: {e}; install python3-pandas python3-matplotlib python3-scipy (scripts/setup)")
    sys.exit(77)

from make_fixture import make_fixture  # noqa: E402
from bigpe_aggregate import cli  # noqa: E402


def image_check(page, profile_dir):
    """(loaded, total) as the page's own script counted them in Chromium."""
    r = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--allow-file-access-from-files", f"--user-data-dir={profile_dir}",
         "--virtual-time-budget=10000", "--dump-dom", "file://" + os.path.abspath(page)],
        capture_output=True, text=True, timeout=90)
    m = re.search(r'<p id="image-check"[^>]*\bdata-loaded="(\d+)"[^>]*\bdata-total="(\d+)"',
                  r.stdout)
    if not m:
        raise AssertionError(f"no image count in the DOM of {page} (chromium exit {r.returncode})"
                             f"\nstdout: {r.stdout[-1500:]}\nstderr: {r.stderr[-1500:]}")
    return int(m.group(1)), int(m.group(2))


class GalleryInChromium(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="bigpe-gallery-")
        cls.rows = make_fixture(os.path.join(cls.tmp, "export"), seed=3)
        out = os.path.join(cls.tmp, "report")
        cli.run(cli.parse_args([os.path.join(cls.tmp, "export"), "--out", out,
                                "--lineage", "none", "--quiet"]))
        # Moved after writing: relative paths must keep working.
        cls.gallery = os.path.join(cls.tmp, "moved-gallery")
        shutil.move(os.path.join(out, "gallery"), cls.gallery)
        shutil.rmtree(os.path.join(cls.tmp, "export"))
        cls.profile = os.path.join(cls.tmp, "chromium-profile")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_every_image_of_every_page_loads_after_the_folder_is_moved(self):
        pages = sorted(p for p in os.listdir(self.gallery) if p.endswith(".html"))
        self.assertEqual(len(pages), 3)  # index + first repeat of each of 2 cells
        for p in pages:
            loaded, total = image_check(os.path.join(self.gallery, p), self.profile)
            expected = 0 if p == "index.html" else 16  # 4 queries x 4 methods
            self.assertEqual((loaded, total), (expected, expected), p)

    def test_a_missing_image_is_detected(self):
        page = next(p for p in sorted(os.listdir(self.gallery)) if p.startswith("fixture-"))
        broken = os.path.join(self.tmp, "broken")
        shutil.copytree(self.gallery, broken)
        victim = sorted(os.listdir(os.path.join(broken, "images", page[:-5])))[0]
        os.remove(os.path.join(broken, "images", page[:-5], victim))
        self.assertEqual(image_check(os.path.join(broken, page), self.profile), (15, 16))


if __name__ == "__main__":
    unittest.main(verbosity=2)
