"""Events coded in the contract's vocabulary.

Triggers are spaCy token patterns keyed on lemmas, one list per event type, in
``knowledge/events.yaml`` (built once per process). For each trigger the
dependency parse gives the arguments: subject/agent -> actors, object /
"against" -> targets (for movements the moved personnel are actors too), the
place and date mentions attached to the trigger's clause -> place and date
(the publication date only as a labelled fallback), and the modality of the
clause -> status (will / is expected to -> planned, would / if -> hypothetical,
"denied reports that ..." -> denied, continue / present states -> ongoing).
Money amounts make FUNDING events. Mentions of one real occurrence in a report
("the visit", "Ruto's visit") merge into one event whose other evidence spans
are in ``attributes.also``.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Generic, TypeVar

import yaml
from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from missionwatch.extract import gazetteer as gz
from missionwatch.extract.dates import DateMention
from missionwatch.extract.entities import analyse, knowledge
from missionwatch.extract.nlp import text_of
from missionwatch.extract.token_patterns import PatternIndex
from missionwatch.records import DateInterval, Entity, Event, Place, Quantity, Span

VERSION = "events@9"

_FEATURE_RANK = {"facility": 0, "neighborhood": 1, "city": 2, "admin2": 3, "admin1": 4, "region": 5,
                 "other": 6, "country": 7}
_PERSONNEL_QTY = {"DEPLOY", "WITHDRAW"}
_MONEY_QTY = {"FUNDING"}


@lru_cache(maxsize=1)
def _rules() -> dict[str, Any]:
    text = resources.files("missionwatch.extract").joinpath("knowledge/events.yaml").read_text("utf-8")
    rules = yaml.safe_load(text)
    for key, value in list(rules["modality"].items()):
        rules["modality"][key] = frozenset(value)
    rules["argument_classes"] = {k: frozenset(v) for k, v in rules["argument_classes"].items()}
    rules["by_id"] = {t["id"]: t for t in rules["triggers"]}
    rules["coreference"] = {k: frozenset(v) for k, v in rules["coreference"].items()}
    return rules


@lru_cache(maxsize=1)
def _matcher() -> PatternIndex:
    matcher = PatternIndex(source="knowledge/events.yaml")
    for trig in _rules()["triggers"]:
        matcher.add(trig["id"], [trig["pattern"]])
    return matcher


# ---------------------------------------------------------------- helpers over the parse


_Item = TypeVar("_Item")


class _ByStart(Generic[_Item]):
    """Mentions ``(start, end, item)`` in order of start, with a lookup of those overlapping some
    character spans: a report has hundreds of mentions and each event asks about a few tokens."""

    def __init__(self, entries: Iterable[tuple[int, int, _Item]]) -> None:
        self.entries = sorted(entries, key=lambda x: x[0])
        self.starts = [s for s, _e, _item in self.entries]
        self.longest = max((e - s for s, e, _item in self.entries), default=0)

    def __iter__(self) -> Iterator[tuple[int, int, _Item]]:
        return iter(self.entries)

    def __reversed__(self) -> Iterator[tuple[int, int, _Item]]:
        return reversed(self.entries)

    def overlapping(self, spans: list[tuple[int, int]]) -> Iterator[tuple[int, int, _Item]]:
        """The mentions overlapping any of ``spans``, in order of start."""
        if not spans:
            return
        first = bisect_left(self.starts, min(a for a, _b in spans) - self.longest)
        last = bisect_left(self.starts, max(b for _a, b in spans))
        for s, e, item in self.entries[first:last]:
            if any(a < e and s < b for a, b in spans):
                yield s, e, item


@dataclass
class _Ctx:
    doc: Doc
    published: dt.date | None
    entities: list[Entity]
    places: list[Place]
    dates: list[DateMention]
    quantities: list[Quantity]
    mention_index: _ByStart[Entity] = field(default_factory=lambda: _ByStart([]))
    place_index: _ByStart[Place] = field(default_factory=lambda: _ByStart([]))
    dateline: tuple[int, int] | None = None
    sentence_starts: list[int] = field(default_factory=list)


_SENTS_KEY = "missionwatch.sentences"


def _sent(tok: Token) -> SpacySpan:
    """The token's sentence; ``Token.sent`` walks the whole document on every call, this is a lookup."""
    doc = tok.doc
    table = doc.user_data.get(_SENTS_KEY)
    if table is None:
        table = [None] * len(doc)
        for sent in doc.sents:
            for i in range(sent.start, sent.end):
                table[i] = sent
        doc.user_data[_SENTS_KEY] = table
    return table[tok.i]


def _lemma(tok: Token) -> str:
    return tok.lemma_.lower()


def _chain(tok: Token) -> list[Token]:
    """The trigger and the heads that govern it inside its clause (through xcomp, objects, preps)."""
    out = [tok]
    cur = tok
    for _ in range(8):
        if cur.head == cur or cur.dep_ in ("ccomp", "parataxis", "relcl", "advcl", "csubj"):
            break
        cur = cur.head
        out.append(cur)
    return out


def _ancestors_all(tok: Token) -> list[Token]:
    return list(tok.ancestors)


def _clause_verb(tok: Token) -> Token:
    for t in _chain(tok):
        if t.pos_ in ("VERB", "AUX"):
            return t
    return tok


def _span_of(tok: Token) -> tuple[int, int]:
    return tok.left_edge.idx, tok.right_edge.idx + len(tok.right_edge.text)


def _clause_subtree(tok: Token) -> set[int]:
    """The trigger's subtree without nested clauses headed by other verbs."""
    skip: set[int] = set()
    for t in tok.subtree:
        if t != tok and t.dep_ in ("relcl", "acl", "ccomp", "advcl", "conj", "parataxis", "csubj") \
                and t.pos_ in ("VERB", "AUX"):
            skip.update(x.i for x in t.subtree)
    return {t.i for t in tok.subtree if t.i not in skip}


def _phrase_tokens(tok: Token) -> list[Token]:
    """A noun phrase's tokens without its nested clauses."""
    skip: set[int] = set()
    for t in tok.subtree:
        if t != tok and t.dep_ in ("relcl", "acl", "ccomp", "advcl") and t.pos_ in ("VERB", "AUX"):
            skip.update(x.i for x in t.subtree)
    return [t for t in tok.subtree if t.i not in skip]


_LOCATIVE = frozenset({"in", "across", "throughout", "inside", "within", "around", "near", "into", "to",
                       "for", "over"})


def _entities_in(ctx: _Ctx, tokens: list[Token]) -> list[str]:
    if not tokens:
        return []
    found: list[tuple[int, str]] = []
    spans = [(t.idx, t.idx + len(t.text)) for t in tokens]
    by_char = {t.idx: t for t in tokens}
    for s, _e, ent in ctx.mention_index.overlapping(spans):
        if ent.id not in [f[1] for f in found]:
            first = by_char.get(s)
            # "violence in Haiti", "gangs across Haiti": a country named as the setting does not act
            if ent.type == "COUNTRY" and first is not None and first != tokens[0] \
                    and first.dep_ == "pobj" and first.head.lower_ in _LOCATIVE:
                continue
            found.append((s, ent.id))
    found.sort()
    return [f[1] for f in found]


def _nearest(ctx: _Ctx, tok: Token, types: tuple[str, ...], back: int = 1500, ahead: int = 0) -> str | None:
    """The entity of one of ``types`` mentioned last before ``tok`` (within ``back`` chars), else the
    first one mentioned after it (within ``ahead`` chars: "Gang members killed ... The assault was
    carried out by the Gran Grif gang")."""
    best: tuple[int, str] | None = None
    for s, _e, ent in ctx.mention_index:
        if ent.type in types and s < tok.idx and (best is None or s > best[0]):
            best = (s, ent.id)
    if best is not None and tok.idx - best[0] <= back:
        return best[1]
    for s, _e, ent in ctx.mention_index:
        if ent.type in types and tok.idx < s <= tok.idx + ahead:
            return ent.id
    return None


def _wanted_kinds(phrase: list[Token]) -> frozenset[str]:
    """The force kinds (actors.yaml ``attributes.kinds``) the personnel nouns of a phrase can name."""
    table = _rules()["personnel_kinds"]
    return frozenset(k for t in phrase for k in table.get(_lemma(t), table.get(t.lower_, ())))


@lru_cache(maxsize=4096)
def _force_kinds(name: str) -> frozenset[str]:
    actor = knowledge().by_name.get(gz.key(name))
    return frozenset(actor.attributes.get("kinds") or ()) if actor is not None else frozenset()


def _of_kind(ent: Entity, kinds: frozenset[str]) -> bool:
    known = _force_kinds(ent.name)  # the contract's entities do not carry the knowledge base's kinds
    return not kinds or not known or bool(kinds & known)


def _dominant_force(ctx: _Ctx, tok: Token, stem: str | None = None,
                    kinds: frozenset[str] = frozenset()) -> str | None:
    """The force named most often before ``tok`` (else in the whole report): "the officers"; police
    officers are a police force's, soldiers an army's, never a force of another kind."""
    # counted in sentences ("Haitian National Police (HNP)" is named once); a tie goes to the force named
    # first, the one the lead is about
    for before in (True, False):
        sentences: dict[str, set[int]] = {}
        for s, _e, ent in ctx.mention_index:
            if ent.type != "FORCE" or (before and s >= tok.idx) or not _of_kind(ent, kinds):
                continue
            if stem is not None and stem not in ent.name.lower() \
                    and not any(stem in a.lower() for a in ent.aliases):
                continue
            sentences.setdefault(ent.id, set()).add(_sentence_at(ctx, s))
        if sentences:
            return max(sentences, key=lambda k: len(sentences[k]))
    return None


def _sentence_at(ctx: _Ctx, char: int) -> int:
    """The index of the sentence holding a character offset."""
    if not ctx.sentence_starts:
        ctx.sentence_starts = [sent.start_char for sent in ctx.doc.sents]
    return bisect_right(ctx.sentence_starts, char)


def _coref(ctx: _Ctx, tok: Token) -> list[str]:
    """Light coreference: pronouns, definite role nouns and generic descriptions ("gunmen", "the
    officers", "another batch of officers", "the force") to the fitting entity of the report."""
    rules = _rules()["coreference"]
    lower = tok.lower_
    phrase = _phrase_tokens(tok)
    lemmas = {_lemma(t) for t in phrase} | {t.lower_ for t in phrase}
    if lower in ("he", "him", "his", "she", "her"):
        found = _nearest(ctx, tok, ("PERSON",))
        return [found] if found else []
    if lower in ("they", "them", "their"):
        named = (_outer_subject(ctx, tok) or _previous_subject(ctx, tok)) if lower == "they" else []
        if named:
            return named
        # "their arrival": whose arrival is people's, a force's or a gang's sooner than the mission's
        people = tok.dep_ == "poss" and _lemma(tok.head) in _rules()["personal_event_nouns"]
        found = (people and _nearest(ctx, tok, ("FORCE", "ARMED_GROUP"), back=600)) \
            or _nearest(ctx, tok, ("FORCE", "ARMED_GROUP", "MISSION"))
        return [found] if found else []
    if lower == "it" and tok.dep_ in ("nsubj", "nsubjpass"):
        # "the fund has received $112 million since it was established": the subject of the clause it
        # hangs from; else ("Kenya, which has said it will not pull out") the actor named just before
        named = _outer_subject(ctx, tok)
        if named:
            return named[:1]
        found = _nearest(ctx, tok, ("COUNTRY", "MISSION", "FORCE", "ARMED_GROUP"), back=120)
        return [found] if found else []
    if tok.pos_ not in ("NOUN", "PROPN", "NUM", "ADJ"):
        return []
    # "its officers": the mission (or force) that owns them
    if any(c.dep_ == "poss" and c.lower_ in ("its", "their") for c in tok.children):
        if tok.dep_ in ("dobj", "pobj") and any(c.dep_ == "nsubj" for c in _clause_verb(tok).children):
            return []  # "Kenya deployed its officers": the owner is the subject, already an actor
        found = _nearest(ctx, tok, ("MISSION",), back=800) or _nearest(ctx, tok, ("FORCE",), back=800)
        return [found] if found else []
    definite = any(c.lower_ in ("the", "this", "that", "these", "those") for c in tok.children)
    # gangs, gang members, gunmen, armed men, the coalition: the armed group the report is about
    if lemmas & rules["gang"] or ("armed" in lemmas and lemmas & {"man", "men", "individual", "group"}):
        # a report that names one armed group means it however far ahead the name comes
        single = len({e.id for e in ctx.entities if e.type == "ARMED_GROUP"}) == 1
        found = _nearest(ctx, tok, ("ARMED_GROUP",), back=2500, ahead=3000 if single else 600)
        return [found] if found else []
    role_word = _role_word(tok)
    if definite and (role_word in rules["person"] or lower in rules["person"]
                     or _lemma(tok) in rules["person"]):
        # "the Secretary-General": the person who holds that role, else the person named last
        found = _role_holder(ctx, tok, role_word) or _nearest(ctx, tok, ("PERSON",))
        return [found] if found else []
    if definite and (tok.lower_ in rules["authorities"] or tok.text in rules["authorities"]) \
            and all(c.dep_ in ("det", "punct", "case") for c in tok.children if c.i < tok.i):
        found = _government(ctx)  # "the Government had set aside $2 million", "the authorities said"
        return [found] if found else []
    if any(c.dep_ == "poss" and c.lower_ in ("his", "her", "its") for c in tok.children) \
            and _lemma(tok) in rules["government"]:
        found = _nearest(ctx, tok, ("COUNTRY",), back=400)  # "Kenya's President ... said his government"
        return [found] if found else []
    if definite and _lemma(tok) in rules["council_acts"]:
        # "the resolution authorizes a force": the council that adopted it
        found = _council_before(ctx, tok.idx)
        return [found] if found else []
    if lower in rules["mission"] or (definite and lower in ("force",)):
        found = (_nearest(ctx, tok, ("MISSION",), back=3000)
                 or _nearest(ctx, tok, ("MISSION",), back=0, ahead=3000))
        if found or lower in rules["mission"]:
            return [found] if found else []
    # the officers, 217 officers, another batch of officers, the Kenyans: the report's (deployed) force
    counted = definite or any(c.dep_ == "nummod" or c.lower_ in rules["counted"]
                              for t in phrase for c in t.children) or tok.pos_ == "NUM"
    kinds = _wanted_kinds(phrase)
    if (counted and lemmas & rules["group"]) or _elliptic_personnel(ctx, tok):
        stem = lower[:-2] if lower.endswith("ns") and lower in rules["group"] else None
        found = _sender_in_sentence(ctx, tok, kinds) if stem is None else None
        found = found or _dominant_force(ctx, tok, stem, kinds)
        return [found] if found else []
    # "police reinforcements were sent", "soldiers opened fire": the one force of that kind the report names
    only = {e.id for e in ctx.entities if e.type == "FORCE" and kinds & _force_kinds(e.name)}
    return list(only) if kinds and len(only) == 1 else []


def _outer_subject(ctx: _Ctx, tok: Token) -> list[str]:
    """The entities named by the subject of the clause that a pronoun subject's adverbial clause hangs
    from: "the fund ... since it was established", "heads of government are expected to discuss the
    mission when they meet" (through the raising verb's subject)."""
    if tok.dep_ not in ("nsubj", "nsubjpass") or tok.head.dep_ != "advcl":
        return []
    outer = tok.head.head
    for _ in range(4):
        subjects = [c for c in outer.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects:
            return _entities_in(ctx, _phrase_tokens(subjects[0]))
        if outer.dep_ not in ("xcomp", "conj") or outer.head == outer:
            return []
        outer = outer.head
    return []


def _previous_subject(ctx: _Ctx, tok: Token) -> list[str]:
    """A sentence that opens on "they" continues with the subject of the sentence before ("The officers,
    drawn from the Administration Police and the Rapid Deployment Unit, left on Monday. They touched
    down ..."): the officers, not the unit named last."""
    sent = _sent(tok)
    if tok.dep_ not in ("nsubj", "nsubjpass") or tok.head != sent.root or tok.i != sent.start \
            or sent.start == 0:
        return []
    prev = _sent(tok.doc[sent.start - 1])
    subject = next((c for c in prev.root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None or subject.pos_ == "PRON":
        return []
    return _args(ctx, subject)


def _council_before(ctx: _Ctx, char: int) -> str | None:
    """The council (or assembly, parliament) named last before ``char``."""
    return next((ent.id for s0, _e, ent in reversed(ctx.mention_index) if s0 < char
                 and ent.type == "ORG" and _lemma_words(ent.name) & _COUNCILS), None)


def _lemma_words(name: str) -> set[str]:
    return set(name.lower().split())


def _home_country(ctx: _Ctx) -> str | None:
    """The country whose government "the Government" or "the authorities" is: the dateline's, else the
    one whose institutions and forces the report names most (a Kenyan paper names Kenyan courts)."""
    if ctx.dateline is not None:
        for s, _e, pl in ctx.place_index:
            if ctx.dateline[0] <= s < ctx.dateline[1] and pl.country:
                return pl.country
    weight: dict[str, int] = {}
    for e in ctx.entities:
        iso = e.attributes.get("country") if e.type in ("ORG", "FORCE") else \
            e.attributes.get("iso2") if e.type == "COUNTRY" else None
        if iso:
            weight[iso] = weight.get(iso, 0) + (2 if e.type != "COUNTRY" else len(e.mentions))
    ranked = sorted(weight.items(), key=lambda kv: -kv[1])
    if not ranked or len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


def _government(ctx: _Ctx) -> str | None:
    """The home country's government as the report names it: its government body, else the country."""
    iso = _home_country(ctx)
    if iso is None:
        return None
    words = _rules()["coreference"]["government"]
    body = next((e.id for e in ctx.entities if e.type == "ORG" and e.attributes.get("country") == iso
                 and e.name.split()[0].lower() in words), None)
    country = (e.id for e in ctx.entities if e.type == "COUNTRY" and e.attributes.get("iso2") == iso)
    return body or next(country, None)


def _role_word(tok: Token) -> str:
    """The role noun a token ends: "Secretary-General" is three tokens."""
    left = tok.left_edge
    words = [t for t in tok.doc[left.i:tok.i + 1] if t.dep_ != "det" and t.pos_ != "DET"]
    return "".join(t.text_with_ws for t in words).strip().lower()


def _role_holder(ctx: _Ctx, tok: Token, role: str) -> str | None:
    if not role:
        return None
    holders = {e.id for e in ctx.entities if e.type == "PERSON"
               and role in str(e.attributes.get("role", "")).lower()}
    best = None
    for s, _e, ent in ctx.mention_index:
        if ent.id in holders and s < tok.idx:
            best = ent.id
    return best or (next(iter(holders)) if len(holders) == 1 else None)


def _sender_in_sentence(ctx: _Ctx, tok: Token, kinds: frozenset[str] = frozenset()) -> str | None:
    """"El Salvador's defence ministry says a second group of 80 soldiers will leave": the force or
    contributing country named earlier in the same sentence, before the report's dominant force."""
    sent = _sent(tok)
    found = [(s, ent) for s, _e, ent in ctx.mention_index
             if sent.start_char <= s < tok.idx and ent.type in ("FORCE", "COUNTRY")
             and ent.attributes.get("iso2", ent.attributes.get("country")) != "HT"]
    forces = [ent for _s, ent in found if ent.type == "FORCE" and _of_kind(ent, kinds)]
    if forces:
        return forces[-1].id
    countries = [ent for _s, ent in found if ent.type == "COUNTRY"]
    return countries[-1].id if len({c.id for c in countries}) == 1 else None


def _args(ctx: _Ctx, tok: Token) -> list[str]:
    """Entity ids named by an argument token (its phrase), else by light coreference."""
    ids = _entities_in(ctx, _phrase_tokens(tok))
    if not ids:
        ids = _coref(ctx, tok)
    # conjuncts: "Kenyan police and Haitian officers"
    return ids


def _lemma_in_phrase(tok: Token, lemmas: frozenset[str]) -> bool:
    return any(_lemma(t) in lemmas or t.lower_ in lemmas for t in _phrase_tokens(tok))


def _entity_types(ctx: _Ctx, ids: list[str]) -> set[str]:
    types = {e.id: e.type for e in ctx.entities}
    return {types[i] for i in ids if i in types}


# ---------------------------------------------------------------- roles


_LIGHT = frozenset({"undertake", "conduct", "launch", "carry", "hold", "make", "mount", "stage", "lead",
                    "begin", "start", "conclude", "complete", "execute", "have", "pay", "announce", "receive",
                    "attract", "take", "perform", "continue", "resume", "step", "intensify", "plan", "order"})


@dataclass
class _Roles:
    subj: list[Token] = field(default_factory=list)
    obj: list[Token] = field(default_factory=list)
    agent: list[Token] = field(default_factory=list)
    passive_subj: list[Token] = field(default_factory=list)
    against: list[Token] = field(default_factory=list)
    to: list[Token] = field(default_factory=list)
    origin: list[Token] = field(default_factory=list)


def _with_conj(toks: list[Token]) -> list[Token]:
    out = list(toks)
    for t in toks:
        out.extend(c for c in t.conjuncts if c not in out)
    return out


def _partner_noun(tok: Token) -> bool:
    """Event nouns whose "with X" names a partner in the event ("joint patrols with the PNH")."""
    return tok.pos_ == "NOUN" and _lemma(tok) in _rules()["partner_nouns"]


def _scene_of(tok: Token, verb: Token) -> bool:
    """The event noun is the scene of the verb: "during an operation", "in the course of a raid"."""
    prep = tok.head
    if prep.dep_ == "prep" and prep.lower_ == "of" and prep.head.lower_ == "course":
        prep = prep.head.head
    return prep.dep_ == "prep" and prep.lower_ in ("during", "in") and prep.head.i == verb.i \
        and _lemma(verb) not in _rules()["modality"]["reporting_lemmas"]


def _purpose_of(tok: Token, verb: Token) -> bool:
    """The event noun is what a trip is for: "will travel to Nairobi for talks with Kenyan counterparts"."""
    prep = tok.head
    return tok.dep_ == "pobj" and prep.lower_ == "for" and prep.head == verb \
        and _lemma(verb) in _rules()["purpose_verbs"]


def _acting_modifier(c: Token) -> bool:
    """A modifier of an event noun that names who acts: "Kenya's patrols", "Kenyan patrols", "MSS
    operations"; never "joint patrols"."""
    if c.dep_ == "poss":
        return True
    return c.dep_ in ("compound", "nmod", "amod") and (
        c.pos_ == "PROPN" or c.pos_ == "ADJ" and c.text[:1].isupper())


def _roles(tok: Token) -> _Roles:
    r = _Roles()
    heads = [tok]
    # the verb whose subject is the trigger's actor: xcomp chains ("is expected to make a visit")
    cur = tok
    # and adjectives of plan ("the mandate was due to expire", "officers are set to leave")
    while cur.dep_ in ("xcomp",) \
            or (cur.dep_ == "dobj" and cur.pos_ == "NOUN" and _lemma(cur.head) in _LIGHT) \
            or (cur.dep_ == "acomp" and cur.pos_ == "ADJ" and cur != tok):
        if any(c.dep_ in ("nsubj", "nsubjpass") for c in cur.children):
            break
        if cur.dep_ == "xcomp" and _lemma(cur.head) in _rules()["object_control_lemmas"]:
            told = [c for c in cur.head.children if c.dep_ == "dobj" and c.i < cur.i]
            if told:
                r.subj.extend(told)  # "asked the mission to send officers": the mission would send
                break
        cur = cur.head
        heads.append(cur)
    # the subject of a passive raising verb is the trigger's subject unless the trigger is passive too
    # ("troops are expected to be deployed": still what is deployed)
    raised = heads[1:] if not any(c.dep_ == "auxpass" for c in tok.children) else []
    if tok.dep_ == "conj" and tok.head.pos_ in ("VERB", "AUX"):
        heads.append(tok.head)
    for h in heads:
        for c in h.children:
            if c.dep_ == "nsubj" and not r.subj and not r.passive_subj:
                r.subj.append(c)
            elif c.dep_ == "nsubjpass" and not r.passive_subj and not r.subj:
                # "heads of government are expected to discuss": who is expected is who discusses
                (r.subj if h in raised else r.passive_subj).append(c)
            elif c.dep_ == "agent":
                r.agent.extend(g for g in c.children if g.dep_ == "pobj")
            if h == tok:
                if c.dep_ in ("dobj", "attr", "oprd"):
                    r.obj.append(c)
                elif c.dep_ == "prep":
                    pobj = [g for g in c.children if g.dep_ == "pobj"]
                    word = c.lower_
                    if word in ("against", "on", "at", "upon") and tok.pos_ in ("VERB", "NOUN"):
                        r.against.extend(pobj)
                    if word in ("to", "into", "for", "in", "toward", "towards", "at"):
                        r.to.extend(pobj)
                    if word in ("from", "out"):
                        r.origin.extend(pobj)
                    if word == "of" and tok.pos_ == "NOUN":
                        r.obj.extend(pobj)
                    if word == "by" and tok.pos_ == "NOUN":
                        r.agent.extend(pobj)
                    if word in ("with", "alongside") and (tok.pos_ == "VERB" or _partner_noun(tok)):
                        r.agent.extend(pobj)  # "patrols with the PNH": a partner acts too
                elif tok.pos_ == "NOUN" and _acting_modifier(c):
                    r.subj.append(c)
    # the trigger noun is the subject of a passive: "the assault was claimed by X", "was carried out by X"
    if tok.pos_ == "NOUN" and tok.dep_ in ("nsubj", "nsubjpass"):
        verbs = [tok.head] + list(tok.head.conjuncts)
        for v in verbs:
            for c in v.children:
                if c.dep_ == "agent":
                    r.agent.extend(g for g in c.children if g.dep_ == "pobj")
    # the trigger noun is an object: the verb's subject is its actor ("undertook security patrols",
    # "ordered the deployment of"), and so is who it was done with ("carried out patrols with the PNH");
    # or it sets the scene of the verb ("in the course of an operation, units ... dismantled a hideout")
    if tok.pos_ == "NOUN" and tok.dep_ in ("dobj", "pobj") and not r.subj:
        v = _clause_verb(tok)
        rules = _rules()
        if v != tok and (_lemma(v) in _LIGHT or _lemma(v) in rules["noun_subject_verbs"]
                             or _scene_of(tok, v) or _purpose_of(tok, v)):
            # "they were received ... and will begin patrols": a conjoined verb shares its subject
            owner = v.head if v.dep_ == "conj" and not any(
                c.dep_ in ("nsubj", "nsubjpass") for c in v.children) else v
            r.subj.extend(c for c in owner.children if c.dep_ in (("nsubj", "nsubjpass") if owner != v
                                                                   else ("nsubj",)))
            r.agent.extend(g for c in v.children if c.dep_ == "agent" for g in c.children)
            for c in v.children:
                if c.dep_ == "prep" and c.lower_ in ("to", "into", "in"):
                    r.to.extend(g for g in c.children if g.dep_ == "pobj")
                if c.dep_ == "prep" and c.lower_ in ("with", "alongside") and _lemma(v) in _LIGHT:
                    r.agent.extend(g for g in c.children if g.dep_ == "pobj")
    # "the operation began at dawn, when MSS vehicles and PNH units advanced": who acts in the timing clause
    if tok.pos_ == "NOUN" and tok.dep_ == "nsubj" and _lemma(tok.head) in _rules()["aspect_verbs"] \
            and not r.subj and not r.agent:
        # the clause may hang off the date ("on Monday, when ...")
        for c in tok.head.subtree:
            if c.dep_ in ("advcl", "relcl") and c.pos_ == "VERB" and any(
                    g.dep_ in ("mark", "advmod") and g.lower_ in ("when", "as") for g in c.children):
                r.subj.extend(g for g in c.children if g.dep_ == "nsubj")
    # participles and relative clauses: "200 Kenyans arrived", "officers who arrived"
    if tok.dep_ in ("acl", "relcl") and not r.subj and not r.passive_subj and tok.pos_ == "VERB":
        if tok.tag_ == "VBN" and tok.dep_ == "acl" and any(c.dep_ == "dobj" for c in tok.children):
            r.subj.append(_misread_subject(tok))
        else:
            (r.passive_subj if tok.tag_ == "VBN" and tok.dep_ == "acl" else r.subj).append(tok.head)
    r.subj = [tok.head if s.lower_ in ("who", "which", "that") and tok.dep_ == "relcl" else s for s in r.subj]
    r.obj = [tok.head if o.lower_ in ("which", "that", "whom") and tok.dep_ == "relcl" else o for o in r.obj]
    r.subj, r.obj, r.agent = _with_conj(r.subj), _with_conj(r.obj), _with_conj(r.agent)
    return r


# ---------------------------------------------------------------- modality


def _misread_subject(tok: Token) -> Token:
    """A past participle with an object modifies no noun: it is a main verb the parser hung inside its
    subject ("gang members armed with rifles killed 70 people", read as rifles that were killed).
    Its subject is the noun the participle phrases hang from."""
    noun = tok.head
    while noun.dep_ == "pobj" and noun.head.dep_ == "prep" and noun.head.head.dep_ == "acl":
        noun = noun.head.head.head
    return noun


def _is_heading(tok: Token) -> bool:
    """The token's sentence is a headline or heading: a line of its own without closing punctuation."""
    sent = _sent(tok)
    body = text_of(sent.doc)  # Doc.text and Span.text are rebuilt from the tokens on every access
    sent_text = body[sent.start_char:sent.end_char]
    text = sent_text.rstrip()
    after = body[sent.end_char:sent.end_char + 2] if sent.end_char < len(body) else "\n"
    if not text or text[-1] in ".!?\"”'’:;)":
        return False
    return ("\n" in sent_text[len(text):] or after.startswith("\n")
            or sent.end_char >= len(body.rstrip()))


def _failed(tok: Token) -> bool:
    return any(_lemma(t) in _rules()["modality"]["failure_lemmas"] for t in _chain(tok)[1:4])


def _has_if_clause(t: Token) -> bool:
    return any(c.dep_ == "advcl" and any(g.dep_ == "mark" and g.lower_ in ("if", "unless")
                                         for g in c.children)
               for c in t.children)


def _passive_state(tok: Token) -> bool:
    """"have been driven from their homes" (present perfect passive), "people displaced by gangs" (a
    bare participle on its noun)."""
    if tok.tag_ != "VBN":
        return False
    aux = {c.lower_ for c in tok.children if c.dep_ in ("aux", "auxpass")}
    return (aux >= {"been"} and bool(aux & {"have", "has"})) or (tok.dep_ == "acl" and not aux)


def _status(tok: Token, etype: str, forced: str | None) -> tuple[str | None, bool, bool]:
    """(status, explicit?, attempted?) from the trigger's clause; status None when there is no event
    and "negated" when the clause says it did not happen (a denial if a named party is involved)."""
    mod = _rules()["modality"]
    state = etype in _rules()["passive_state_is_ongoing"] and _passive_state(tok)
    if tok.dep_ == "acl" and tok.tag_ == "VBN" and not forced and not state and not any(
            c.dep_ in ("aux", "auxpass") for c in tok.children) and any(
            c.dep_ in ("agent", "prep", "npadvmod") for c in tok.children):
        # "the force approved by the Council in September": a fact, whatever the sentence around it says
        return "occurred", True, False
    chain = _chain(tok)
    attempted = False
    # denial: "denied reports that X had ...", "rejects claims that ..."
    for a in _ancestors_all(tok):
        if _lemma(a) in mod["deny_lemmas"]:
            return "denied", True, False
        if _lemma(a) in mod["claim_nouns"] and a.head != a and _lemma(a.head) in mod["deny_lemmas"]:
            return "denied", True, False
    negated = any(c.lower_ in mod["negations"] and c.dep_ in ("neg", "det")
                  for t in chain[:3] for c in t.children
                  if not (c.dep_ == "det" and t.dep_ in ("nsubj", "nsubjpass") and t != tok))
    if negated:
        # "the US, which is not sending troops": a negated aside describes, it denies nothing
        # "has not yet decided": still open, not a denial
        pending = any(c.lower_ in mod["pending_adverbs"] for t in chain[:3] for c in t.children)
        return (None if chain[-1].dep_ == "relcl" or pending else "negated"), True, False
    # "he does not say when the troops could arrive": what a negated report does not say is no event
    top = chain[-1]
    if top.dep_ == "ccomp" and _lemma(top.head) in mod["reporting_lemmas"] and any(
            c.dep_ == "neg" for c in top.head.children):
        return None, True, False
    # "none of the soldiers was injured", "no one was arrested": no event at all
    verb = _clause_verb(tok)
    if any(c.dep_ in ("nsubj", "nsubjpass") and (c.lower_ in mod["negative_subjects"] or any(
            d.dep_ == "det" and d.lower_ == "no" for d in c.children)) for c in verb.children):
        return None, True, False
    conditional = False
    for t in chain + ([chain[-1].head] if chain[-1].dep_ == "advcl" else []):
        if any(c.dep_ == "mark" and c.lower_ in mod["conditional_marks"] for c in t.children):
            conditional = True
        if t.pos_ in ("VERB", "AUX") and _has_if_clause(t):
            conditional = True
    if conditional:
        return "hypothetical", True, False
    if state:
        return "ongoing", True, False
    reported = chain[-1].dep_ == "ccomp" and _lemma(chain[-1].head) in mod["reporting_lemmas"]
    for t in chain:
        aux = [c for c in t.children if c.dep_ in ("aux", "auxpass")]
        if any(a.lower_ in mod["planned_aux"] for a in aux):
            return forced or "planned", True, attempted
        if any(a.lower_ in mod["hypothetical_aux"] for a in aux):
            # "would" in reported speech is a plan; a bare "would/could" is speculation, not an event
            return forced or ("planned" if reported else "speculative"), True, attempted
        if t != tok and _lemma(t) in mod["attempt_lemmas"]:
            attempted = True
        if t != tok and (_lemma(t) in mod["planned_lemmas"] or t.lower_ in mod["planned_lemmas"]) and (
                t.tag_ != "VBD" or _lemma(t) in ("expect", "schedule", "due", "set", "plan")):
            return forced or "planned", True, attempted
        if t != tok and _lemma(t) in mod["directive_lemmas"] and t.pos_ == "VERB" \
                and etype != "STATEMENT":
            return forced or "planned", True, attempted
        if t != tok and _lemma(t) in mod["ongoing_lemmas"]:
            return "ongoing", True, attempted
        if t.pos_ in ("VERB", "AUX") and t != tok and _lemma(t) == "prepare" and t.tag_ == "VBG":
            return "planned", True, attempted
    if forced:
        return forced, True, attempted
    verb = _clause_verb(tok)
    aux = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    if any(c.lower_ in mod["ongoing_adverbs"] for c in verb.children if c.dep_ == "advmod"):
        return "ongoing", True, attempted
    if verb.tag_ == "VBG" and any(a.tag_ in ("VBZ", "VBP") for a in aux) and _lemma(verb) != "go" \
            and any(_lemma(a) == "be" for a in aux) and verb == tok:
        return "ongoing", True, attempted
    if verb.tag_ in ("VBZ", "VBP") and not aux and etype in _rules()["present_is_ongoing"] \
            and verb == tok and not _is_heading(tok):
        return "ongoing", True, attempted
    if verb.tag_ == "VBN" and any(a.tag_ in ("VBZ", "VBP") and _lemma(a) == "be" for a in aux) \
            and etype in _rules()["present_is_ongoing"] and verb == tok and _lemma(verb) in (
                "deploy", "station", "control"):
        return "ongoing", True, attempted
    if any(_lemma(t) == "go" and any(c.lower_ == "on" for c in t.children) for t in chain):
        return "ongoing", True, attempted
    finite = verb.tag_ in ("VBD", "VBZ", "VBP") or any(a.tag_ in ("VBD", "VBZ", "VBP", "MD") for a in aux)
    if tok.pos_ == "NOUN":
        finite = finite and tok.dep_ in ("dobj", "nsubj", "nsubjpass") and _lemma(verb) in _LIGHT
    head = chain[-1]
    if head.dep_ == "advcl" and head.head != head and any(
            c.dep_ in ("mark", "advmod") and c.lower_ in ("when", "once", "after", "before", "until", "as")
            for c in head.children):
        outer = _status(head.head, etype, None)
        if outer[0] in ("planned", "hypothetical"):
            return outer[0], True, attempted
    return "occurred", finite, attempted


# ---------------------------------------------------------------- dates, places, quantities


def _date_root(ctx: _Ctx, d: DateMention) -> Token | None:
    span = ctx.doc.char_span(d.span.start, d.span.end, alignment_mode="expand")
    return span.root if span is not None and len(span) else None


def _pick_date(ctx: _Ctx, tok: Token, sent: SpacySpan, exclude_conj: bool = True) -> DateMention | None:
    in_sent = [d for d in ctx.dates if sent.start_char <= d.span.start < sent.end_char]
    if not in_sent:
        return None
    # the heads that govern the trigger, and the governing verbs of relative clauses ("patrols ...,
    # during which ... were arrested"); never a verb of saying above it ("gang members ... killed 70
    # people, officials said Friday", parsed with the killing inside the subject of "said")
    saying = _rules()["modality"]["reporting_lemmas"]
    ancestors = {tok.i}
    cur = tok
    for _ in range(8):
        if cur.head == cur or cur.dep_ in ("ccomp", "parataxis") or _lemma(cur.head) in saying:
            break
        cur = cur.head
        ancestors.add(cur.i)
    subtree = _clause_subtree(tok)
    if tok.pos_ == "NOUN":
        # "the operation, which began on Tuesday": a clause that only times the event dates it
        for c in tok.children:
            if c.dep_ == "relcl" and _lemma(c) in _rules()["aspect_verbs"]:
                subtree |= {t.i for t in c.subtree}
    best: tuple[int, DateMention] | None = None
    for d in in_sent:
        root = _date_root(ctx, d)
        if root is None:
            continue
        text = (d.interval.text or d.span.text).lower()
        if text.endswith(("after", "before")):
            comes = re.search(r"(?i)\b(comes?|came|coming)\s+(\w+\s+){0,2}$",
                              text_of(ctx.doc)[max(0, d.span.start - 30):d.span.start])
            # "this comes a week after X": the date of X; "two days after the attack, X": the date of X too,
            # but never of "the attack" itself
            ok = tok.idx > d.span.end if comes else (tok.idx < d.span.start and _sent(tok).start_char
                                                     <= d.span.start)
        else:
            before = text_of(ctx.doc)[max(0, d.span.start - 7):d.span.start].lower()
            if "until" in before or "till" in before:
                continue
            ok = root.i in subtree
            if not ok:
                cur = root
                for _ in range(10):
                    if cur.i in ancestors and cur.i != root.i:
                        ok = True
                        break
                    if exclude_conj and cur.dep_ == "conj" and cur.pos_ in ("NOUN", "PROPN") \
                            and cur.i not in subtree:
                        break
                    if cur.head == cur:
                        break
                    if cur.pos_ in ("VERB", "AUX") and cur.i not in ancestors and cur != root:
                        break
                    cur = cur.head
        if ok and _dates_the_saying(root, tok):
            continue
        if ok:
            dist = abs(root.i - tok.i)
            if best is None or dist < best[0]:
                best = (dist, d)
    return best[1] if best else None


def _dates_the_saying(root: Token, tok: Token) -> bool:
    """"Kenya said on Monday it would send 200 officers": a time between a verb of saying and the
    subject of what was said dates the saying, though the parser hangs it on the clause said."""
    said = next((t for t in [tok, *tok.ancestors] if t.dep_ == "ccomp"
                 and _lemma(t.head) in _rules()["modality"]["reporting_lemmas"]), None)
    if said is None:
        return False
    subject = next((c for c in said.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    return subject is not None and said.head.i < root.i < subject.i


def _pick_place(ctx: _Ctx, tok: Token, roles: _Roles, mode: str) -> str | None:
    def places_in(tokens: list[Token]) -> list[Place]:
        out: list[Place] = []
        spans = [(t.idx, t.idx + len(t.text)) for t in tokens]
        for _s, _e, pl in ctx.place_index.overlapping(spans):
            if pl not in out:
                out.append(pl)
        return out

    def best(cands: list[Place]) -> str | None:
        if not cands:
            return None
        return min(cands, key=lambda p: _FEATURE_RANK.get(p.feature, 6)).id

    if mode == "origin":
        for group in (roles.obj, roles.origin):
            candidates = places_in([t for g in group for t in _phrase_tokens(g)])
            if candidates:
                return best(candidates)
    if mode == "destination":
        candidates = places_in([t for g in roles.to for t in _phrase_tokens(g)])
        if candidates:
            return best(candidates)
    # the trigger's own phrase, its clause verb's prepositional phrases, never the subject
    excluded: set[int] = set()
    skip_groups = roles.subj + roles.passive_subj
    if mode in ("origin", "destination"):
        skip_groups = skip_groups + roles.agent + roles.origin
    if mode == "territory":
        skip_groups = []
    for s in skip_groups:
        excluded.update(t.i for t in s.subtree)
    # attribution is not location: "according to a statement from the MSS headquarters in Port-au-Prince"
    for t in _sent(tok):
        # "with China and Russia abstaining": who does something alongside, not where
        if t.dep_ == "prep" and t.lower_ in ("with", "without") and any(
                g.pos_ == "VERB" and g.tag_ in ("VBG", "VBN") for g in t.subtree):
            excluded.update(x.i for x in t.subtree)
        if t.lower_ in ("according", "citing", "quoting") or (t.lower_ == "statement" and t.dep_ == "pobj"):
            excluded.update(x.i for x in t.subtree)
    verb = _clause_verb(tok)
    tokens = [t for t in _phrase_tokens(tok) if t.i not in excluded]
    if mode == "territory":
        for s in roles.subj + roles.passive_subj + roles.obj:
            tokens.extend(_phrase_tokens(s))
    if verb != tok:
        for c in verb.children:
            if c.dep_ in ("prep", "dobj", "npadvmod", "advmod") and c.i not in excluded:
                tokens.extend(t for t in _phrase_tokens(c) if t.i not in excluded)
    found = best(places_in(tokens))
    capital = _capital_in(ctx, tokens)
    if capital is not None and (found is None or _place_feature(ctx, found) == "country"):
        found = capital  # "In Haiti, gangs control 90 percent of the capital"
    if found is None and mode == "any" and verb.dep_ in ("advcl", "relcl") and verb.head is not verb:
        # "patrols within the streets of Delmas, during which ... were arrested": a subordinate
        # clause with no place of its own happens where its main clause does
        outer = _clause_verb(verb.head)
        inherited = [t for c in outer.children
                     if c.dep_ in ("prep", "dobj", "npadvmod") and c.i not in excluded and c.i != verb.i
                     for t in _phrase_tokens(c) if t.i not in excluded]
        found = best(places_in(inherited))
    return found


def _capital_in(ctx: _Ctx, tokens: list[Token]) -> str | None:
    """"the capital", "the Haitian capital": the capital of the country the report is mostly about, when
    the report names that city."""
    if not any(_lemma(t) == "capital" and t.pos_ == "NOUN" and any(c.lower_ == "the" for c in t.children)
               for t in tokens):
        return None
    # the country named in the sentence, else the theatre
    sent = _sent(tokens[0])
    named = [ent.attributes.get("iso2") for s0, _e, ent in ctx.mention_index
             if ent.type == "COUNTRY" and sent.start_char <= s0 < sent.end_char]
    named += [pl.country for s0, _e, pl in ctx.place_index
              if pl.feature == "country" and sent.start_char <= s0 < sent.end_char]
    named = [n for n in named if n]
    name = _rules()["capitals"].get(named[0] if len(set(named)) == 1 else "HT")
    return next((p.id for p in ctx.places if p.name == name), None)


def _pick_quantity(ctx: _Ctx, etype: str, tok: Token, roles: _Roles, sent: SpacySpan) -> str | None:
    kinds = {"personnel"} if etype in _PERSONNEL_QTY else {"money", "money_rate"} if etype in _MONEY_QTY \
        else {"count"} if etype in ("ARREST", "ATTACK", "DISPLACEMENT") else set()
    if not kinds:
        return None
    # not a clause hung on the trigger: "landed on Monday, raising the contingent's numbers to 1,000" moved
    # no 1,000 (a coordinated verb is the same act: "stormed the prison and freed 500 inmates")
    hung = ("advcl", "relcl", "acl", "ccomp", "parataxis")
    nested = {t.i for c in tok.subtree if c != tok and c.dep_ in hung and c.pos_ in ("VERB", "AUX")
              for t in c.subtree}
    tokens = [t for t in tok.subtree if t.i not in nested]
    for group in (roles.subj, roles.obj, roles.passive_subj, roles.agent):
        for g in group:
            tokens.extend(g.subtree)
    spans = [(t.idx, t.idx + len(t.text)) for t in tokens]
    best: tuple[int, str] | None = None
    for q in ctx.quantities:
        if q.kind in kinds and sent.start_char <= q.evidence.start < sent.end_char and any(
                a < q.evidence.end and q.evidence.start < b for a, b in spans):
            dist = abs(q.evidence.start - tok.idx)
            if best is None or dist < best[0]:
                best = (dist, q.id)
    return best[1] if best else None


# ---------------------------------------------------------------- type decisions


def _elliptic_personnel(ctx: _Ctx, tok: Token) -> bool:
    """A bare number or "others" standing for personnel in a report about a force: "75 others",
    "another 75", "the remaining 600"."""
    phrase = _phrase_tokens(tok)
    if not any(t.like_num for t in phrase):
        return False
    if not all(t.like_num or t.pos_ in ("DET", "ADJ", "ADV", "PUNCT")
               or t.lower_ in ("others", "other", "more") for t in phrase):
        return False
    return any(e.type in ("FORCE", "MISSION") for e in ctx.entities)


def _mover_type(ctx: _Ctx, tok: Token, roles: _Roles, default: str) -> str | None:
    """Who moves decides: a person or delegation travels, personnel deploy (or go home)."""
    classes = _rules()["argument_classes"]
    movers = roles.subj + roles.passive_subj + (roles.obj if _lemma(tok) in ("send", "dispatch") else [])
    if tok.pos_ == "NOUN":
        movers = movers + [c for c in roles.obj]
    ids = [i for m in movers for i in _args(ctx, m)]
    types = _entity_types(ctx, ids)
    group = any(_lemma_in_phrase(m, classes["personnel"]) for m in movers) or bool(
        types & {"FORCE", "MISSION"})
    if not group and not ids and any(_elliptic_personnel(ctx, m) for m in movers):
        group = True  # "They join 75 others who arrived last month", "Another 75 are expected to follow"
    person = bool(types & {"PERSON"}) or any(_lemma_in_phrase(m, classes["delegation"]) for m in movers) \
        or any(m.lower_ in ("he", "she") for m in movers)
    if not group and not person:
        return None
    going_home = any(c.lower_ in classes["theatre_exit"] for c in tok.children) or any(
        _lemma(t) in classes["theatre_exit"] for t in roles.to)
    if person and not group and not any(_lemma(m) in ("team", "group", "unit") for m in movers):
        return "TRAVEL"
    collective = _rules()["movement"]["collective"]
    if _lemma(tok) in _rules()["movement"]["travel"] and not any(
            _lemma(t) in _rules()["movement"]["individual_personnel"]
            or (t.lower_ in classes["personnel"] and t.lower_ not in collective)
            for m in movers for t in _phrase_tokens(m)):
        return "TRAVEL"
    if going_home:
        return "WITHDRAW"
    if _lemma(tok) in _rules()["movement"]["departure"] or _lemma(tok) == "departure":
        # leaving the theatre (a Haitian place) with no destination is a withdrawal
        origin = _pick_place(ctx, tok, roles, "origin")
        dest = _pick_place(ctx, tok, roles, "destination") if roles.to else None
        place = next((p for p in ctx.places if p.id == origin), None)
        if dest is None and place is not None and place.country == "HT":
            return "WITHDRAW"
        if dest is None and not roles.obj and not roles.origin:
            # a bare "leave": a withdrawal only when announced ("are expected to leave in phases")
            status = _status(tok, "WITHDRAW", None)[0]
            return "WITHDRAW" if status == "planned" else None
    return default


def _needs(ctx: _Ctx, tok: Token, roles: _Roles, cls: str, object_only: bool) -> bool:
    classes = _rules()["argument_classes"]
    words = classes.get(cls, frozenset())
    groups = roles.obj + roles.passive_subj if object_only else \
        roles.obj + roles.passive_subj + roles.subj + roles.agent + roles.to
    if tok.pos_ == "NOUN" and not object_only:
        groups = groups + [c for c in tok.children if c.dep_ in ("compound", "amod", "nmod", "poss")]
    for g in groups:
        heads = [g] + [c for c in g.children if c.dep_ in ("compound", "amod", "poss", "nmod")]
        heads += [p for c in g.children if c.dep_ == "prep" and c.lower_ == "of" for p in c.children
                  if p.dep_ == "pobj"]
        if any(_lemma(c) in _rules()["not_a_mission"] for c in g.children if c.dep_ in ("compound", "amod")) \
                and cls in ("mandate", "personnel"):
            continue  # "a drone task force", "a working group"
        if any(_lemma(h) in words or h.lower_ in words for h in heads):
            return True
        if cls == "territory" and g.lower_ in ("it", "them") and any(
                _sent(tok).start_char <= s0 < g.idx for s0, _e, _p in ctx.place_index):
            return True  # "Kenscoff, which gangs overran in February": the place named before
        types = _entity_types(ctx, _args(ctx, g))
        if cls == "personnel" and types & {"FORCE"}:
            return True
        if cls == "mandate" and types & {"MISSION"}:
            return True
        if cls == "territory":
            spans = [(t.idx, t.idx + len(t.text)) for t in _phrase_tokens(g)]
            if next(ctx.place_index.overlapping(spans), None) is not None:
                return True
    return False


# ---------------------------------------------------------------- candidates and merging


@dataclass
class _Cand:
    type: str
    status: str
    status_explicit: bool
    trigger: Token
    lemma: str
    evidence: tuple[int, int]
    date: DateInterval | None
    place: str | None
    actors: list[str]
    targets: list[str]
    quantity: str | None
    attributes: dict[str, Any]
    confidence: float
    also: list[tuple[int, int]] = field(default_factory=list)
    # a mention of an occurrence told elsewhere ("during the deployment"): kept only when it merges
    reference: bool = False
    date_text: str = ""
    # its sentence dates something else (a verdict on it): no day carried over from around it either
    carries_date: bool = True


def _evidence(tok: Token) -> tuple[int, int]:
    sent = _sent(tok)
    return sent.start_char, sent.end_char


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


_COUNCILS = frozenset({"council", "assembly", "parliament", "senate"})
#: MANDATE actions that someone grants (an expiry has no actor).
_GRANTS = frozenset({"authorize", "renew", "extend"})


def _in_date(ctx: _Ctx, tok: Token) -> bool:
    return any(d.span.start <= tok.idx < d.span.end for d in ctx.dates)


def _time_filler(ctx: _Ctx, tok: Token) -> bool:
    """A token of a time told between a movement noun and its "of" phrase: "earlier this month", ", on
    Saturday,", "and"."""
    return tok.is_punct or tok.dep_ == "cc" or _in_date(ctx, tok) or (
        tok.dep_ == "prep" and any(_in_date(ctx, g) for g in tok.children if g.dep_ == "pobj"))


def _displaced_movers(ctx: _Ctx, tok: Token) -> list[tuple[Token, DateMention | None]]:
    """Who a movement noun moves when the parser hung its "of" phrases elsewhere: "the arrival earlier
    this month of 200 officers and, on Saturday, of 75 police" -> (officers, earlier this month),
    (police, Saturday). Each phrase is one movement, dated by the time before it (else the one before)."""
    if tok.pos_ != "NOUN" or _lemma(tok) not in _rules()["movement_nouns"] \
            or any(c.dep_ == "prep" and c.lower_ == "of" for c in tok.children):
        return []
    doc, end = tok.doc, _sent(tok).end
    out: list[tuple[Token, DateMention | None]] = []
    date: DateMention | None = None
    gap_start = i = tok.i + 1
    while i < end:
        t = doc[i]
        if _time_filler(ctx, t):
            i += 1
            continue
        mover = next((g for g in t.children if g.dep_ == "pobj"), None) \
            if t.lower_ == "of" and t.dep_ == "prep" else None
        if mover is None:
            break
        if not _names_personnel(ctx, mover):
            return []  # "the deployment last year of surveillance drones": nobody moves
        gap = (doc[gap_start].idx, t.idx)
        date = next((d for d in ctx.dates if gap[0] <= d.span.start and d.span.end <= gap[1]), date)
        out.append((mover, date))
        gap_start = i = t.right_edge.i + 1
    return out


def _names_personnel(ctx: _Ctx, tok: Token) -> bool:
    return _lemma_in_phrase(tok, _rules()["argument_classes"]["personnel"]) \
        or bool(_entity_types(ctx, _args(ctx, tok)) & {"FORCE", "MISSION"}) or _elliptic_personnel(ctx, tok)


def _build(ctx: _Ctx, rule: dict[str, Any], tok: Token,
           mover: tuple[Token, DateMention | None] | None = None) -> list[_Cand]:
    etype = rule["type"]
    mod = _rules()["modality"]
    roles = _roles(tok)
    if mover is not None:
        roles.obj = _with_conj([mover[0]])  # "the arrival on Saturday of 75 police"
    # exclusions: "assault rifles", "patrol boats" are not events
    if tok.pos_ == "NOUN" and tok.dep_ == "compound":
        return []
    # a charge is not an event: "wanted for kidnapping", "convicted of murder"
    if tok.pos_ == "NOUN" and tok.dep_ == "pobj" and tok.head.lower_ in ("for", "of") \
            and _lemma(tok.head.head) in _rules()["charge_verbs"]:
        return []
    if rule.get("exclude_mod") and any(_lemma(c) in rule["exclude_mod"] or c.lower_ in rule["exclude_mod"]
                                       for c in tok.children):
        return []
    if rule.get("object_not") and any(_lemma(o) in rule["object_not"] for o in roles.obj):
        return []
    # "the wounded officers were evacuated by helicopter": a medical evacuation, nobody displaced
    if rule.get("moved_not") and any(_lemma(t) in rule["moved_not"] or t.lower_ in rule["moved_not"]
                                     for o in roles.obj + roles.passive_subj for t in _phrase_tokens(o)):
        return []
    if rule.get("needs") and not _needs(ctx, tok, roles, rule["needs"], bool(rule.get("needs_object"))):
        return []
    if rule.get("route_not") and any(_heading_route(o) for o in roles.obj):
        return []
    if rule.get("stock_not") and _is_stock(tok):
        return []
    if rule.get("needs_subject") == "council" and not any(
            _lemma_in_phrase(s, _COUNCILS) for s in roles.subj):
        return []
    if rule.get("needs_prep") and not any(c.dep_ == "prep" and c.lower_ in rule["needs_prep"]
                                          for c in tok.children) and _lemma(tok.head) not in (
            "hold", "attend", "convene", "host", "chair"):
        return []
    if rule.get("needs_money"):
        sent0 = _sent(tok)
        if not any(q.kind in ("money", "money_rate") and sent0.start_char <= q.evidence.start < sent0.end_char
                   for q in ctx.quantities):
            return []
    if rule.get("mover"):
        mt = _mover_type(ctx, tok, roles, etype)
        if mt is None:
            return []
        etype = mt
    if etype == "ATTACK" and _lemma(tok) in ("kill", "wound", "injure") and tok.dep_ == "amod":
        pass
    status, explicit, attempted = _status(tok, etype, rule.get("status"))
    if status is None or status == "speculative":
        return []
    if attempted and rule.get("attempt_type"):
        etype = rule["attempt_type"]
    elif attempted and _failed(tok):
        return []  # "has struggled to hold territory": nothing was held
    # dates and places
    sent = _sent(tok)
    dm = mover[1] if mover is not None and mover[1] is not None else _pick_date(ctx, tok, sent)
    if dm is not None and etype == "STATEMENT" and any(
            t.idx <= dm.span.start < t.idx + len(t.text) for o in roles.obj for t in o.subtree):
        dm = None  # "condemns the attack on 24 March": the date of what is condemned, not of the words
    judged = False
    if dm is not None and tok.pos_ == "NOUN" and tok.dep_ == "dobj" and (mover is None or mover[1] is None) \
            and _lemma(tok.head) in _rules()["verdict_verbs"] and _date_governor(ctx, dm) == tok.head.i:
        # "the Assembly approved the deployment in November": November is the approval's
        dm, judged = None, True
    date = dm.interval if dm else None
    if ctx.published is not None and date is not None and status == "occurred" and date.start > ctx.published:
        status, explicit = "planned", True
    if ctx.published is not None and dm is not None and status == "planned" \
            and dm.interval.end < ctx.published and _chain(tok)[-1].dep_ == "relcl" \
            and (root := _date_root(ctx, dm)) is not None and root.i not in _clause_subtree(tok):
        # "left on Monday, where they will join": Monday is the leaving, not the joining
        dm, date = None, None
    if date is None and ctx.published is not None:
        date = DateInterval(start=ctx.published, end=ctx.published, precision="day", text=None, fallback=True)
    place_mode = "territory" if etype == "CONTROL" else "any"
    if etype == "TRAVEL" and _lemma(tok) in ("leave", "depart", "departure"):
        place_mode = "origin"
    elif etype in ("DEPLOY", "TRAVEL"):
        place_mode = "destination"
    place = _pick_place(ctx, tok, roles, place_mode)
    # arguments
    actor_toks = roles.subj + roles.agent
    target_toks = roles.against
    if etype in ("ARREST", "ATTACK"):
        target_toks = target_toks + roles.obj + roles.passive_subj
    elif etype in ("DEPLOY", "WITHDRAW", "TRAVEL") or rule.get("role") == "mover":
        actor_toks = actor_toks + roles.passive_subj + (roles.obj if etype != "TRAVEL" else [])
    elif etype in ("MANDATE",):
        target_toks = target_toks + roles.obj + roles.passive_subj
    else:
        target_toks = target_toks + roles.obj
    if rule.get("from_is_actor"):
        # "the officers came under fire from members of the Gran Grif gang": the shooters act
        shooters = [g for t in tok.subtree if t.dep_ == "prep" and t.lower_ == "from" for g in t.children
                    if g.dep_ == "pobj"]
        shooters += [g for c in tok.children if c.dep_ == "prep" and c.lower_ == "from" for g in c.children
                     if g.dep_ == "pobj" and g not in shooters]
        if shooters:
            target_toks, actor_toks = actor_toks + roles.passive_subj, shooters
    actors: list[str] = []
    for a in actor_toks:
        for i in _args(ctx, a):
            if i not in actors:
                actors.append(i)
    targets: list[str] = []
    for a in target_toks:
        for i in _args(ctx, a):
            if i not in targets and i not in actors:
                targets.append(i)
    if etype == "TRAVEL":
        targets = []
    if status == "negated":
        # "Kenya will not pull out", "X has not been arrested": a denial about a named party;
        # a generic negation ("there was no attack") is no event
        if not actors and not targets:
            return []
        status = "denied"
    if etype == "DEPLOY" and place and status != "denied" \
            and _lemma(tok) in ("arrive", "land", "arrival", "landing", "touch"):
        # personnel landing in their own country (outside the theatre) are coming home
        pl = next((p for p in ctx.places if p.id == place), None)
        homes = {e.attributes.get("country") for e in ctx.entities if e.id in actors and e.type == "FORCE"}
        if pl is not None and pl.country and pl.country != "HT" and pl.country in homes:
            etype = "WITHDRAW"
    if etype == "DEPLOY" and place and actors:
        # "217 more officers will fly to Haiti": personnel sent to a country come from outside it
        dest = next((p for p in ctx.places if p.id == place), None)
        if dest is not None and dest.feature == "country":
            actors = [a for a in actors if not any(e.id == a and e.type == "FORCE"
                                                   and e.attributes.get("country") == dest.country
                                                   for e in ctx.entities)]
    if etype == "MANDATE" and not actors and status != "negated" \
            and (rule.get("attributes") or {}).get("action", "authorize") in _GRANTS:
        # "the original mandate, approved in October 2023": granted by the council the report names
        council = _council_before(ctx, tok.idx)
        actors = [council] if council and council not in targets else []
    if etype == "DECISION" and actors and _entity_types(ctx, actors) <= {"ARMED_GROUP"}:
        return []  # gangs block roads and ban traffic: that is not a policy decision
    attributes = dict(rule.get("attributes") or {})
    if etype == "TRAVEL" and place:
        attributes["from" if place_mode == "origin" else "to"] = place
    quantity = _pick_quantity(ctx, etype, tok, roles, sent)
    confidence = float(rule.get("confidence", 0.5)) + (0.1 if actors else 0) + (
        0.1 if dm is not None else 0) - (0.1 if tok.pos_ == "NOUN" else 0)
    if dm is not None and status == "occurred" and etype in _rules()["since_is_ongoing"] and _since(ctx, dm) \
            and _perfect_or_present(tok):
        status = "ongoing"  # "gangs have held the area since 2023"
        if date is not None and ctx.published is not None and date.end < ctx.published:
            date = DateInterval(start=date.start, end=ctx.published, precision="range", text=date.text)
    cand = _Cand(type=etype, status=status, status_explicit=explicit, trigger=tok, lemma=_lemma(tok),
                 evidence=_trim(text_of(ctx.doc), *_evidence(tok)), date=date, place=place, actors=actors,
                 targets=targets, quantity=quantity, attributes=attributes,
                 confidence=max(0.05, min(0.95, confidence)),
                 reference=_is_reference(tok, dm, quantity), carries_date=not judged)
    out = [cand]
    # gapping: "200 arrived on June 25 and a second group on July 16"
    if etype in ("DEPLOY", "WITHDRAW", "ARREST", "ATTACK", "TRAVEL"):
        for d in ctx.dates:
            if not (sent.start_char <= d.span.start < sent.end_char) or (dm is not None and d is dm):
                continue
            root = _date_root(ctx, d)
            if root is None:
                continue
            conj = next((a for a in [root] + list(root.ancestors)
                         if a.dep_ == "conj" and a.pos_ in ("NOUN", "PROPN") and a.i > tok.i), None)
            if conj is None or not any(x.i == tok.i for x in conj.head.ancestors) \
                    and conj.head.head != tok and conj.head != tok \
                    and not any(x.i == conj.head.i for x in tok.subtree) \
                    and not any(x.i == conj.head.i for s in roles.subj for x in s.subtree):
                continue
            twin = _Cand(**{**cand.__dict__, "date": d.interval, "also": [],
                            "actors": list(cand.actors), "attributes": dict(attributes),
                            "quantity": None})
            out.append(twin)
    del mod
    return out


def _date_governor(ctx: _Ctx, dm: DateMention) -> int | None:
    """The verb a date hangs from."""
    cur = _date_root(ctx, dm)
    for _ in range(6):
        if cur is None or cur.pos_ in ("VERB", "AUX"):
            break
        cur = cur.head
    return cur.i if cur is not None else None


def _heading_route(tok: Token) -> bool:
    """"the road toward Mirebalais": a route said to lead somewhere."""
    rules = _rules()
    return _lemma(tok) in rules["route_nouns"] and any(
        c.dep_ == "prep" and c.lower_ in rules["heading_preps"] for c in tok.children)


def _is_stock(tok: Token) -> bool:
    """A head count of people in a state, not a displacement told: "18,000 displaced people", "700,000
    people are displaced", "remain displaced". Told when a cause or origin is given ("displaced by the
    attack", "displaced from Solino") or the verb is past or perfect ("were displaced", "have been")."""
    told = _rules()["displacement_told_preps"]
    if any(c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ in told) for c in tok.children):
        return False
    if tok.tag_ not in ("VBN", "JJ"):
        return False
    if tok.dep_ in ("amod", "acl", "compound"):
        return True
    if tok.dep_ == "acomp":
        return _lemma(tok.head) in ("be", "remain") and tok.head.tag_ in ("VBZ", "VBP")
    aux = [c for c in tok.children if c.dep_ in ("aux", "auxpass")]
    return bool(aux) and all(a.tag_ in ("VBZ", "VBP") and _lemma(a) in ("be", "remain") for a in aux)


def _is_reference(tok: Token, dm: DateMention | None, quantity: str | None) -> bool:
    """A bare event noun that points at an occurrence rather than telling one: "before their deployment",
    "the deployment" with no date or numbers of its own."""
    rules = _rules()
    if tok.pos_ != "NOUN" or _lemma(tok) not in rules["reference_nouns"]:
        return False
    if tok.dep_ == "pobj" and tok.head.lower_ in rules["temporal_preps"]:
        return True
    if any(c.lower_ in rules["new_occurrence"] for c in tok.children):
        return False  # "a new deployment", "a second deployment"
    return dm is None and quantity is None


def _since(ctx: _Ctx, dm: DateMention) -> bool:
    """"since 2023", or "since a massacre in October": the date opens an interval."""
    if re.search(r"(?i)\bsince\s+$", text_of(ctx.doc)[max(0, dm.span.start - 8):dm.span.start]):
        return True
    root = _date_root(ctx, dm)
    for a in (root.ancestors if root is not None else []):
        if a.dep_ == "prep" and a.lower_ == "since":
            return True
        if a.pos_ in ("VERB", "AUX"):
            return False
    return False


def _perfect_or_present(tok: Token) -> bool:
    verb = _clause_verb(tok)
    return verb.tag_ in ("VBZ", "VBP") or any(
        c.dep_ == "aux" and _lemma(c) == "have" and c.tag_ in ("VBZ", "VBP") for c in verb.children)


def _place_compatible(ctx: _Ctx, a: str | None, b: str | None) -> bool:
    if a is None or b is None or a == b:
        return True
    pa = next((p for p in ctx.places if p.id == a), None)
    pb = next((p for p in ctx.places if p.id == b), None)
    if pa is None or pb is None:
        return False
    if pa.feature == "country" and pb.country == pa.country:
        return True
    if pb.feature == "country" and pa.country == pb.country:
        return True
    # "the Artibonite region" and "near Pont-Sondé": the town lies in the department
    for big, small in ((pa, pb), (pb, pa)):
        if big.feature == "admin1" and small.country == big.country and small.admin1 \
                and small.admin1 in (big.admin1, big.name):
            return True
    return False


def _dates_compatible(a: DateInterval | None, b: DateInterval | None) -> bool:
    if a is None or b is None or a.fallback or b.fallback:
        return True
    return a.start <= b.end and b.start <= a.end


def _quantity_value(ctx: _Ctx, qid: str | None) -> float | None:
    q = next((q for q in ctx.quantities if q.id == qid), None)
    return q.value if q else None


def _compatible(ctx: _Ctx, a: _Cand, b: _Cand) -> int:
    """A merge score (> 0) when b describes the same occurrence as a, else 0."""
    if a.type != b.type:
        return 0
    if a.status != b.status and a.status_explicit and b.status_explicit \
            and {a.status, b.status} != {"occurred", "ongoing"}:
        return 0
    if not _dates_compatible(a.date, b.date) or not _place_compatible(ctx, a.place, b.place):
        return 0
    groups = _rules()["action_groups"]
    for key in ("action", "direction"):
        va, vb = a.attributes.get(key), b.attributes.get(key)
        if key == "action":
            va, vb = groups.get(va, va), groups.get(vb, vb)
        if va and vb and va != vb:
            same_sentence = _sent(a.trigger).start == _sent(b.trigger).start
            if not (a.type in ("MANDATE", "CONTROL") and same_sentence):
                return 0
    if a.type == "DECISION" and a.attributes.get("action") != b.attributes.get("action"):
        return 0  # an appointment is not the policy decision told next to it
    qa, qb = _quantity_value(ctx, a.quantity), _quantity_value(ctx, b.quantity)
    if qa is not None and qb is not None and qa != qb:
        return 0
    if a.actors and b.actors and not set(a.actors) & set(b.actors) \
            and not _affiliated(ctx, a.actors, b.actors):
        return 0
    score = 1
    if a.lemma == b.lemma:
        score += 2
    if a.place and b.place and (a.place == b.place or _place_compatible(ctx, a.place, b.place)):
        score += 1  # the same place, or a town and its department
    if set(a.actors) & set(b.actors):
        score += 1
    if _sent(a.trigger).start == _sent(b.trigger).start:
        score += 2
    if b.trigger.pos_ == "NOUN" and any(c.dep_ in ("det", "poss") and c.lower_ not in ("a", "an", "another")
                                        for c in b.trigger.children):
        score += 1  # "the visit", "Ruto's visit": a mention of an occurrence already told
    if a.date is not None and b.date is not None and not a.date.fallback and not b.date.fallback:
        score += 1
    return score if score >= 2 else 0


def _affiliated(ctx: _Ctx, xs: list[str], ys: list[str]) -> bool:
    """A country and its own force are one party ("Kenya deploys officers" / "Kenyan officers landed")."""
    by_id = {e.id: e for e in ctx.entities}

    def nations(ids: list[str], etype: str, key: str) -> set[str]:
        return {str(by_id[i].attributes.get(key)) for i in ids
                if i in by_id and by_id[i].type == etype and by_id[i].attributes.get(key)}

    return bool(nations(xs, "COUNTRY", "iso2") & nations(ys, "FORCE", "country")
                or nations(ys, "COUNTRY", "iso2") & nations(xs, "FORCE", "country"))


def _merge(ctx: _Ctx, a: _Cand, b: _Cand) -> None:
    if b.evidence != a.evidence and b.evidence not in a.also:
        a.also.append(b.evidence)
    a.actors += [x for x in b.actors if x not in a.actors]
    a.targets += [x for x in b.targets if x not in a.targets and x not in a.actors]
    if a.place is None or (b.place is not None and _FEATURE_RANK.get(_place_feature(ctx, b.place), 6)
                           < _FEATURE_RANK.get(_place_feature(ctx, a.place), 6)):
        a.place = b.place or a.place
    if a.date is None or a.date.fallback:
        if b.date is not None and not b.date.fallback:
            a.date = b.date
    elif b.date is not None and not b.date.fallback \
            and (b.date.start, b.date.end) != (a.date.start, a.date.end):
        start, end = min(a.date.start, b.date.start), max(a.date.end, b.date.end)
        if a.date.precision == "day" and b.date.precision == "day" or (end - start).days <= 31:
            a.date = DateInterval(start=start, end=end, precision="range",
                                  text=a.date.text if a.date.text == b.date.text else None)
        else:  # keep the more precise one
            a.date = a.date if (a.date.end - a.date.start) <= (b.date.end - b.date.start) else b.date
    if not a.status_explicit and b.status_explicit:
        a.status, a.status_explicit = b.status, True
    a.quantity = a.quantity or b.quantity
    for k, v in b.attributes.items():
        a.attributes.setdefault(k, v)
    a.confidence = min(0.95, max(a.confidence, b.confidence) + 0.05)


def _place_feature(ctx: _Ctx, pid: str | None) -> str:
    p = next((p for p in ctx.places if p.id == pid), None)
    return p.feature if p else "other"


# ---------------------------------------------------------------- the stage


def _one_act_per_granting_verb(cands: list[_Cand]) -> list[_Cand]:
    """"renews the authorization", "approved the renewal of the mandate": a mandate noun that is the
    object of a mandate verb is that verb's act, named by the more specific action of the two."""
    verbs = {c.trigger.i: c for c in cands if c.type == "MANDATE" and c.trigger.pos_ == "VERB"}
    kept = []
    for c in cands:
        verb = verbs.get(c.trigger.head.i) if c.type == "MANDATE" and c.trigger.dep_ == "dobj" else None
        if verb is None or verb is c:
            kept.append(c)
            continue
        if verb.attributes.get("action", "authorize") == "authorize":
            verb.attributes["action"] = c.attributes.get("action", "authorize")
    return kept


def _money_triggers(ctx: _Ctx) -> list[Token]:
    out = []
    for q in ctx.quantities:
        if q.kind not in ("money", "money_rate"):
            continue
        span = ctx.doc.char_span(q.evidence.start, q.evidence.end, alignment_mode="expand")
        if span is None or not len(span):
            continue
        root = span.root
        verb = root
        for _ in range(6):
            if verb.pos_ in ("VERB", "AUX") or verb.head == verb:
                break
            verb = verb.head
        out.append(verb if verb.pos_ in ("VERB", "AUX") else root)
    return out


def _previous_sentence(tok: Token) -> SpacySpan | None:
    """The sentence before the token's, when both are in one paragraph."""
    sent = _sent(tok)
    if sent.start == 0:
        return None
    prev = _sent(tok.doc[sent.start - 1])
    body = text_of(tok.doc)
    prev_text = body[prev.start_char:prev.end_char]
    gap = body[prev.end_char:sent.start_char] + prev_text[len(prev_text.rstrip()):]
    return None if "\n" in gap else prev


def _the_one_day(ctx: _Ctx, sent: SpacySpan | None) -> DateInterval | None:
    """The day ``sent`` names, when it names exactly one (however many times)."""
    if sent is None:
        return None
    days = [d.interval for d in ctx.dates
            if sent.start_char <= d.span.start < sent.end_char and d.interval.precision == "day"]
    return days[0] if len({(d.start, d.end) for d in days}) == 1 else None


_OPENING = re.compile(r"(?i)^\W*(?:(?:on|in|early|late|by|and|but|then|so)\s+)*$")


def _lead_in_day(ctx: _Ctx, tok: Token) -> DateInterval | None:
    """The day a sentence's lead-in gives the clauses after it: "What happened on Tuesday: the Council
    voted", "On 19 November, gunmen attacked Pétion-Ville; the police repelled them"."""
    sent = _sent(tok)
    body = text_of(ctx.doc)
    before = body[sent.start_char:tok.idx]
    cut = max(before.rfind(":"), before.rfind(";"))
    days = [d for d in ctx.dates if sent.start_char <= d.span.start and d.span.end <= tok.idx
            and d.interval.precision == "day"]
    if cut >= 0:
        lead = [d.interval for d in days if d.span.end <= sent.start_char + cut]
    else:  # a day opening the sentence ("On Monday, ...") times all of it
        lead = [d.interval for d in days if _OPENING.match(body[sent.start_char:d.span.start])]
    return lead[0] if len({(d.start, d.end) for d in lead}) == 1 else None


@lru_cache(maxsize=1)
def _partitive_re() -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in _rules()["partitive_openers"])
    return re.compile(rf"(?i)(?:^|[\s,;(])(?:{words})\b")


def _partitive(ctx: _Ctx, tok: Token) -> bool:
    """The clause counts a part of a sum told before it: "of which", "Of this amount"."""
    sent = _sent(tok)
    return bool(_partitive_re().search(text_of(ctx.doc)[sent.start_char:tok.idx]))


def _carry_over(ctx: _Ctx, cands: list[_Cand]) -> None:
    """What a report says once and then takes as read: a dateless event told right after a dated one
    in the same paragraph happened that day ("On Friday 23 May, units dismantled a hideout. Four
    people were arrested."); an arrest with no one named was made by the forces of the operation just
    told; "the operation" with no actor of its own is the one told just before."""
    groups = _rules()["anaphora_groups"]
    for n, c in enumerate(cands):
        earlier = [o for o in cands[:n] if o.trigger.idx < c.trigger.idx]
        if c.date is not None and c.date.fallback and c.status == "occurred" and not _is_heading(c.trigger) \
                and c.carries_date:
            day = _lead_in_day(ctx, c.trigger) or _the_one_day(ctx, _previous_sentence(c.trigger))
            if day is not None:
                c.date = day
        if c.actors:
            continue
        definite = c.trigger.pos_ == "NOUN" and any(
            x.dep_ == "det" and x.lower_ in ("the", "this", "that") for x in c.trigger.children)
        agentless = c.type == "ARREST" and not c.actors
        # "pledged $60 million, of which $25 million has been disbursed", "Of this amount, ...": a part
        # of the sum just told comes from the same donor
        partitive = c.type == "FUNDING" and _partitive(ctx, c.trigger)
        if not (definite or agentless or partitive) or c.type not in groups:
            continue
        reach = 800 if agentless else 400 if partitive else 1000
        pointed = any(t.pos_ == "NOUN" and _lemma(t) in _rules()["partner_nouns"] and any(
            x.lower_ in ("the", "this", "that") for x in t.children) for t in _sent(c.trigger))
        source = next((o for o in reversed(earlier) if o.type in groups[c.type] and o.actors
                       and c.trigger.idx - o.trigger.idx <= reach
                       # an operation or an arrest is the security forces', never the gangs' last move
                       and not (c.type in ("OPERATION", "ARREST")
                                and _entity_types(ctx, o.actors) <= {"ARMED_GROUP"})
                       and (definite or pointed or partitive
                            or "\n" not in text_of(ctx.doc)[o.trigger.idx:c.trigger.idx])), None)
        if source is not None:
            c.actors = [a for a in source.actors if a not in c.targets]


def find_events(doc: Doc, published: dt.date | None, entities: list[Entity], places: list[Place],
                dates: list[DateMention], quantities: list[Quantity]) -> list[Event]:
    rules = _rules()
    ctx = _Ctx(doc=doc, published=published, entities=entities, places=places, dates=dates,
               quantities=quantities)
    # the dateline ("NAIROBI, Kenya —") says where the report was filed, never who acted
    dateline = analyse(doc).dateline if text_of(doc).strip() else None
    ctx.mention_index = _ByStart((m.start, m.end, e) for e in entities for m in e.mentions
                                 if dateline is None or m.start >= dateline[1])
    ctx.place_index = _ByStart((m.start, m.end, p) for p in places for m in p.mentions)
    ctx.dateline = dateline
    seen: set[tuple[int, str]] = set()
    cands: list[_Cand] = []
    for trigger_id, start, _end in _matcher()(doc):
        rule = rules["by_id"][trigger_id]
        tok = doc[start + int(rule.get("trigger", 0))] if start + int(rule.get("trigger", 0)) < len(doc) \
            else doc[start]
        key = (tok.i, rule["type"] if not rule.get("mover") else "MOVE")
        if key in seen:
            continue
        movers = _displaced_movers(ctx, tok)
        built = [c for m in movers for c in _build(ctx, rule, tok, m)] if movers else _build(ctx, rule, tok)
        if built:
            seen.add(key)
            cands.extend(built)
    # money amounts are funding (a cost, pledge, contribution or shortfall)
    funding_rule = {"id": "money", "type": "FUNDING", "confidence": 0.6}
    for verb in _money_triggers(ctx):
        if (verb.i, "FUNDING") in seen:
            continue
        seen.add((verb.i, "FUNDING"))
        for c in _build(ctx, funding_rule, verb):
            if c.quantity is None:
                qs = [q for q in quantities if q.kind in ("money", "money_rate")
                      and _sent(verb).start_char <= q.evidence.start < _sent(verb).end_char]
                c.quantity = qs[0].id if qs else None
            cands.append(c)
    # DECISION "approve" only when it is not a mandate approval in the same place
    cands = [c for c in cands if not (c.lemma in ("approve", "adopt") and c.type == "DECISION" and any(
        o.trigger.i == c.trigger.i and o.type == "MANDATE" for o in cands))]
    # "declared a state of emergency": a decision, not also a statement
    cands = [c for c in cands if not (c.type == "STATEMENT" and any(
        o.trigger.i == c.trigger.i and o.type != "STATEMENT" for o in cands))]
    cands = _one_act_per_granting_verb(cands)
    cands.sort(key=lambda c: c.trigger.idx)
    _carry_over(ctx, cands)
    merged: list[_Cand] = []
    for c in cands:
        scored = [(s, m) for m in merged if (s := _compatible(ctx, m, c)) > 0]
        if not scored and c.reference:
            continue
        if scored:
            target = max(scored, key=lambda x: x[0])[1]
            if target.status != c.status and c.date is not None and not c.date.fallback and (
                    target.date is None or target.date.fallback):
                target.status = c.status
            _merge(ctx, target, c)
        else:
            merged.append(c)
    out: list[Event] = []
    for n, c in enumerate(merged, start=1):
        attributes = dict(c.attributes)
        if c.also:
            attributes["also"] = [Span.of(text_of(doc), s, e).model_dump() for s, e in c.also]
        attributes["trigger"] = c.trigger.text
        if c.type == "MANDATE" and not attributes.get("action"):
            attributes["action"] = "authorize"
        out.append(Event(
            id=f"v{n}", type=c.type, plover=rules["types"].get(c.type), status=c.status,  # type: ignore[arg-type]
            date=c.date, place=c.place, actors=c.actors, targets=c.targets, quantity=c.quantity,
            attributes=attributes, confidence=round(c.confidence, 2),
            evidence=Span.of(text_of(doc), *c.evidence), extractor=VERSION))
    return out
