"""Personnel, money, rates and counts.

Money is found with a pattern over the text ("$200 million", "US$15 million",
"KSh 2 billion", "800 million dollars"), optionally followed by a rate ("a
year", "every six months" -> per month, period_count 6). Other numbers are read
from the tokens: the noun they count (dependency head, else the next noun of
the phrase) and the verb governing that noun decide the kind: personnel
("400 Kenyan police officers", "the first contingent of 200 Kenyans", "about
two dozen soldiers") or count ("at least 70 people killed", "14 suspected
gang members were arrested"). Ages, years, times of day, ordinals, numbered
laws, scores and percentages are not quantities. Vocabulary:
``knowledge/quantities.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from spacy.tokens import Doc, Token

from missionwatch.extract.dates import DateMention
from missionwatch.extract.nlp import text_of
from missionwatch.records import Entity, Quantity, Span

VERSION = "quantities@4"


@lru_cache(maxsize=1)
def _vocab() -> dict[str, Any]:
    text = resources.files("missionwatch.extract").joinpath("knowledge/quantities.yaml").read_text("utf-8")
    v = yaml.safe_load(text)
    for key in ("personnel_nouns", "contributor_demonyms", "group_nouns", "member_of", "count_nouns",
                "count_verbs", "skip_nouns", "strength_verbs", "total_nouns", "total_verbs", "total_preps",
                "mission_nouns"):
        v[key] = frozenset(v[key])
    return v


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _money_res() -> tuple[re.Pattern[str], ...]:
    v = _vocab()
    words = _alt([k for k in v["number_words"] if " " not in k])
    amount = rf"(?P<amt>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|(?i:{words}))"
    mult = rf"(?:\s*(?P<mult>(?i:{_alt(list(v['multipliers']))}))\b)?"
    prefix = rf"(?P<pre>{_alt(list(v['currency_prefixes']))})\s?"
    suffix = rf"\s+(?P<suf>(?i:{_alt(list(v['currency_suffixes']))}))\b"
    num_words = _alt([k for k in v["number_words"] if " " not in k])
    rate = (rf"(?:\s+(?P<rate>(?i:a|an|per|each|every)\s+(?:(?P<pn>\d+|(?i:{num_words}))\s+)?"
            rf"(?P<per>(?i:day|week|month|year|annum))s?\b|(?i:annually|monthly|weekly|daily|yearly)\b))?")
    return (re.compile(rf"(?<![\w$]){prefix}{amount}{mult}{rate}"),
            re.compile(rf"(?<![\w$.,]){amount}{mult}{suffix}{rate}"))


def _number_value(word: str) -> float | None:
    word = word.lower().replace(",", "")
    try:
        return float(word)
    except ValueError:
        value = _vocab()["number_words"].get(word)
        return float(value) if value is not None else None


def _period(word: str) -> str | None:
    return _vocab()["periods"].get(word.lower())


def _money(text: str) -> list[tuple[int, int, dict[str, Any]]]:
    v = _vocab()
    out: list[tuple[int, int, dict[str, Any]]] = []
    matches = [m for pattern in _money_res() for m in pattern.finditer(text)]
    for m in sorted(matches, key=lambda m: m.start()):
        if any(m.start() < e and s < m.end() for s, e, _ in out):
            continue
        amount = _number_value(m.group("amt"))
        if amount is None:
            continue
        mult = m.group("mult")
        if mult:
            amount *= v["multipliers"][mult.lower()]
        pre = m.groupdict().get("pre")
        suf = m.groupdict().get("suf")
        unit = v["currency_prefixes"].get(pre) if pre else v["currency_suffixes"].get((suf or "").lower())
        if pre in ("Q",) and not mult:
            continue
        fact: dict[str, Any] = {"kind": "money", "value": amount, "unit": unit}
        end = m.end()
        if m.group("rate"):
            word = m.group("per") or m.group("rate").strip().split()[-1]
            per = _period(word)
            count = _number_value(m.group("pn")) if m.group("pn") else 1.0
            if per:
                fact.update(kind="money_rate", per=per, period_count=count or 1.0)
            else:
                end = m.start("rate") - 1
        else:
            end = m.end("suf") if suf else (m.end("mult") if mult else m.end("amt"))
        out.append((m.start(), end, fact))
    return out


# ---------------------------------------------------------------- numbers in the token stream

_SKIP_ENTS = {"DATE", "TIME", "PERCENT", "ORDINAL", "MONEY", "LAW", "QUANTITY"}


def _is_number(tok: Token) -> bool:
    if tok.like_num:
        return not re.fullmatch(r"\d+(st|nd|rd|th)", tok.lower_)
    return tok.lower_ in _vocab()["number_words"]


def _head_noun(tok: Token, last: Token) -> Token | None:
    """The noun a number counts: its nummod head, else the next noun of the phrase."""
    v = _vocab()
    if tok.dep_ in ("nummod", "quantmod", "amod", "compound") and tok.head.i > last.i \
            and tok.head.pos_ in ("NOUN", "PROPN") and tok.head.i - last.i <= 7:
        head = tok.head
        while head.pos_ == "PROPN" and head.lower_ not in v["contributor_demonyms"] \
                and head.dep_ in ("compound", "nmod", "amod") \
                and head.head.i > head.i and head.head.i - last.i <= 8:
            head = head.head
        return head
    doc = tok.doc
    for j in range(last.i + 1, min(len(doc), last.i + 8)):
        t = doc[j]
        if t.pos_ in ("VERB", "AUX", "ADP", "SCONJ", "CCONJ", "PRON", "DET") \
                or t.text in (",", ";", ".", ":"):
            return None
        if t.pos_ == "NOUN" or t.lower_ in v["contributor_demonyms"] \
                or t.lemma_.lower() in v["personnel_nouns"]:
            if j + 1 < len(doc) and doc[j + 1].pos_ in ("NOUN",) and doc[j + 1].lemma_.lower() in (
                    v["personnel_nouns"] | v["count_nouns"]):
                continue
            return t
    return None


def _governing_verb(noun: Token) -> Token | None:
    tok = noun
    for _ in range(4):
        if tok.pos_ in ("VERB", "AUX") or tok.lemma_.lower() in ("displace", "dead", "injure", "wound"):
            return tok
        if tok.dep_ in ("acl", "relcl", "amod") and tok.pos_ == "VERB":
            return tok
        if tok.head is tok:
            return None
        tok = tok.head
    return None


def _classify(first: Token, last: Token, noun: Token | None) -> str | None:
    v = _vocab()
    doc = first.doc
    if noun is None:
        prev = doc[first.i - 1] if first.i > 0 else None
        if prev is not None and prev.lower_ in ("about", "roughly", "some", "approximately", "around", "of",
                                                "nearly", "almost", "over"):
            k = first.i - 1
            while k > 0 and doc[k].lower_ in ("about", "roughly", "some", "approximately", "around", "nearly",
                                               "almost", "over"):
                k -= 1
            if doc[k].lower_ == "of" and k > 0 and doc[k - 1].lemma_.lower() in v["group_nouns"]:
                return "personnel"
        verb = _governing_verb(last)
        if verb is not None and verb.lemma_.lower() in v["count_verbs"] and last.dep_ in (
                "nsubj", "nsubjpass", "dobj"):
            return "count"
        return None
    lemma = noun.lemma_.lower()
    text = noun.lower_
    if lemma in v["skip_nouns"] or text in v["skip_nouns"]:
        return None
    verb = _governing_verb(noun)
    # "displaced" / "killed" right after the noun ("700,000 people displaced")
    nxt = doc[noun.i + 1] if noun.i + 1 < len(doc) else None
    verb_lemmas = {verb.lemma_.lower()} if verb is not None else set()
    if nxt is not None and nxt.tag_ in ("VBN", "VBD"):
        verb_lemmas.add(nxt.lemma_.lower())
    if verb_lemmas & v["count_verbs"]:
        return "count"
    if lemma in v["personnel_nouns"] or text in v["contributor_demonyms"]:
        return "personnel"
    if lemma == "member":
        nxt2 = doc[noun.i + 2: noun.i + 9]
        if nxt is not None and nxt.lower_ == "of" and any(t.lemma_.lower() in v["member_of"] for t in nxt2):
            return "personnel"
        if any(t.lemma_.lower() in v["member_of"] and t.lower_ != "gang" for t in doc[first.i:noun.i]):
            return "personnel"
        # "the mission was supposed to have 2,500 members"
        owner = verb if verb is not None and verb.lemma_.lower() == "have" else None
        while owner is not None and owner.dep_ == "xcomp" \
                and not any(c.dep_.startswith("nsubj") for c in owner.children):
            owner = owner.head
        subjects = [] if owner is None else [c for c in owner.children if c.dep_ in ("nsubj", "nsubjpass")]
        if any(t.lemma_.lower() in v["member_of"] for c in subjects for t in c.subtree):
            return "personnel"
        return "count"
    if lemma in v["count_nouns"] or text in v["count_nouns"]:
        return "count"
    return None


_ELLIPSIS_BEFORE = frozenset({"the", "another", "further", "remaining", "of", "to", "than", "all", "some",
                              "about", "only", "nearly", "roughly", "around", "approximately", "over", "just",
                              "almost"})


def _elliptic(first: Token, last: Token, noun: Token | None) -> bool:
    """A number whose noun is left out: "the 2,500 envisioned", "another 75 are expected", "75 others"."""
    doc = first.doc
    if noun is not None and noun.lower_ not in ("others", "more"):
        return False
    prev = doc[first.i - 1] if first.i > 0 else None
    nxt = doc[last.i + 1] if last.i + 1 < len(doc) else None
    after = doc[last.i + 2] if last.i + 2 < len(doc) else None
    if nxt is not None and (nxt.lower_ in ("others", "more") or nxt.tag_ in ("VBN", "VBD", "VBZ", "VBP", "MD")
                            or (nxt.lower_ in ("that", "who") and after is not None
                                and after.pos_ in ("AUX", "VERB"))):
        return True
    # "the 2,500 originally envisaged", "the 1,000 it pledged": an adverb or a pronoun subject between
    if prev is not None and prev.lower_ in ("the", "of") and nxt is not None and after is not None \
            and (nxt.pos_ == "ADV"
                 or nxt.pos_ == "PRON" and nxt.lower_ in ("it", "they", "he", "she", "we")) \
            and after.tag_ in ("VBN", "VBD"):
        return True
    return prev is not None and prev.lower_ in _ELLIPSIS_BEFORE and (nxt is None or nxt.is_punct)


def _strength_of(last: Token) -> bool:
    """The number is a force's strength: the object of "number", "total", "stand at" with a personnel
    or group noun as subject."""
    v = _vocab()
    verb = last
    for _ in range(3):
        if verb.pos_ in ("VERB", "AUX") or verb.head is verb:
            break
        verb = verb.head
    if verb.lemma_.lower() not in v["strength_verbs"]:
        return False
    # the tagger often reads "the contingent numbers 800" as one noun phrase: its compound is the subject
    subjects = [c for c in verb.children if c.dep_ == "nsubj" or c.dep_ == "compound" and verb.pos_ == "NOUN"]
    return any(c.lemma_.lower() in v["personnel_nouns"] or c.lemma_.lower() in v["group_nouns"]
               for c in subjects)


def _possessed_total(head: Token) -> Token | None:
    """The total a figure is the value of: "bringing the Mission's strength to 800" -> strength, "the
    force's numbers rose to 1,000" -> numbers, "the Kenyan contingent stands at 800" -> contingent."""
    v = _vocab()
    roles: tuple[str, ...]
    if head.dep_ == "pobj" and head.head.lower_ in v["total_preps"]:
        verb, roles = head.head.head, ("dobj", "nsubj", "nsubjpass")
    elif head.dep_ in ("dobj", "attr"):
        verb, roles = head.head, ("nsubj", "nsubjpass")
    else:
        return None
    if verb.pos_ not in ("VERB", "AUX") or verb.lemma_.lower() not in v["total_verbs"] | v["strength_verbs"]:
        return None
    return next((c for c in verb.children if c.dep_ in roles and c.i != head.i
                 and c.lemma_.lower() in v["total_nouns"] | v["group_nouns"]), None)


def _owner(total: Token) -> list[Token]:
    """Who owns a total: "the Mission's strength", "the strength of the contingent", "MSS troop numbers";
    a group is its own ("the Kenyan contingent")."""
    group = total.lemma_.lower() in _vocab()["group_nouns"]
    out: list[Token] = [total] if group else []
    for c in total.children:
        named = c.dep_ == "amod" and (group or c.text[:1].isupper())
        if c.dep_ in ("poss", "compound", "nmod", "det") or named \
                or c.dep_ == "prep" and c.lower_ in ("of", "from"):
            out.extend(_phrase_of(c))
    return sorted(out, key=lambda t: t.i)


def _phrase_of(tok: Token) -> list[Token]:
    """A phrase without where or when it is ("the force in Haiti"): only "of" and "from" phrases stay."""
    out = [tok]
    for c in tok.children:
        if c.dep_ in ("relcl", "acl", "appos") or c.dep_ == "prep" and c.lower_ not in ("of", "from"):
            continue
        out.extend(_phrase_of(c))
    return out


def _personnel_total(possessor: list[Token], force_spans: Sequence[tuple[int, int, str]]) -> bool:
    """The total counts a force: its owner is a force, the mission or a personnel or group noun."""
    v = _vocab()
    words = v["personnel_nouns"] | v["group_nouns"] | v["member_of"]
    return any(t.lemma_.lower() in words or t.lower_ in v["contributor_demonyms"]
               or any(s <= t.idx < e for s, e, _ in force_spans) for t in possessor)


def _excluded(tok: Token, text: str) -> bool:
    """Ages, years, times, numbered names, scores, percentages."""
    doc = tok.doc
    if tok.ent_type_ in _SKIP_ENTS:
        return True
    prev = doc[tok.i - 1] if tok.i > 0 else None
    nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    if prev is not None and (prev.pos_ == "PROPN" and prev.ent_type_ not in ("NORP",)
                             and prev.lower_ not in _vocab()["number_words"]
                             or prev.lower_ in ("no.", "no", "#")):
        return True
    if nxt is not None and (nxt.text in ("%", "-", "–", ":") or nxt.lower_ in ("percent", "per", "pm", "am",
                                                                             "p.m.", "a.m.", "th")):
        return True
    if prev is not None and prev.text in ("-", "–", "/"):
        return True
    if re.fullmatch(r"(19|20)\d\d", tok.text):
        return True
    # "Joseph, 52, who ..." — an age
    if prev is not None and prev.text == "," and nxt is not None and nxt.text == "," and tok.i >= 2 \
            and doc[tok.i - 2].pos_ == "PROPN":
        return True
    if tok.ent_type_ in ("ORG", "PERSON", "GPE", "FAC", "LOC", "WORK_OF_ART", "EVENT", "PRODUCT") \
            and tok.ent_iob_ != "B":
        return True
    return bool(re.search(r"\d[:.]\d\d$", tok.text))


_SUBJECT_RANK = {"FORCE": 0, "MISSION": 1, "ARMED_GROUP": 2, "COUNTRY": 3, "ORG": 4, "PERSON": 5}


def _subject(doc: Doc, entities: list[Entity], start: int, end: int) -> tuple[str | None, int | None]:
    """The entity a figure counts: the best-ranked one named in its phrase. Several of equal rank in one
    list ("800 personnel from Kenya, Jamaica and Belize") share it: none of them is its subject, the
    mission named in the sentence (if any) is; the second value is then where the list ends."""
    best: list[tuple[int, str, int, int]] = []
    for e in entities:
        for m in e.mentions:
            if m.start < end and start < m.end:
                rank = _SUBJECT_RANK.get(e.type, 9)
                if not best or rank < best[0][0]:
                    best = [(rank, e.id, m.start, m.end)]
                elif rank == best[0][0]:
                    best.append((rank, e.id, m.start, m.end))
    if not best:
        return None, None
    if len({b[1] for b in best}) > 1 and _coordinated(doc, [(s, e) for _, _, s, e in best]):
        return _mission_in_sentence(doc, entities, start), max(e for _, _, _, e in best)
    return best[0][1], None


def _the_mission(entities: list[Entity]) -> str | None:
    """The one mission a report names, which "the Mission" stands for."""
    missions = [e.id for e in entities if e.type == "MISSION"]
    return missions[0] if len(missions) == 1 else None


def _coordinated(doc: Doc, spans: list[tuple[int, int]]) -> bool:
    found = [doc.char_span(s, e, alignment_mode="expand") for s, e in spans]
    roots = [span.root for span in found if span is not None]
    return any(b in a.conjuncts for n, a in enumerate(roots) for b in roots[n + 1:])


def _mission_in_sentence(doc: Doc, entities: list[Entity], char: int) -> str | None:
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    if span is None:
        return None
    sent = span.sent
    return next((e.id for e in entities if e.type == "MISSION" for m in e.mentions
                 if sent.start_char <= m.start < sent.end_char), None)


def _hyphenated_value(doc: Doc, i: int) -> float | None:
    """"Twenty-four", "thirty-five": a tens word and a units word joined by a hyphen, from token ``i``."""
    words = _vocab()["number_words"]
    if i + 2 >= len(doc):
        return None
    tens, hyphen, units = doc[i], doc[i + 1], doc[i + 2]
    if tens.lower_ not in words or units.lower_ not in words or hyphen.text not in ("-", "‑") \
            or tens.whitespace_ or hyphen.whitespace_:
        return None
    if not (20 <= words[tens.lower_] <= 90 and 1 <= words[units.lower_] <= 9):
        return None
    return float(words[tens.lower_] + words[units.lower_])


#: a scale word with no number before it ("hundreds of people", "thousands fled") counts nothing
#: exactly; "a dozen" is twelve
_SCALE_WORDS = ("dozen", "dozens", "hundreds", "thousands", "hundred", "thousand", "million", "billion")


def find_quantities(doc: Doc, entities: list[Entity], dates: list[DateMention]) -> list[Quantity]:
    text = text_of(doc)
    v = _vocab()
    facts: list[tuple[int, int, dict[str, Any]]] = []
    money = _money(text)
    facts.extend(money)
    taken = [(s, e) for s, e, _ in money] + [(d.span.start, d.span.end) for d in dates]
    entity_spans = [(m.start, m.end) for e in entities for m in e.mentions]
    force_spans = [(m.start, m.end, e.type) for e in entities if e.type in ("FORCE", "MISSION")
                   for m in e.mentions]

    i = 0
    while i < len(doc):
        tok = doc[i]
        if not _is_number(tok) or tok.is_punct:
            i += 1
            continue
        first = last = tok
        j = i + 1
        hyphen_value = _hyphenated_value(doc, i)
        if hyphen_value is not None:
            last = doc[i + 2]
            j = i + 3
        # "two dozen", "one million", "1.2 million", "a dozen"
        while j < len(doc) and doc[j].lower_ in v["multipliers"] and doc[j].lower_ not in ("m", "k"):
            last = doc[j]
            j += 1
        if tok.lower_ == "dozen" and i > 0 and doc[i - 1].lower_ == "a":
            first = doc[i - 1]
        s, e = first.idx, last.idx + len(last.text)
        if any(ts < e and s < te for ts, te in taken) or (_excluded(tok, text) and hyphen_value is None) \
                or any(es <= s and e <= ee and (es, ee) != (s, e) for es, ee in entity_spans):
            i = j
            continue
        value = _number_value(tok.text) if first is tok else 12.0
        if hyphen_value is not None:
            value = hyphen_value
        if value is None:
            i = j
            continue
        for t in doc[tok.i + 1:last.i + 1] if hyphen_value is None else ():
            value *= v["multipliers"][t.lower_]
        if first is tok and tok.lower_ in _SCALE_WORDS and i > 0 and doc[i - 1].lower_ not in ("a",):
            i = j
            continue
        if tok.lower_ == "one" and last is tok:
            i = j  # "one of the ...", "One Kenyan officer" is too weak to keep
            continue
        noun = _head_noun(tok if last is tok else last, last)
        kind = _classify(first, last, noun)
        if kind is None and _strength_of(last):
            kind = "personnel"  # "the Kenyan contingent numbers just under 800"
        total = _possessed_total(noun if noun is not None and noun.i > last.i else last)
        owner = _owner(total) if total is not None else []
        if kind is None and total is not None and _personnel_total(owner + [total], force_spans):
            kind = "personnel"  # "the force's numbers rose to 1,000"
        if kind is None and _elliptic(first, last, noun):
            # "far short of the 2,500 envisioned", "another 75 are expected to follow": the kind of the
            # number the sentence (or the one before) counted
            prior = [f for f in facts if f[2]["kind"] in ("personnel", "count") and s - 400 <= f[0] < s]
            kind = prior[-1][2]["kind"] if prior else None
            if kind is None and any(s - 400 <= fs < s for fs, fe, ft in force_spans):
                kind = "personnel"
        if kind is None:
            i = j
            continue
        end = noun.idx + len(noun.text) if noun is not None and noun.i > last.i else e
        fact = {"kind": kind, "value": value, "unit": None}
        if owner:
            fact["owner"] = (owner[0].idx, owner[-1].idx + len(owner[-1].text))
            fact["owner_is_mission"] = any(t.lemma_.lower() in v["mission_nouns"] for t in owner)
        facts.append((s, end, fact))
        i = j

    facts.sort(key=lambda f: f[0])
    out: list[Quantity] = []
    for n, (s, e, fact) in enumerate(facts, start=1):
        span = doc.char_span(s, e, alignment_mode="expand")
        sent = span.sent if span is not None else None
        date = None
        if sent is not None:
            in_sent = [d for d in dates if sent.start_char <= d.span.start < sent.end_char]
            if len(in_sent) == 1:
                date = in_sent[0].interval
        phrase_end = e
        if span is not None and fact["kind"] in ("personnel", "count"):
            # "the first contingent of 200 Kenyans", "40 Jamaica Defence Force (JDF) soldiers"
            phrase_end = max(e, span.root.right_edge.idx + len(span.root.right_edge.text))
            phrase_end = min(phrase_end, sent.end_char if sent is not None else phrase_end, e + 60)
        subject = None
        if fact["kind"] in ("personnel", "count"):
            # the owner of the total the figure is the value of, when the owner is named
            subject = _subject(doc, entities, *fact["owner"])[0] if "owner" in fact else None
            if subject is None and fact.get("owner_is_mission"):
                subject = _the_mission(entities)
            if subject is None:
                subject, list_end = _subject(doc, entities, s, phrase_end)
                if subject is None and list_end is not None:
                    e = list_end  # a joint figure: its evidence names whose it is
        out.append(Quantity(
            id=f"q{n}", kind=fact["kind"], value=fact["value"], unit=fact.get("unit"), per=fact.get("per"),
            period_count=fact.get("period_count"), subject=subject, date=date,
            evidence=Span.of(text, s, e), extractor=VERSION))
    return out
