"""Turn a ``MissionPicture`` into a brief.

One context (``brief_context``) feeds both templates, so the Markdown and
HTML/PDF briefs say the same things. Citations are footnotes: every
statement carries ``[n]`` markers and the Sources section gives, for each n,
the report id, outlet, date and the quoted evidence words.

Report text is hostile input: HTML is rendered by Jinja2 with autoescape on,
and Markdown quotes are escaped (``markdown_escape``) so a report cannot
inject markup into a viewer that renders Markdown.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from missionwatch import fileio
from missionwatch.brief.charts import TYPE_COLOURS, event_map, force_chart, period_events
from missionwatch.mission.model import (
    Figure,
    Mandate,
    MissionPicture,
    Money,
    Source,
    StrengthPoint,
    TimelineEvent,
)

PERIOD_DAYS = 90


class BriefFormat(StrEnum):
    md = "md"
    html = "html"
    pdf = "pdf"


@dataclass
class Citer:
    """Numbers sources in order of first citation; one number per (report, fact, quote)."""

    sources: list[Source] = field(default_factory=list)
    index: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def __call__(self, sources: list[Source], limit: int = 6) -> list[int]:
        out = []
        for s in sources[:limit]:
            key = (s.report_id, s.fact, s.quote)
            if key not in self.index:
                self.sources.append(s)
                self.index[key] = len(self.sources)
            out.append(self.index[key])
        return sorted(set(out))


def people_number(value: float | None) -> str:
    return "unknown" if value is None else f"{value:,.0f}"


def usd(value: float | None) -> str:
    if value is None:
        return "unknown"
    if abs(value) >= 1e9:
        return f"${value / 1e9:,.2f}bn"
    if abs(value) >= 1e6:
        return f"${value / 1e6:,.1f}M"
    return f"${value:,.0f}"


def span_text(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "unknown"
    return people_number(low) if low == high else f"{people_number(low)}–{people_number(high)}"


def date_text(event: TimelineEvent) -> str:
    if event.date is None:
        return "undated"
    d = event.date
    suffix = " (report date)" if d.fallback else ""
    if d.start == d.end:
        return f"{d.start}{suffix}"
    if d.precision == "month":
        return d.start.strftime("%B %Y") + suffix
    return f"{d.start} – {d.end}{suffix}"


def figure_text(f: Figure) -> str:
    if f.unit == "USD":
        return usd(f.value)
    return people_number(f.value) + (f" {f.unit}" if f.unit else "")


def figures_text(figures: list[Figure], cite: Citer) -> list[dict[str, Any]]:
    return [{"text": figure_text(f), "cites": cite(f.sources)} for f in figures]


#: Mission-wide strength figures the brief prints (the latest; subjectless figures are noisy).
STATED_TOTALS = 1


def _point(point: StrengthPoint, cite: Citer) -> dict[str, Any]:
    return {"date": point.date, "kind": point.kind, "figures": figures_text(point.figures, cite),
            "disputed": point.disputed}


def _headlines(picture: MissionPicture, cite: Citer) -> list[dict[str, Any]]:
    mandate, money, forces = picture.mandate, picture.money, picture.forces
    headlines: list[dict[str, Any]] = []
    in_theatre = [c for c in forces.contingents if c.country != "MIXED" and c.estimate_low is not None]
    headlines.append({"label": "Personnel in theatre (estimate)",
                      "value": span_text(forces.total_low, forces.total_high),
                      "note": f"{len(in_theatre)} contributing countries with figures",
                      "cites": cite([s for c in in_theatre for p in c.series[-1:] for f in p.figures
                                     for s in f.sources])})
    if mandate.days_until_expiry is not None and mandate.expires is not None:
        days = mandate.days_until_expiry
        headlines.append({"label": "Mandate",
                          "value": f"{days} days left" if days >= 0 else f"expired {-days} days ago",
                          "note": f"{mandate.status}; expires {mandate.expires.start}",
                          "cites": cite(mandate.expiry_sources)})
    else:
        headlines.append({"label": "Mandate", "value": mandate.status, "note": "expiry unknown", "cites": []})
    if money.monthly_cost_usd:
        headlines.append({"label": "Running cost", "value": " / ".join(usd(f.value) + "/month"
                                                                       for f in money.monthly_cost_usd),
                          "note": "latest stated, normalised to USD per month",
                          "cites": cite([s for f in money.monthly_cost_usd for s in f.sources])})
    if money.pledged_total_usd is not None:
        donors = money.pledges_by_donor + money.contributions_by_donor
        headlines.append({"label": "Pledged or contributed", "value": usd(money.pledged_total_usd),
                          "note": f"{len(donors)} donor entries",
                          "cites": cite([s for d in donors for i in d.items for s in i.sources])})
    headlines.append({"label": "Open contradictions", "value": str(len(picture.contradictions)),
                      "note": "sources that disagree (see below)", "cites": []})
    return headlines


def _mandate_lines(mandate: Mandate, cite: Citer) -> list[dict[str, Any]]:
    mandate_lines = []
    if mandate.authorised:
        a = mandate.authorised
        mandate_lines.append({"text": f"Authorised {date_label(a.date)} by {', '.join(a.by) or 'unstated'}"
                              + (f" for {a.duration_months} months" if a.duration_months else ""),
                              "cites": cite(a.sources)})
    for r in mandate.renewals:
        mandate_lines.append({"text": f"Renewed {date_label(r.date)}"
                              + (f" for {r.duration_months} months" if r.duration_months else ""),
                              "cites": cite(r.sources)})
    if mandate.expires:
        mandate_lines.append({"text": f"Expires {mandate.expires.start} ({mandate.expiry_basis})",
                              "cites": cite(mandate.expiry_sources)})
    for r in mandate.renewal_expected:
        mandate_lines.append({"text": f"Renewal expected {date_label(r.date)}", "cites": cite(r.sources)})
    return mandate_lines


def _money_lines(money: Money, cite: Citer) -> list[dict[str, Any]]:
    money_lines = []
    for item in money.costs:
        rate = f" ≈ {usd(item.usd_per_month)}/month" if item.usd_per_month is not None else ""
        per = f" every {item.period_count:g} {item.per}(s)" if item.per else ""
        money_lines.append({"text": f"Cost: {item.value:,.0f} {item.unit or ''}{per}{rate}",
                            "cites": cite(item.sources)})
    for label, totals in (("Pledged", money.pledges_by_donor), ("Contributed", money.contributions_by_donor)):
        for d in totals:
            money_lines.append({"text": f"{label} by {d.donor}: {usd(d.usd)}",
                                "cites": cite([s for i in d.items for s in i.sources])})
    for item in money.stated_shortfalls:
        rate = f" ≈ {usd(item.usd_per_month)}/month" if item.usd_per_month is not None else ""
        money_lines.append({"text": f"Stated shortfall: {item.value:,.0f} {item.unit or ''}{rate}",
                            "cites": cite(item.sources)})
    if money.derived_shortfall:
        shortfall = money.derived_shortfall
        money_lines.append({"text": f"Shortfall {usd(shortfall.usd)} ({shortfall.basis})",
                            "cites": cite(shortfall.sources)})
    for item in money.unconverted:
        money_lines.append({"text": f"{item.cls.capitalize()}: {item.value:,.0f} {item.unit or ''}"
                                    " (not converted: floating currency)", "cites": cite(item.sources)})
    return money_lines


def brief_context(picture: MissionPicture, since: dt.date | None = None) -> dict[str, Any]:
    cite = Citer()
    since = since or picture.as_of - dt.timedelta(days=PERIOD_DAYS)
    forces = picture.forces
    # in the order the brief reads: sources are numbered by first citation
    headlines = _headlines(picture, cite)
    mandate_lines = _mandate_lines(picture.mandate, cite)

    contingents = []
    for c in forces.contingents:
        contingents.append({
            "name": c.country_name, "status": c.status, "units": ", ".join(c.units),
            "estimate": span_text(c.estimate_low, c.estimate_high),
            "first_arrival": c.first_arrival,
            "stated": _point(c.latest_stated, cite) if c.latest_stated else None,
            "flows": [_point(p, cite) for p in c.flows_since_stated],
            "planned": [_point(p, cite) for p in c.planned],
        })

    events = period_events(picture, since)
    map_png, on_map, off_map = event_map(picture, events)
    chart_png = force_chart(picture)

    territory = [{"place": t.place, "holder": t.latest.holder, "direction": t.latest.direction,
                  "date": t.latest.date, "actors": ", ".join(t.latest.actors),
                  "cites": cite(t.latest.sources),
                  "trail": [{"date": s.date, "holder": s.holder, "cites": cite(s.sources)} for s in t.trail]}
                 for t in picture.territory]
    money_lines = _money_lines(picture.money, cite)

    timeline = [{"id": e.id, "date": date_text(e), "type": e.type, "colour": TYPE_COLOURS.get(e.type, "#000"),
                 "status": e.status, "place": e.place.name if e.place else "",
                 "who": ", ".join(e.actors[:3]), "figures": figures_text(e.quantities, cite),
                 "n_sources": len(e.sources), "cites": cite(e.sources)} for e in events]

    contradictions = [{"kind": c.kind, "subject": c.subject, "detail": c.detail,
                       "claims": [{"text": claim_text(f), "cites": cite(f.sources)} for f in c.claims]}
                      for c in picture.contradictions]
    capabilities = [{"capability": g.capability, "first": g.first_reported, "last": g.last_reported,
                     "cites": cite(g.sources)} for g in picture.capabilities]
    people = [{"name": p.name, "current": ", ".join(p.current_roles),
               "history": [{"role": r.role, "first": r.first_reported, "last": r.last_reported,
                            "cites": cite(r.sources)} for r in p.roles]} for p in picture.people]

    return {
        "mission": picture.mission, "as_of": picture.as_of, "since": since, "reports": picture.reports,
        "headlines": headlines, "mandate_lines": mandate_lines, "contingents": contingents,
        # the latest: older mission totals are history
        "stated_totals": [_point(p, cite) for p in forces.stated_mission_totals[-STATED_TOTALS:]],
        "chart_png": chart_png, "map_png": map_png, "on_map": on_map, "off_map": off_map,
        "territory": territory, "money_lines": money_lines, "capabilities": capabilities, "people": people,
        "timeline": timeline, "contradictions": contradictions,
        "sources": [{"n": n, "report_id": s.report_id, "outlet": s.outlet, "date": s.report_date,
                     "quote": s.quote, "fact": s.fact} for n, s in enumerate(cite.sources, start=1)],
    }


def claim_text(figure: Figure) -> str:
    if figure.unit in ("reported", "denied"):
        return figure.unit
    if figure.unit == "USD/month":
        return usd(figure.value) + "/month"
    return people_number(figure.value)


def date_label(date: Any) -> str:
    if date is None:
        return "(undated)"
    if date.precision == "month":
        return "in " + date.start.strftime("%B %Y")
    if date.start == date.end:
        return f"on {date.start}"
    return f"between {date.start} and {date.end}"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+|!~])")


def markdown_escape(text: Any) -> str:
    """Report text inside Markdown: one line, Markdown and HTML syntax characters escaped."""
    return _MD_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", str(text)).strip())


def _env() -> Environment:
    env = Environment(loader=PackageLoader("missionwatch.brief", "templates"),
                      autoescape=select_autoescape(["html", "j2.html"], default_for_string=True,
                                                   default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["md"] = markdown_escape
    env.filters["cites"] = lambda ns: "".join(f"[{n}]" for n in ns)
    env.filters["data_uri"] = lambda png: "data:image/png;base64," + base64.b64encode(png).decode()
    return env


def render_html(picture: MissionPicture, since: dt.date | None = None) -> str:
    return _env().get_template("brief.html").render(**brief_context(picture, since))


def render_markdown(picture: MissionPicture, since: dt.date | None = None,
                    image_dir: Path | None = None, image_prefix: str = "brief") -> str:
    """Markdown; with ``image_dir`` the two figures are written there as PNG files and linked."""
    context = brief_context(picture, since)
    images: dict[str, str | None] = {"chart": None, "map": None}
    if image_dir is not None:
        for key, png in (("chart", context["chart_png"]), ("map", context["map_png"])):
            if png:
                path = image_dir / f"{image_prefix}-{key}.png"
                fileio.write_bytes(path, png)  # complete or absent, even if the process is killed
                images[key] = path.name
    env = _env()
    env.autoescape = False  # Markdown: quotes go through the |md filter instead
    return env.get_template("brief.md").render(**context, images=images)


def render_brief(picture: MissionPicture, fmt: BriefFormat | str, output: Path | None,
                 since: dt.date | None = None) -> str | None:
    """Render to ``output`` (a file) or return the text (md/html) when ``output`` is None."""
    fmt = BriefFormat(fmt)
    if fmt is BriefFormat.md:
        text = render_markdown(picture, since, image_dir=output.parent if output else None,
                               image_prefix=output.stem if output else "brief")
    else:
        text = render_html(picture, since)
    if fmt is BriefFormat.pdf:
        if output is None:
            raise ValueError("a PDF brief needs an output file")
        from weasyprint import HTML

        with fileio.atomic_path(output) as tmp:
            HTML(string=text).write_pdf(str(tmp))
        return None
    if output is None:
        return text
    fileio.write_text(output, text)
    return None
