"""What every benchmark shares: the machine it ran on, and measured subprocesses.

Each measured side runs in its own Python subprocess (``bench.child``), so
one side's model, caches and heap cannot flatter or burden the other, and
peak memory is the side's own. Peak memory is read three ways, because each
one misses something:

* ``self_peak_rss_mb``: the child's own VmHWM (exact, the kernel's high-water mark);
* ``workers_peak_rss_mb``: ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` inside the
  child, the largest of the worker processes it waited for (exact per worker);
* ``tree_peak_rss_mb``: the sum of RSS over the child's whole process tree,
  sampled every 100 ms by the parent (what the machine had to hold at once;
  may miss a spike shorter than the interval).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import psutil

REPO = Path(__file__).resolve().parent.parent
RESULT_MARK = "BENCH-RESULT "
SAMPLE_SECONDS = 0.1


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> dict[str, Any]:
    """The machine and its load: numbers mean little without them."""
    load1, load5, load15 = os.getloadavg()
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _git_commit(),
        "load_average_at_start": [round(load1, 2), round(load5, 2), round(load15, 2)],
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def vm_hwm_mb() -> float:
    """This process's peak resident set (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def children_peak_mb() -> float:
    """The largest peak RSS of any child this process has waited for (Linux reports KB)."""
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


class TreeSampler:
    """Samples the summed RSS of a process and all its descendants in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_mb = 0.0
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._start = time.monotonic()

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            total = self.tree_rss_mb()
            if total:
                self.peak_mb = max(self.peak_mb, total)
                self.samples.append((round(time.monotonic() - self._start, 1), round(total, 1)))
            self._stop.wait(SAMPLE_SECONDS)

    def tree_rss_mb(self) -> float:
        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0.0
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.NoSuchProcess:
                continue  # a worker that exited between listing and reading
        return total / 2**20


@dataclass(frozen=True)
class ChildRun:
    result: dict[str, Any]
    seconds: float
    tree_peak_rss_mb: float
    tree_samples: list[tuple[float, float]]


def run_child(target: str, args: dict[str, Any], *, timeout: float | None = None,
              env: dict[str, str] | None = None) -> ChildRun:
    """Run ``module:function(**args)`` in a fresh interpreter and return what it measured.

    No time limit unless one is given (``bench.run --child-timeout``): a two-hour limit fixed here
    killed four long memory runs (the last at 92,700 of 100,000 reports), and looked like a crash."""
    cmd = [sys.executable, "-m", "bench.child", target, json.dumps(args)]
    child_env = {**os.environ, **(env or {})}
    # The child imports ``bench`` from the repository, wherever we were started.
    child_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), child_env.get("PYTHONPATH")]))
    started = time.monotonic()
    # Output goes to files and the child leads its own process group: when a child dies (the OOM
    # killer on a long run), its workers would keep a pipe open and a reader waiting forever.
    with tempfile.TemporaryFile("w+") as out_file, tempfile.TemporaryFile("w+") as err_file:
        proc = subprocess.Popen(cmd, cwd=REPO, env=child_env, stdout=out_file, stderr=err_file, text=True,
                                start_new_session=True)
        timed_out = False
        with TreeSampler(proc.pid) as sampler:
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
            finally:
                _kill_group(proc.pid)
                proc.wait()
        seconds = time.monotonic() - started
        out, err = _read(out_file), _read(err_file)
    if timed_out:
        raise RuntimeError(f"{target} timed out after {timeout} s (peak RSS of the tree so far "
                           f"{sampler.peak_mb:.1f} MB); stderr tail:\n{err[-3000:]}")
    lines = [line for line in out.splitlines() if line.startswith(RESULT_MARK)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{target} failed (exit {proc.returncode}); stderr tail:\n{err[-3000:]}")
    return ChildRun(json.loads(lines[-1][len(RESULT_MARK):]), round(seconds, 2), round(sampler.peak_mb, 1),
                    _thin(sampler.samples))


def _kill_group(pgid: int) -> None:
    """Stop whatever the child left running (its workers, if it died before them)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


def _read(file: IO[str]) -> str:
    file.seek(0)
    return file.read()


def _thin(samples: list[tuple[float, float]], keep: int = 60) -> list[tuple[float, float]]:
    """At most ``keep`` evenly spaced samples (enough to see whether memory is flat)."""
    if len(samples) <= keep:
        return samples
    step = len(samples) / keep
    return [samples[int(i * step)] for i in range(keep)] + [samples[-1]]


def log(message: str) -> None:
    print(f"[bench {dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)
