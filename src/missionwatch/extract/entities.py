"""Actors: PERSON, ORG, ARMED_GROUP, FORCE, MISSION, COUNTRY.

Three sources, in order of trust:

1. the knowledge base (``knowledge/actors.yaml``, countries, curated places),
   matched with one ``PhraseMatcher`` on lowercase tokens and filtered for case;
2. rules from ``knowledge/rules.yaml``: generic descriptions of known missions
   ("the Kenya-led multinational force"), demonyms ("Kenyan police officers" ->
   the force, "Jamaicans" -> the country), "<Name> gang" -> an armed group;
3. spaCy's statistical NER for the actors the base does not know, corrected by
   the base (a span that is a known place or actor is not a person).

Persons are cleaned (titles stripped and kept as the role, nicknames and
possessives removed, names split by the tagger re-joined), then clustered so
that "President William Ruto", "Ruto" and "Mr Ruto" are one entity; each
cluster's surname is searched for further mentions, and "the President" joins
the one person of the report holding that role.

Everything the matchers need is built once per process (``lru_cache``); the
per-document analysis is shared with the places stage through
:func:`analyse`, cached on ``doc.user_data``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
import yaml
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from missionwatch.extract import gazetteer as gz
from missionwatch.extract.nlp import dateline_span, text_of
from missionwatch.extract.token_patterns import PatternIndex
from missionwatch.records import Entity
from missionwatch.records import Span as MSpan

VERSION = "entities@6"

KNOWLEDGE = Path(__file__).resolve().parent / "knowledge"
_USER_KEY = "missionwatch.analysis"
_QUOTES = "\"'“”‘’«»"
_HYPHENS = {"-", "–", "‑"}
_PLACE_LIKE_LABELS = {"ORG", "PERSON", "PRODUCT", "NORP", "EVENT", "WORK_OF_ART", "LAW", "FAC", "LOC", "GPE"}


# =========================================================================== knowledge


@dataclass(frozen=True)
class Actor:
    idx: int
    name: str
    type: str
    aliases: tuple[str, ...]
    acronyms: tuple[str, ...]
    short: tuple[str, ...]
    attributes: dict[str, Any]
    place_ambiguous: bool


@dataclass(frozen=True)
class Knowledge:
    actors: tuple[Actor, ...]
    by_name: dict[str, Actor]  # key(name or alias) -> actor
    titles: dict[str, str | None]  # lowercase title -> role
    title_max_len: int
    role_nouns: frozenset[str]
    group_nouns: tuple[str, ...]
    force_nouns: dict[str, str]
    force_labels: dict[str, str]
    deployed_forces: dict[str, str]
    descriptors: dict[str, list[list[dict[str, Any]]]]
    stoplist: frozenset[str]
    forces: dict[tuple[str, str], Actor]  # (country, kind) -> force
    seats: dict[str, str] = field(default_factory=dict)  # seat of government -> ISO2 ("Washington" -> US)


@lru_cache(maxsize=1)
def knowledge() -> Knowledge:
    with (KNOWLEDGE / "actors.yaml").open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    with (KNOWLEDGE / "rules.yaml").open(encoding="utf-8") as fh:
        rules = yaml.safe_load(fh)
    actors = []
    for i, item in enumerate(raw):
        aliases = tuple(dict.fromkeys([item["name"], *(item.get("aliases") or [])]))
        actors.append(
            Actor(
                i,
                item["name"],
                item["type"],
                aliases,
                tuple(item.get("acronyms") or []),
                tuple(item.get("short") or []),
                dict(item.get("attributes") or {}),
                bool(item.get("place_ambiguous")),
            )
        )
    by_name: dict[str, Actor] = {}
    for a in actors:
        for n in (*a.aliases, *a.acronyms):
            by_name.setdefault(gz.key(n), a)
    forces: dict[tuple[str, str], Actor] = {}
    for a in actors:
        if a.type == "FORCE" and a.attributes.get("country"):
            for kind in a.attributes.get("kinds") or []:
                forces.setdefault((a.attributes["country"], kind), a)
    titles = {str(k).lower(): v for k, v in (rules.get("titles") or {}).items()}
    return Knowledge(
        actors=tuple(actors),
        by_name=by_name,
        titles=titles,
        title_max_len=max(len(t.split()) for t in titles),
        role_nouns=frozenset(rules.get("role_nouns") or []),
        group_nouns=tuple(rules.get("group_nouns") or []),
        force_nouns={str(k).lower(): v for k, v in (rules.get("force_nouns") or {}).items()},
        force_labels=dict(rules.get("force_labels") or {}),
        deployed_forces=dict(rules.get("deployed_forces") or {}),
        descriptors=dict(rules.get("mission_descriptors") or {}),
        stoplist=frozenset(s.lower() for s in rules.get("ner_stoplist") or []),
        forces=forces,
        seats=dict(rules.get("seats_of_government") or {}),
    )


@dataclass
class Matchers:
    phrases: PhraseMatcher
    descriptors: PatternIndex
    labels: dict[int, tuple[str, Any, str]] = field(
        default_factory=dict
    )  # match id -> (kind, payload, alias)


@lru_cache(maxsize=4)
def _matchers(vocab: Vocab) -> Matchers:
    """One PhraseMatcher over every known name (actors, countries, curated places), built once."""
    kb = knowledge()
    tokenizer = spacy.blank("en", vocab=vocab).tokenizer
    phrases = PhraseMatcher(vocab, attr="LOWER")
    labels: dict[int, tuple[str, Any, str]] = {}

    def add(kind: str, payload: Any, alias: str) -> None:
        label = f"{kind}|{payload}|{alias}"
        match_id = vocab.strings.add(label)
        if match_id in labels:
            return
        labels[match_id] = (kind, payload, alias)
        phrases.add(label, [tokenizer(alias)])

    for a in kb.actors:
        for alias in a.aliases:
            add("actor", a.idx, alias)
        for acr in a.acronyms:
            add("acronym", a.idx, acr)
    for iso2, c in gz.countries().items():
        for n in c.names:
            add("country", iso2, n)
    for i, entry in enumerate(gz.curated()):
        for n in entry.names:
            add("place", i, n)
    descriptors = PatternIndex(source="knowledge/rules.yaml: mission_descriptors")
    for target, patterns in kb.descriptors.items():
        descriptors.add(f"MISSION|{target}", patterns)
    return Matchers(phrases, descriptors, labels)


# =========================================================================== per-document analysis


@dataclass
class Mention:
    start: int  # char offsets into doc.text
    end: int
    type: str
    key: str  # cluster key: "kb:12", "country:KE", "force:KE:police", "person:...", "org:..."
    name: str
    source: str
    attributes: dict[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    tok_start: int = 0
    tok_end: int = 0


@dataclass
class PlaceHit:
    start: int
    end: int
    place: gz.GeoPlace
    source: str


@dataclass
class Analysis:
    mentions: list[Mention]
    places: list[PlaceHit]
    weights: dict[str, float]
    dateline: tuple[int, int] | None = None  # chars of the opening dateline ("NAIROBI, Kenya —")
    credits: list[tuple[int, int]] = field(default_factory=list)  # bylines, credit and caption lines


def _cap(text: str) -> bool:
    return any(c.isupper() for c in text)


def _overlaps(a0: int, a1: int, taken: list[tuple[int, int]]) -> bool:
    return any(a0 < b1 and b0 < a1 for b0, b1 in taken)


def _trim(span: Span) -> Span | None:
    """Drop leading determiners and trailing possessives/punctuation from an NER span."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (
            doc[start].lower_ in {"the", "a", "an"} or doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (
        doc[end - 1].lower_ in {"'s", "’s", "'"} or doc[end - 1].is_punct or doc[end - 1].text in _QUOTES
        or doc[end - 1].is_space
    ):
        end -= 1
    if start >= end:
        return None
    return doc[start:end]


def _after_hyphen_word(doc: Doc, i: int) -> bool:
    """True when token i is followed, without spaces, by a hyphen and a word ("Kenya-led")."""
    return (
        i + 2 < len(doc)
        and doc[i + 1].text in _HYPHENS
        and not doc[i].whitespace_
        and not doc[i + 1].whitespace_
        and doc[i + 2].is_alpha
    )


def analyse(doc: Doc) -> Analysis:
    """Actor mentions and place hits of a document, computed once and shared by both stages."""
    cached = doc.user_data.get(_USER_KEY)
    if isinstance(cached, Analysis):
        return cached
    result = _analyse(doc)
    doc.user_data[_USER_KEY] = result
    return result


def _analyse(doc: Doc) -> Analysis:
    kb = knowledge()
    m = _matchers(doc.vocab)
    mentions: list[Mention] = []
    places: list[PlaceHit] = []
    taken: list[tuple[int, int]] = []  # token ranges already claimed

    # ---- 1. knowledge base phrases, longest first
    raw = []
    for match_id, s, e in m.phrases(doc):
        kind, payload, alias = m.labels[match_id]
        surface = doc[s:e].text
        if kind == "acronym":
            if surface != alias:
                continue
        elif not _cap(surface):
            continue
        raw.append((s, e, kind, payload, alias))
    for key, s, e in m.descriptors(doc):
        raw.append((s, e, "descriptor", key.split("|", 1)[1], ""))
    order = ["actor", "acronym", "descriptor", "country", "place"]
    raw.sort(key=lambda r: (-(r[1] - r[0]), r[0], order.index(r[2])))
    for s, e, kind, payload, _alias in raw:
        if _overlaps(s, e, taken):
            continue
        span = doc[s:e]
        if kind == "descriptor":
            _descriptor(doc, s, e, payload, mentions, taken)
            continue
        if kind in ("actor", "acronym"):
            actor = kb.actors[payload]
            if actor.place_ambiguous and not _followed_by(doc, e, kb.group_nouns):
                continue
            if actor.type == "PERSON":
                mentions.append(
                    Mention(
                        span.start_char,
                        span.end_char,
                        "PERSON",
                        f"kb:{actor.idx}",
                        actor.name,
                        "kb",
                        dict(actor.attributes),
                        tok_start=s,
                        tok_end=e,
                    )
                )
            else:
                mentions.append(
                    Mention(
                        span.start_char,
                        span.end_char,
                        actor.type,
                        f"kb:{actor.idx}",
                        actor.name,
                        "kb",
                        tok_start=s,
                        tok_end=e,
                    )
                )
        elif kind == "country":
            mentions.append(
                Mention(
                    span.start_char,
                    span.end_char,
                    "COUNTRY",
                    f"country:{payload}",
                    gz.countries()[payload].name,
                    "kb",
                    tok_start=s,
                    tok_end=e,
                )
            )
            # a country's force: "Haiti's police"
            force = (
                _force_after(doc, e + 1, payload) if e < len(doc) and doc[e].lower_ in {"'s", "’s"} else None
            )
            if force is not None:
                fe, fmention = force
                fmention.start, fmention.tok_start = span.start_char, s
                mentions.append(fmention)
                taken.append((s, fe))
                continue
            if not _after_hyphen_word(doc, e - 1):
                places.append(PlaceHit(span.start_char, span.end_char, gz.countries()[payload].place(), "kb"))
        else:  # curated place
            entry = gz.curated()[payload]
            place = gz.resolve(entry.place.name) if entry.place.feature == "city" else entry.place
            place = place or entry.place
            places.append(PlaceHit(span.start_char, span.end_char, place, "kb"))
            # numbered sub-areas: "Delmas 24"
            if entry.numbered and e < len(doc) and doc[e].like_num and doc[e].text.isdigit():
                sub = gz.resolve(doc[s : e + 1].text) or place
                places[-1] = PlaceHit(span.start_char, doc[e].idx + len(doc[e].text), sub, "kb")
                taken.append((s, e + 1))
                continue
        taken.append((s, e))

    # ---- 3. demonyms: forces and countries
    dem = gz.demonyms()
    for tok in doc:
        if tok.text not in dem or _overlaps(tok.i, tok.i + 1, taken):
            continue
        iso2 = dem[tok.text]
        force = _force_after(doc, tok.i + 1, iso2, demonym=tok.text)
        if force is not None:
            fe, fmention = force
            fmention.start, fmention.tok_start = tok.idx, tok.i
            if not _overlaps(tok.i, fe, taken):
                mentions.append(fmention)
                taken.append((tok.i, fe))
                continue
        country_name = gz.countries()[iso2].name
        plural = tok.text.endswith("s") and tok.text != gz.countries()[iso2].demonyms[0]
        deployed = kb.deployed_forces.get(iso2)
        if plural and deployed and _counted(doc, tok.i):
            actor = kb.by_name.get(gz.key(deployed))
            if actor is not None:
                mentions.append(
                    Mention(
                        tok.idx,
                        tok.idx + len(tok.text),
                        "FORCE",
                        f"kb:{actor.idx}",
                        actor.name,
                        "demonym",
                        tok_start=tok.i,
                        tok_end=tok.i + 1,
                    )
                )
                taken.append((tok.i, tok.i + 1))
                continue
        mentions.append(
            Mention(
                tok.idx,
                tok.idx + len(tok.text),
                "COUNTRY",
                f"country:{iso2}",
                country_name,
                "demonym",
                tok_start=tok.i,
                tok_end=tok.i + 1,
            )
        )
        taken.append((tok.i, tok.i + 1))

    # country weights: how often each country is named or implied in the report
    weights: dict[str, float] = defaultdict(float)
    for mt in mentions:
        if mt.type == "COUNTRY":
            weights[mt.key.split(":", 1)[1]] += 1
        elif mt.source == "kb" and mt.key.startswith("kb:"):
            c = kb.actors[int(mt.key[3:])].attributes.get("country")
            if c:
                weights[c] += 0.5
    for ph in places:
        if ph.place.country and ph.place.feature != "country":
            weights[ph.place.country] += 0.5
    context = [c for c, _ in sorted(weights.items(), key=lambda kv: -kv[1])[:3]]

    # ---- 4. datelines: "KINGSTON —", "PORT-AU-PRINCE, Haiti (Wire) —"
    _datelines(doc, taken, places, weights, context)

    # ---- 5. "<Name> gang": unknown armed groups
    _gang_names(doc, taken, mentions, weights, context)

    # ---- 6. statistical NER
    # names of people in this report: a "GPE" that is one of them is the person ("Henry's departure")
    person_words = {t.text for e in doc.ents if e.label_ == "PERSON" for t in e if t.text[:1].isupper()}
    person_words |= {f for mt in mentions if mt.type == "PERSON" for f in kb.actors[int(mt.key[3:])].short}
    persons: list[tuple[Span, str]] = []
    soft: list[tuple[int, int]] = []  # NER organisations: persons may still claim them
    for ent in doc.ents:
        if ent.label_ not in _PLACE_LIKE_LABELS:
            continue
        trimmed = _trim(ent)
        if trimmed is None or _overlaps(trimmed.start, trimmed.end, soft):
            continue
        span = trimmed
        label = ent.label_
        if label in {"GPE", "LOC", "FAC"}:
            grown = _grow(span)
            if grown is not None and not _overlaps(span.start, span.end, taken):
                place = gz.resolve(grown.text, weights)
                if place is not None and place.source != "country":
                    # the grown name wins over a country inside it ("Port of Spain")
                    inner = (grown.start_char, grown.end_char)
                    mentions = [
                        mt
                        for mt in mentions
                        if not (mt.type == "COUNTRY" and _overlaps(mt.start, mt.end, [inner]))
                    ]
                    places = [ph for ph in places if not _overlaps(ph.start, ph.end, [inner])]
                    places.append(PlaceHit(grown.start_char, grown.end_char, place, "ner"))
                    taken.append((grown.start, grown.end))
                    continue
        if _overlaps(span.start, span.end, taken):
            continue
        label = ent.label_
        low = span.text.lower()
        if low in kb.stoplist:
            continue
        # "Washington has pledged ...": a seat of government standing for its country is not a place
        seat = kb.seats.get(span.text)
        if seat and label == "GPE" and _acts(span):
            mentions.append(Mention(span.start_char, span.end_char, "COUNTRY", f"country:{seat}",
                                    gz.countries()[seat].name, "metonymy", tok_start=span.start,
                                    tok_end=span.end))
            taken.append((span.start, span.end))
            continue
        # known or likely place?
        hit = _place_for(span, label, weights, context)
        if hit is not None and hit.place.source == "geonames" and span.text in person_words:
            persons.append((span, "ner"))
            continue
        if hit is not None:
            places.append(hit)
            taken.append((span.start, span.end))
            continue
        if label == "PERSON" and not (_cap(span.text) and _followed_by(doc, span.end, kb.group_nouns)):
            persons.append((span, "ner"))
        elif label in ("ORG", "PERSON"):  # "al-Shabaab fighters": the tagger's person is a group
            if not _cap(span.text) or len(span.text) < 2 or low in kb.titles:
                continue
            if _followed_by(doc, span.end, kb.group_nouns):
                mentions.append(
                    Mention(
                        span.start_char,
                        span.end_char,
                        "ARMED_GROUP",
                        f"group:{gz.key(span.text)}",
                        span.text,
                        "ner",
                        tok_start=span.start,
                        tok_end=span.end,
                    )
                )
            else:
                mentions.append(
                    Mention(
                        span.start_char,
                        span.end_char,
                        "ORG",
                        f"org:{gz.key(span.text)}",
                        span.text,
                        "ner",
                        tok_start=span.start,
                        tok_end=span.end,
                    )
                )
            soft.append((span.start, span.end))
    # KB persons found by the phrase matcher are persons too (for titles and coreference)
    kb_persons = [mt for mt in mentions if mt.type == "PERSON"]
    mentions = [mt for mt in mentions if mt.type != "PERSON"]
    for mt in kb_persons:
        persons.append((doc[mt.tok_start : mt.tok_end], mt.key))
    person_mentions, person_chars = _persons(doc, persons, taken, places, weights)
    # an organisation the tagger saw in a person's title or name is not one ("Interior Cabinet")
    mentions = [
        mt for mt in mentions if not (mt.source == "ner" and _overlaps(mt.start, mt.end, person_chars))
    ]
    mentions.extend(person_mentions)
    # bylines, contributor and photo credits, captions: their names are not actors or places of the report
    credits = credit_spans(text_of(doc))
    if credits:
        mentions = [mt for mt in mentions if not _overlaps(mt.start, mt.end, credits)]
        places = [ph for ph in places if not _overlaps(ph.start, ph.end, credits)]
    return Analysis(mentions=mentions, places=places, weights=dict(weights),
                    dateline=dateline_span(text_of(doc)), credits=credits)


# =========================================================================== bylines, credits, datelines

#: whole lines that credit a writer, editor, photographer or translator, or caption a photo
_CREDIT_LINE = re.compile(
    r"""^\W{0,3}(?:
        By\s+[A-Z][^\n]{0,60}                                   # By Evens Sanon and Dánica Coto
      | (?:Additional\s+)?(?:Reporting|Writing|Editing|Compiled|Photos?|Photography|Video|Graphics)
            (?:\s+and\s+\w+)?\s+by\b[^\n]*                          # Reporting by X; Editing by Y
      | (?:Photo|Photos|Image|Caption|Picture|File\s+photo)\s*[:|][^\n]*  # Photo: ...
      | [^\n]{0,60}\b(?:[Ss]taff\s+)?(?:[Rr]eporter|[Ww]riter|[Cc]orrespondent|[Ee]ditor|[Pp]hotographer)s?
      | \S+@\S+\.\w+                                              # an e-mail address
      | [A-Z][\w.'’ -]{2,40}/[A-Z][\w ]{2,40}                        # Jovan Johnson/Senior Staff Reporter
      | \(?(?:Translated|Translation|Adapted)\s+(?:from|by)\b[^\n]*    # (Translated from French ...)
      | [a-z]{2,5}(?:-[a-z]{2,5})+(?:/[a-z]{2,5})*                  # AFP desk slug: str-ab/dc
      | [^\n]{0,80}['’]s\s+[A-Z][\w-]+(?:\s+[A-Z][\w-]+)+\s+reports?\.?  # KTN's Daniel Kiprop reports.
    )\W{0,3}$""",
    re.VERBOSE,
)
#: contributor sentences at the foot of wire stories
_CREDIT_SENTENCE = re.compile(
    r"(?:^|(?<=\n))[^\n.]{0,40}\b(?:writers?|correspondents?|reporters?|journalists?)\s+[A-Z][^\n]{0,200}?"
    r"\bcontributed(?:\s+(?:to\s+)?(?:this|the)?\s*(?:report|story|reporting))?\.?\s*(?=\n|$)"
)
_LINE_MAX = 90
#: a wire credit line, however long: "(Reporting by X in Y; Writing by Z; Editing by W)"
_WIRE_CREDIT = re.compile(r"^\(?(?:Additional\s+)?(?:Reporting|Writing|Editing)\s+by\b[^\n]{0,300}\)?$")


def credit_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of bylines, credit lines and photo captions."""
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        if _is_credit_line(line.strip()):
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    out.extend((m.start(), m.end()) for m in _CREDIT_SENTENCE.finditer(text))
    return out


def _is_credit_line(line: str) -> bool:
    if not line:
        return False
    if "/FILE" in line or line.startswith(("Photo:", "PHOTO:")):
        return True
    # a long line is prose that happens to name a reporter, unless it is a wire credit
    fits = len(line) <= _LINE_MAX or _WIRE_CREDIT.match(line)
    return bool(fits and _CREDIT_LINE.match(line))


def _descriptor(
    doc: Doc, s: int, e: int, target: str, mentions: list[Mention], taken: list[tuple[int, int]]
) -> None:
    """A generic description of a known mission ("the Kenya-led multinational force")."""
    actor = knowledge().by_name.get(gz.key(target))
    if actor is None:
        return
    span = doc[s:e]
    mentions.append(
        Mention(
            span.start_char,
            span.end_char,
            "MISSION",
            f"kb:{actor.idx}",
            actor.name,
            "descriptor",
            tok_start=s,
            tok_end=e,
        )
    )
    taken.append((s, e))
    # the leading country of "Kenya-led ..." is a country mention too (not a place)
    iso2 = gz.country_by_key().get(gz.key(doc[s].text))
    if iso2 and doc[s].text[:1].isupper():
        mentions.append(
            Mention(
                doc[s].idx,
                doc[s].idx + len(doc[s].text),
                "COUNTRY",
                f"country:{iso2}",
                gz.countries()[iso2].name,
                "descriptor",
                tok_start=s,
                tok_end=s + 1,
            )
        )


def _followed_by(doc: Doc, i: int, nouns: tuple[str, ...]) -> bool:
    while i < len(doc) and doc[i].text in _QUOTES:
        i += 1
    for noun in nouns:
        words = noun.split()
        if i + len(words) <= len(doc) and [t.lower_ for t in doc[i : i + len(words)]] == words:
            return True
    return False


def _force_after(doc: Doc, i: int, iso2: str, demonym: str | None = None) -> tuple[int, Mention] | None:
    """A force noun phrase at token i ("police officers", "military police") after a demonym or "X's"."""
    kb = knowledge()
    j = i
    # one adjective may sit between: "Kenyan elite police", "200 additional Kenyan officers"
    for skip in (0, 1):
        j = i + skip
        if skip and not (j - 1 < len(doc) and doc[j - 1].pos_ == "ADJ" and doc[j - 1].is_lower):
            break
        best = None
        for noun, kind in kb.force_nouns.items():
            words = noun.split()
            fits = j + len(words) <= len(doc) and [t.lower_ for t in doc[j : j + len(words)]] == words
            if fits and (best is None or len(words) > best[0]):
                best = (len(words), kind)
        if best is not None:
            end = j + best[0]
            kind = best[1]
            actor = kb.forces.get((iso2, kind))
            if actor is not None:
                name, key, aliases = actor.name, f"kb:{actor.idx}", ()
            else:
                country = gz.countries()[iso2]
                adj = country.demonyms[0] if country.demonyms else (demonym or country.name)
                label = kb.force_labels.get(kind, kind)
                name, key = f"{adj} {label}", f"force:{iso2}:{label}"
                aliases = ()
            last = doc[end - 1]
            mention = Mention(
                0,
                last.idx + len(last.text),
                "FORCE",
                key,
                name,
                "demonym",
                attributes={"country": iso2},
                aliases=aliases,
                tok_end=end,
            )
            return end, mention
    return None


def _counted(doc: Doc, i: int) -> bool:
    """A plural demonym used as a body of people: "the Kenyans", "200 Kenyans", "some 600 Kenyans"."""
    if i == 0:
        return False
    prev = doc[i - 1]
    if prev.lower_ in {"the", "these", "those"} or prev.like_num:
        return True
    return i >= 2 and prev.pos_ == "ADJ" and doc[i - 2].like_num


def _datelines(
    doc: Doc,
    taken: list[tuple[int, int]],
    places: list[PlaceHit],
    weights: dict[str, float],
    context: list[str],
) -> None:
    first = None
    for tok in doc[:12]:
        if tok.is_space:
            continue
        if tok.text in {"—", "–", "--", ",", "("} or tok.text.startswith("—"):
            break
        if not (tok.is_upper or tok.text in _HYPHENS or tok.text in {"'", "’"}) or not tok.text.strip():
            return
        if first is None:
            first = tok.i
        last = tok.i
    else:
        return
    if first is None:
        return
    span = doc[first : last + 1]
    if _overlaps(span.start, span.end, taken) and not any(
        b0 <= span.start and span.end <= b1 and b1 - b0 == span.end - span.start for b0, b1 in taken
    ):
        pass
    name = span.text
    place = gz.resolve(name, weights, fuzzy_countries=context[:1], dateline=True)
    if place is None:
        return
    # the dateline wins over an actor reading ("UNITED NATIONS" is also the UN)
    places.append(PlaceHit(span.start_char, span.end_char, place, "dateline"))
    if not _overlaps(span.start, span.end, taken):
        taken.append((span.start, span.end))


def _gang_names(
    doc: Doc,
    taken: list[tuple[int, int]],
    mentions: list[Mention],
    weights: dict[str, float],
    context: list[str],
) -> None:
    """'the Chen Mechan gang', '“Chen Mechan and Pierre 6” gang leaders' -> armed groups."""
    kb = knowledge()
    dem = gz.demonyms()
    for tok in doc:
        if tok.lower_ not in {"gang", "gangs"}:
            continue
        j = tok.i - 1
        while j >= 0 and doc[j].text in _QUOTES:
            j -= 1
        parts: list[list[int]] = [[]]
        while j >= 0:
            t = doc[j]
            name_num = t.like_num and j > 0 and doc[j - 1].text[:1].isupper() and doc[j - 1].is_alpha
            if t.text[:1].isupper() or name_num or (t.text in _HYPHENS and not t.whitespace_):
                parts[-1].insert(0, j)
            elif t.lower_ in {"and", "&"} and parts[-1]:
                parts.append([])
            else:
                break
            j -= 1
        for idxs in parts:
            if not idxs:
                continue
            s, e = idxs[0], idxs[-1] + 1
            while s < e and (doc[s].text in _HYPHENS or doc[s].lower_ == "the"):
                s += 1
            if s >= e or _overlaps(s, e, taken):
                continue
            span = doc[s:e]
            first = doc[s]
            if span.text in dem or span.text.lower() in kb.stoplist or not first.text[:1].isupper():
                continue
            if first.is_sent_start and e - s == 1 and first.pos_ != "PROPN":
                continue
            if len(span.text) < 2 or gz.country_by_key().get(gz.key(span.text)):
                continue
            if gz.resolve(span.text, weights) is not None and _in_context(
                gz.resolve(span.text, weights), context
            ):
                continue
            actor = kb.by_name.get(gz.key(span.text))
            if actor is not None and actor.type != "ARMED_GROUP":
                continue
            key = f"kb:{actor.idx}" if actor else f"group:{gz.key(span.text)}"
            name = actor.name if actor else span.text
            mentions.append(
                Mention(
                    span.start_char, span.end_char, "ARMED_GROUP", key, name, "rule", tok_start=s, tok_end=e
                )
            )
            taken.append((s, e))


def _in_context(place: gz.GeoPlace | None, context: list[str] | dict[str, float]) -> bool:
    return place is not None and (place.source in ("curated", "country") or place.country in context)


#: a GeoNames place in a country the report never mentions must be at least this big
#: ("Henry" is a village in Illinois, "Pierre" a town in South Dakota)
MIN_POPULATION_OUT_OF_CONTEXT = 15_000


_MOVE_LEMMAS = frozenset({"arrive", "land", "fly", "travel", "go", "come", "return", "visit", "leave",
                          "depart", "head", "be", "remain", "stay", "lie", "sit", "host"})


def _acts(span: Span) -> bool:
    """The span is the subject (or possessor) of an act: "Washington has pledged", "Nairobi's offer"."""
    root = span.root
    if root.dep_ in ("nsubj", "nsubjpass") and root.head.pos_ in ("VERB", "AUX"):
        return root.head.lemma_.lower() not in _MOVE_LEMMAS
    return root.dep_ == "poss" and root.head.pos_ == "NOUN"


def _department_list(span: Span) -> bool:
    """'Artibonite and Centre departments', 'the Centre department': the name is a department."""
    doc = span.doc
    for t in doc[span.end : span.end + 8]:
        if t.lemma_.lower() in ("department", "departement", "département") or t.lower_ == "departments":
            return True
        if not (t.text[:1].isupper() or t.lower_ in ("and", "or", ",", "&") or t.text in _HYPHENS):
            return False
    return False


def _place_for(span: Span, label: str, weights: dict[str, float], context: list[str]) -> PlaceHit | None:
    """An NER span that is a place: GPE/LOC/FAC anywhere; other labels only in the report's countries."""
    text = span.text
    if _department_list(span):
        dep = gz.resolve(f"{text} department", weights)
        if dep is not None and dep.source == "curated":
            return PlaceHit(span.start_char, span.end_char, dep, "ner")
    if label in {"GPE", "LOC", "FAC"}:
        place = gz.resolve(text, weights, fuzzy_countries=context[:1], country=_qualifier(span))
        if (
            place is not None
            and place.source == "geonames"
            and place.country not in weights
            and place.population < MIN_POPULATION_OUT_OF_CONTEXT
        ):
            return None
        if place is None:
            # "Port" + "of Spain": try the span grown over "of"/"-" joiners
            grown = _grow(span)
            if grown is not None:
                place = gz.resolve(grown.text, weights)
                if place is not None:
                    return PlaceHit(grown.start_char, grown.end_char, place, "ner")
            return None
        return PlaceHit(span.start_char, span.end_char, place, "ner")
    place = gz.resolve(text, weights)
    if place is None or not _in_context(place, weights):
        return None
    if label == "PERSON" and place.source == "geonames" and place.population < 1000:
        return None
    return PlaceHit(span.start_char, span.end_char, place, "ner")


def _qualifier(span: Span) -> str | None:
    """The country named right after a place: "Kingston, Jamaica" -> JM."""
    doc = span.doc
    e = span.end
    if e + 1 >= len(doc) or doc[e].text != ",":
        return None
    for n in (3, 2, 1):
        if e + 1 + n <= len(doc):
            iso2 = gz.country_by_key().get(gz.key(doc[e + 1 : e + 1 + n].text))
            if iso2:
                return iso2
    return None


def _grow(span: Span) -> Span | None:
    doc = span.doc
    e = span.end
    if (
        e + 1 < len(doc)
        and doc[e].lower_ in {"of", "de", "du", "des", "au"}
        and doc[e + 1].text[:1].isupper()
    ):
        return doc[span.start : e + 2]
    return None


# =========================================================================== persons


@dataclass
class PersonMention:
    start: int
    end: int
    tokens: list[str]
    kb_key: str | None
    role: str | None = None
    country: str | None = None
    titled: str | None = None  # "President William Ruto"
    nickname: str | None = None


def _title_before(doc: Doc, i: int) -> tuple[int, str | None] | None:
    """The longest title ending right before token i: (start token, role)."""
    kb = knowledge()
    for n in range(kb.title_max_len, 0, -1):
        s = i - n
        if s < 0:
            continue
        words = " ".join(t.lower_ for t in doc[s:i])
        if words in kb.titles and doc[s].text[:1].isupper():
            return s, kb.titles[words]
        # "Inspector-General" is tokenised with its hyphen
        joined = "".join(t.text_with_ws for t in doc[s:i]).strip().lower()
        if joined in kb.titles and doc[s].text[:1].isupper():
            return s, kb.titles[joined]
    return None


def _title_prefix(doc: Doc, s: int, e: int) -> tuple[int, str | None, bool]:
    """Strip titles at the start of a name span; returns (new start, role, found)."""
    kb = knowledge()
    role, found = None, False
    changed = True
    while changed and s < e - 1:
        changed = False
        for n in range(min(kb.title_max_len, e - s - 1), 0, -1):
            words = " ".join(t.lower_ for t in doc[s : s + n])
            joined = "".join(t.text_with_ws for t in doc[s : s + n]).strip().lower()
            hit = words if words in kb.titles else joined if joined in kb.titles else None
            if hit is not None:
                role = kb.titles[hit] or role
                found = True
                s += n
                changed = True
                break
    return s, role, found


def _extend_left(doc: Doc, s: int, taken: list[tuple[int, int]]) -> int:
    """Grow a name leftwards over first names the tagger left out ("Marie-Ange" + "Joseph")."""
    kb = knowledge()
    dem = gz.demonyms()
    while s > 0:
        prev = doc[s - 1]
        if (
            prev.text in _HYPHENS
            and not prev.whitespace_
            and s > 1
            and not doc[s - 2].whitespace_
            and doc[s - 2].text[:1].isupper()
            and doc[s - 2].is_alpha
        ):
            s -= 2
        elif (
            _is_name_token(prev)
            and prev.lower_ not in kb.titles
            and _title_before(doc, s) is None  # "Police Officer" + "Jean-Baptiste Ducasse"
            and prev.text not in dem
            and not (prev.is_sent_start and prev.pos_ != "PROPN")
            and not _overlaps(s - 1, s, taken)
        ):
            s -= 1
        else:
            break
    return s


_DATE_LIKE = re.compile(r"^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
                        r"|Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)[a-z]*\.?\s+\d{1,2}$")
_SMALL_WORDS = frozenset({"a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "or", "as", "by",
                          "with", "from"})


def _title_case_line(text: str, pos: int) -> bool:
    """The line holding ``pos`` is a headline in title case ("Secretary-General Condemns Killing of ...")."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", text[start:end if end >= 0 else len(text)])
             if w.lower() not in _SMALL_WORDS]
    return len(words) >= 5 and sum(w[:1].isupper() for w in words) >= 0.8 * len(words)


def _not_a_name(doc: Doc, text: str, words: list[str], start: int, sent_start: bool) -> bool:
    """Capitalised words the tagger takes for a person once, with nothing else to back the reading:
    a speaker label in capitals ("HOST:"), a capitalised noun opening a sentence ("Gunfire has been
    reported"), words of a title-case headline ("Condemns Killing")."""
    body = text_of(doc)
    elsewhere = body.count(text) > 1
    if len(words) == 1 and words[0].isupper() and len(words[0]) > 1:
        return True
    if _DATE_LIKE.match(text):
        return True  # "Jul 8" in a dateline
    if len(words) == 1 and sent_start and not elsewhere:
        return True
    if _title_case_line(body, start):
        rest = body[:start] + body[start + len(text):]
        return not any(re.search(rf"\b{re.escape(w)}\b", rest) for w in words if len(w) > 2)
    return False


def _is_name_token(tok: Any) -> bool:
    return tok.is_alpha and tok.text[:1].isupper() and not tok.is_upper and tok.pos_ == "PROPN"


def _persons(
    doc: Doc, spans: list[tuple[Span, str]], taken: list[tuple[int, int]], places: list[PlaceHit],
    weights: dict[str, float] | None = None,
) -> tuple[list[Mention], list[tuple[int, int]]]:
    kb = knowledge()
    dem = gz.demonyms()
    place_chars = [(p.start, p.end) for p in places]
    found: list[PersonMention] = []
    claimed: list[tuple[int, int]] = []
    title_chars: list[tuple[int, int]] = []
    for span, source in sorted(spans, key=lambda x: x[0].start):
        s, e = span.start, span.end
        kb_key = source if source.startswith("kb:") else None
        if _overlaps(s, e, claimed):
            continue
        if kb_key is None and _overlaps(s, e, taken):
            continue
        # titles inside the span
        s, role, _ = _title_prefix(doc, s, e)
        # nickname in quotes: Jimmy "Barbecue" Chérizier
        nickname = None
        toks = list(range(s, e))
        qs = [i for i in toks if doc[i].text in _QUOTES]
        if len(qs) >= 2:
            nickname = doc[qs[0] + 1 : qs[1]].text
            toks = [i for i in toks if i < qs[0] or i > qs[1]]
        if kb_key is None:
            # grow over name pieces the tagger split off: "Marie-Ange" + "Joseph", "Alix Didier" + "Fils-Aimé"
            new_s = _extend_left(doc, s, taken)
            toks = list(range(new_s, s)) + toks
            s = new_s
            while e < len(doc):
                t = doc[e]
                if (
                    t.text in _HYPHENS
                    and not doc[e - 1].whitespace_
                    and not t.whitespace_
                    and e + 1 < len(doc)
                    and doc[e + 1].text[:1].isupper()
                ):
                    toks += [e, e + 1]
                    e += 2
                elif (
                    t.ent_iob_ == "B"
                    and t.ent_type_ in {"ORG", "PERSON"}
                    and doc[e - 1].whitespace_
                    and _is_name_token(t)
                ):
                    # "Alix Didier" + "Fils-Aimé": a hyphenated surname tagged as a separate entity
                    nxt = next((x for x in doc.ents if x.start == e), None)
                    if (
                        nxt is None
                        or not any(x.text in _HYPHENS for x in nxt)
                        or not all(x.text in _HYPHENS or _is_name_token(x) for x in nxt)
                        or _overlaps(e, nxt.end, taken)
                    ):
                        break
                    toks += list(range(e, nxt.end))
                    e = nxt.end
                else:
                    break
        while toks and (doc[toks[-1]].lower_ in {"'s", "’s"} or doc[toks[-1]].is_punct):
            toks.pop()
            e = toks[-1] + 1 if toks else s
        if not toks:
            continue
        start_char = doc[toks[0]].idx
        end_char = doc[toks[-1]].idx + len(doc[toks[-1]].text)
        text = text_of(doc)[start_char:end_char]
        words = [doc[i].text for i in toks if doc[i].text not in _HYPHENS]
        if kb_key is None:
            if not any(w[:1].isupper() for w in words) or text.lower() in kb.stoplist or text in dem:
                continue
            if all(w.lower() in kb.titles for w in words):
                continue
            if _overlaps(start_char, end_char, place_chars):
                continue
            if gz.country_by_key().get(gz.key(text)):
                continue
            if len(words) > 1 and weights is not None:
                # a name the tagger cut short may be a place once grown ("Domingo" -> "Santo Domingo")
                as_place = gz.resolve(text, weights)
                if as_place is not None and _in_context(as_place, weights) and (
                        as_place.source != "geonames" or as_place.population >= 100_000):
                    places.append(PlaceHit(start_char, end_char, as_place, "ner"))
                    continue
            if len(words) == 1 and doc[toks[0]].is_sent_start and doc[toks[0]].pos_ != "PROPN":
                continue
            if _not_a_name(doc, text, words, start_char, bool(doc[toks[0]].is_sent_start)):
                continue
            actor = kb.by_name.get(gz.key(text)) or _short_forms().get(text)
            if actor is not None:
                if actor.type != "PERSON":
                    continue
                kb_key = f"kb:{actor.idx}"
            if _followed_by(doc, toks[-1] + 1, kb.group_nouns):
                continue
        # title before the name
        titled = None
        before = _title_before(doc, toks[0])
        country = None
        if before is not None:
            ts, trole = before
            role = trole or role
            titled = text_of(doc)[doc[ts].idx : end_char]
            country = _country_before(doc, ts)
        elif toks[0] > 0 and doc[toks[0] - 1].lower_ in kb.role_nouns and doc[toks[0] - 1].is_lower:
            role = role or doc[toks[0] - 1].lower_
        if role is not None and country is None:
            country = _country_before(doc, toks[0] - 1 if before is None else before[0])
        found.append(PersonMention(start_char, end_char, words, kb_key, role, country, titled, nickname))
        claimed.append((toks[0], toks[-1] + 1))
        if titled:
            title_chars.append((end_char - len(titled), end_char))
    out = _cluster_persons(doc, found, taken, claimed)
    return out, title_chars + [(m.start, m.end) for m in out]


@lru_cache(maxsize=1)
def _short_forms() -> dict[str, Actor]:
    """Surname forms of known persons that belong to one person only ("Guterres", "Kindiki")."""
    counts: Counter[str] = Counter()
    owner: dict[str, Actor] = {}
    for a in knowledge().actors:
        if a.type == "PERSON":
            for f in a.short:
                counts[f] += 1
                owner[f] = a
    return {f: a for f, a in owner.items() if counts[f] == 1}


def _country_before(doc: Doc, i: int) -> str | None:
    """'Haitian Prime Minister', "Haiti's Prime Minister" -> HT."""
    if i <= 0:
        return None
    prev = doc[i - 1]
    dem = gz.demonyms()
    if prev.text in dem:
        return dem[prev.text]
    if prev.lower_ in {"'s", "’s"} and i >= 2:
        return gz.country_by_key().get(gz.key(doc[i - 2].text))
    return None


@dataclass
class Cluster:
    key: str
    name: str
    tokens: list[str]
    mentions: list[tuple[int, int]]
    aliases: list[str]
    attributes: dict[str, Any]
    text_role: str | None = None


def _cluster_persons(
    doc: Doc, found: list[PersonMention], taken: list[tuple[int, int]], claimed: list[tuple[int, int]]
) -> list[Mention]:
    kb = knowledge()
    clusters: list[Cluster] = []
    by_kb: dict[str, Cluster] = {}

    def new_cluster(pm: PersonMention) -> Cluster:
        if pm.kb_key:
            actor = kb.actors[int(pm.kb_key[3:])]
            c = Cluster(
                pm.kb_key, actor.name, actor.name.replace("-", " ").split(), [], [], dict(actor.attributes)
            )
            by_kb[pm.kb_key] = c
        else:
            name = " ".join(pm.tokens)
            name = text_of(doc)[pm.start : pm.end] if pm.nickname is None else name
            c = Cluster(
                f"person:{gz.key(name)}", name, [w for w in name.replace("-", " ").split()], [], [], {}
            )
        clusters.append(c)
        return c

    def matches(c: Cluster, words: list[str]) -> bool:
        flat = [w for part in words for w in part.replace("-", " ").split()]
        ck = [gz.key(w) for w in c.tokens]
        fk = [gz.key(w) for w in flat]
        if not fk:
            return False
        if fk == ck[-len(fk) :] or fk == ck[: len(fk)]:
            return True
        return len(fk) == 1 and fk[0] in ck and len(fk[0]) > 3

    # full names first, so that short forms attach to them whatever the order
    order = sorted(found, key=lambda pm: (-len(pm.tokens), pm.start))
    assigned: dict[int, Cluster] = {}
    for pm in order:
        c = by_kb.get(pm.kb_key) if pm.kb_key else None
        if c is None and pm.kb_key is None:
            candidates = [c for c in clusters if matches(c, pm.tokens)]
            c = candidates[0] if len(candidates) == 1 else None
        if c is None:
            c = new_cluster(pm)
        assigned[id(pm)] = c
    for pm in found:
        c = assigned[id(pm)]
        c.mentions.append((pm.start, pm.end))
        c.aliases.append(text_of(doc)[pm.start : pm.end])
        if pm.titled:
            c.aliases.append(pm.titled)
        if pm.nickname:
            c.aliases.append(pm.nickname)
        if pm.role:
            c.attributes["role"] = pm.role
            c.text_role = pm.role
        if pm.country:
            c.attributes["country"] = pm.country

    # a person the tagger only saw by one name may be named in full elsewhere ("Marie-Ange Joseph")
    for c in clusters:
        if len(c.tokens) != 1 or c.key.startswith("kb:"):
            continue
        for tok in doc:
            if tok.text != c.name or _overlaps(tok.i, tok.i + 1, taken):
                continue
            s = _extend_left(doc, tok.i, taken)
            if s < tok.i and not _overlaps(s, tok.i + 1, claimed):
                full = doc[s : tok.i + 1]
                c.name = full.text
                c.tokens = full.text.replace("-", " ").split()
                c.mentions.append((full.start_char, full.end_char))
                c.aliases.append(full.text)
                claimed.append((s, tok.i + 1))
                break

    # further mentions: surnames and known short forms the tagger missed ("Kindiki", "Mr Holness")
    text = text_of(doc)
    occupied = [(s, e) for c in clusters for s, e in c.mentions]
    tok_taken = [(doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text)) for s, e in taken if e > s]
    for c in clusters:
        forms: set[str] = set()
        if c.key.startswith("kb:"):
            actor = kb.actors[int(c.key[3:])]
            forms.update(actor.short)
        if len(c.tokens) >= 2:
            forms.add(c.name.split()[-1])
        for form in sorted(forms, key=len, reverse=True):
            if len(form) < 3:
                continue
            for mt in re.finditer(r"(?<![\w-])" + re.escape(form) + r"(?![\w-])", text):
                s, e = mt.start(), mt.end()
                if _overlaps(s, e, occupied) or _overlaps(s, e, tok_taken):
                    continue
                c.mentions.append((s, e))
                c.aliases.append(form)
                occupied.append((s, e))
    # "the President", "the Prime Minister": the one person of the report with that role
    roles = Counter(c.text_role for c in clusters if c.text_role)
    use_text = bool(roles)
    if not use_text:
        roles = Counter(str(c.attributes["role"]) for c in clusters if c.attributes.get("role"))
    for c in clusters:
        role = c.text_role if use_text else c.attributes.get("role")
        if not role or roles[role] != 1 or len(role.split()) > 3:
            continue
        for mt in re.finditer(r"\b[Tt]he (" + re.escape(role) + r")\b(?!\s+(?:of|[A-Z]))", text):
            s, e = mt.start(1), mt.end(1)
            if not _overlaps(s, e, occupied) and not _overlaps(s, e, tok_taken):
                c.mentions.append((s, e))
                occupied.append((s, e))

    out = []
    for c in clusters:
        for s, e in sorted(c.mentions):
            out.append(
                Mention(
                    s,
                    e,
                    "PERSON",
                    c.key,
                    c.name,
                    "person",
                    dict(c.attributes),
                    tuple(dict.fromkeys(c.aliases)),
                )
            )
    return out


# =========================================================================== entities


def find_entities(doc: Doc) -> list[Entity]:
    """One entity per actor, ids e1, e2, ... in order of first mention."""
    if not text_of(doc).strip():
        return []
    kb = knowledge()
    analysis = analyse(doc)
    groups: dict[tuple[str, str], list[Mention]] = {}
    for mt in analysis.mentions:
        groups.setdefault((mt.type, mt.key), []).append(mt)
    ordered = sorted(groups.items(), key=lambda kv: min(m.start for m in kv[1]))
    entities: list[Entity] = []
    text = text_of(doc)
    for (etype, ekey), ms in ordered:
        spans = sorted({(m.start, m.end) for m in ms})
        mentions = [MSpan.of(text, s, e) for s, e in spans if 0 <= s < e <= len(text)]
        if not mentions:
            continue
        name = ms[0].name
        attributes: dict[str, Any] = {}
        aliases: list[str] = []
        for m in ms:
            attributes.update(m.attributes)
            aliases.extend(m.aliases)
        aliases.extend(sp.text for sp in mentions)
        if ekey.startswith("kb:"):
            actor = kb.actors[int(ekey[3:])]
            for k, v in actor.attributes.items():
                attributes.setdefault(k, v)
            aliases.extend(actor.aliases)
            aliases.extend(actor.acronyms)
            attributes.pop("kinds", None)
        elif ekey.startswith("country:"):
            iso2 = ekey.split(":", 1)[1]
            attributes["iso2"] = iso2
            aliases.extend(gz.countries()[iso2].names)
        aliases = [a for a in dict.fromkeys(a.strip() for a in aliases) if a and a != name]
        entities.append(
            Entity(
                id=f"e{len(entities) + 1}",
                name=name,
                type=etype,  # type: ignore[arg-type]
                aliases=aliases,
                attributes=attributes,
                mentions=mentions,
                extractor=VERSION,
            )
        )
    return entities


__all__ = ["VERSION", "find_entities", "analyse", "knowledge", "Analysis", "PlaceHit"]
