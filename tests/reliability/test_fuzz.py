"""The atheris reader fuzzer (``fuzz/readers.py``), run for a bounded time: no crash.

``MW_FUZZ_SECONDS`` sets the budget (default 30 s). A crash fails the test
with the fuzzer's report, which names the input; atheris writes it as
``crash-*`` in the working directory (here the test's temporary directory),
and that input should become a regression test in ``test_hostile.py``.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.reliability.helpers import PYTHON, REPO

pytestmark = pytest.mark.slow

SECONDS = int(os.environ.get("MW_FUZZ_SECONDS", "30"))


def test_reader_fuzzer_finds_no_crash(tmp_path):
    pytest.importorskip("atheris")
    proc = subprocess.run(
        [
            PYTHON,
            str(REPO / "fuzz" / "readers.py"),
            f"-max_total_time={SECONDS}",
            "-rss_limit_mb=2048",
            "-timeout=30",
            str(tmp_path / "corpus"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=SECONDS + 240,
    )
    report = proc.stderr[-4000:]
    assert proc.returncode == 0, f"the fuzzer found a crash:\n{report}"
    assert "Done " in proc.stderr and "runs in" in proc.stderr, report
    assert not list(tmp_path.glob("crash-*")) and not list(tmp_path.glob("timeout-*"))
