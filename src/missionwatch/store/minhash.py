"""Near-duplicate fingerprints: MinHash over word 5-shingles, LSH band keys for SQL lookup.

The same wire story from two outlets differs in a dateline, a byline or an
edited sentence; its word 5-shingles still overlap heavily. Each report's
128-permutation MinHash (fixed seed, so signatures are comparable across runs
and machines) is cut into 32 bands of 4 rows; a report that shares any band
key with a stored one is a candidate, verified by the estimated Jaccard
similarity against ``near_duplicate_threshold``. 32x4 bands find pairs at
Jaccard 0.8 with probability ~1 and at 0.5 with ~0.87, so the threshold can
be lowered to 0.5 without re-indexing; unrelated reports (Jaccard < 0.1)
almost never collide.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import numpy as np

from missionwatch.records import normalise_body

NUM_PERM = 128
SEED = 20240625  # fixed forever: stored signatures depend on it
SCHEME = "affine32"
SHINGLE = 5
BANDS = 32
ROWS = NUM_PERM // BANDS
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    # Building the permutations is the costly part of a MinHash; do it once.
    from datasketch import MinHash  # imported late: the package pulls in scipy (~1 s)

    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def shingles(body: str) -> set[bytes]:
    words = _WORD.findall(normalise_body(body).lower())
    if len(words) < SHINGLE:
        return {" ".join(words).encode("utf-8")}
    return {" ".join(words[i:i + SHINGLE]).encode("utf-8") for i in range(len(words) - SHINGLE + 1)}


def signature(body: str) -> np.ndarray:
    """The MinHash values of ``body`` (NUM_PERM x uint32)."""
    from datasketch import MinHash

    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, permutations=_permutations())
    minhash.update_batch(sorted(shingles(body)))
    return np.asarray(minhash.hashvalues, dtype=np.uint32)


def to_bytes(values: np.ndarray) -> bytes:
    return values.astype("<u4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<u4")


def band_keys(values: np.ndarray) -> list[tuple[int, int]]:
    """(band, key) pairs; the key is a signed 64-bit digest of the band's rows (fits BIGINT)."""
    raw = values.astype("<u4")
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(raw[band * ROWS:(band + 1) * ROWS].tobytes(), digest_size=8).digest()
        keys.append((band, int.from_bytes(digest, "little", signed=True)))
    return keys


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two shingle sets."""
    return float(np.count_nonzero(a == b)) / NUM_PERM
