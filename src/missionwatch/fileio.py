"""Output files that are either complete or absent: write to a temporary file, then rename.

A process killed while writing (SIGKILL, power cut of the process, disk full)
leaves at most a hidden ``.NAME.*.tmp`` file beside the target, never a
half-written target: ``os.replace`` is atomic on POSIX and Windows.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """A temporary path beside ``target``; renamed onto it if the block ends without error."""
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    os.close(fd)
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)  # what open() would have given, not mkstemp's 0600
    try:
        yield Path(tmp)
        with open(tmp, "rb") as done:
            os.fsync(done.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_open(target: str | Path, mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """``open(target, mode)`` that only replaces ``target`` once the block completed."""
    with atomic_path(target) as tmp, open(tmp, mode, **kwargs) as handle:
        yield handle


def write_text(target: str | Path, text: str) -> None:
    with atomic_open(target, "w", encoding="utf-8") as handle:
        handle.write(text)


def write_bytes(target: str | Path, data: bytes) -> None:
    with atomic_open(target, "wb") as handle:
        handle.write(data)
