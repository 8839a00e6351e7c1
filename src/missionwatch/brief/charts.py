"""The brief's two figures, drawn offline with matplotlib's Agg canvas (no pyplot state, no network).

The map uses the vendored country outlines (``geo.outlines``) and the
coordinates the gazetteer gave each place: no tiles.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import NamedTuple

import matplotlib.dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from missionwatch.geo.outlines import polygons_in_box
from missionwatch.mission.knowledge import knowledge
from missionwatch.mission.model import MissionPicture, TimelineEvent

#: One colour per event type, shared by the map legend and the timeline table.
TYPE_COLOURS = {
    "DEPLOY": "#1f77b4", "WITHDRAW": "#9467bd", "OPERATION": "#2ca02c", "ARREST": "#17becf",
    "ATTACK": "#d62728", "CONTROL": "#ff7f0e", "DISPLACEMENT": "#8c564b", "TRAVEL": "#7f7f7f",
    "MEETING": "#bcbd22", "MANDATE": "#e377c2", "FUNDING": "#393b79", "DECISION": "#637939",
    "STATEMENT": "#843c39",
}


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def force_chart(picture: MissionPicture) -> bytes | None:
    """Estimated personnel in theatre per contributor over time (a band where sources disagree)."""
    fig = Figure(figsize=(7.2, 3.0))
    ax = fig.add_subplot()
    drawn = False
    for contingent in picture.forces.contingents:
        points = contingent.estimates
        if not points:
            continue
        days = mdates.date2num([p.date for p in points] + [picture.as_of])
        lows = [p.low for p in points] + [points[-1].low]
        highs = [p.high for p in points] + [points[-1].high]
        line = ax.step(days, highs, where="post", label=contingent.country_name, linewidth=1.8)[0]
        if lows != highs:
            ax.fill_between(days, lows, highs, step="post", alpha=0.25, color=line.get_color())
        stated = [(p.date, f.value) for p in contingent.series if p.kind == "stated" for f in p.figures]
        if stated:
            ax.scatter(mdates.date2num([d for d, _ in stated]), [v for _, v in stated], s=14,
                       color=line.get_color(), zorder=3)
        drawn = True
    if not drawn:
        return None
    ax.set_ylabel("personnel in theatre")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best", framealpha=0.85)
    ax.set_title(f"Force strength (estimate; dots = stated figures), as of {picture.as_of}", fontsize=9)
    locator = mdates.AutoDateLocator(minticks=4, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # no rotated, overlapping dates
    ax.tick_params(labelsize=8)
    return _png(fig)


class _Dot(NamedTuple):
    """An event placed on the map."""

    lon: float
    lat: float
    place: str
    type: str
    sources: int


def event_map(picture: MissionPicture, events: list[TimelineEvent]) -> tuple[bytes, int, int]:
    """Events with coordinates inside the theatre; returns (png, plotted, outside the map)."""
    west, south, east, north = knowledge().theatre_bbox
    # A country-level place ("Haiti") sits at the country's centroid: not a location to plot.
    inside = [_Dot(e.place.lon, e.place.lat, e.place.name, e.type, len(e.sources)) for e in events
              if e.place and e.place.lat is not None and e.place.lon is not None
              and e.place.feature != "country"
              and west <= e.place.lon <= east and south <= e.place.lat <= north]
    outside = sum(1 for e in events if e.place and e.place.lat is not None and e.place.feature != "country") \
        - len(inside)
    if inside:
        # Zoom to the events (the capital's neighbourhoods are kilometres apart), never beyond the theatre.
        lons = [d.lon for d in inside]
        lats = [d.lat for d in inside]
        pad_x = max(0.25, (max(lons) - min(lons)) * 0.15)
        pad_y = max(0.18, (max(lats) - min(lats)) * 0.15)
        west, east = max(west, min(lons) - pad_x), min(east, max(lons) + pad_x)
        south, north = max(south, min(lats) - pad_y), min(north, max(lats) + pad_y)
    fig = Figure(figsize=(7.2, 4.6))
    ax = fig.add_subplot()
    for ring in polygons_in_box(west, south, east, north):
        xs, ys = zip(*ring, strict=True)
        ax.fill(xs, ys, facecolor="#f2efe6", edgecolor="#888888", linewidth=0.6)
    seen_types: set[str] = set()
    for d in inside:
        colour = TYPE_COLOURS.get(d.type, "black")
        ax.scatter([d.lon], [d.lat], s=30 + 12 * d.sources, color=colour,
                   edgecolor="white", linewidth=0.6, zorder=3,
                   label=d.type if d.type not in seen_types else None)
        seen_types.add(d.type)
    # Places a few kilometres apart share one label ("Delmas / Solino") instead of overprinting.
    near = max(east - west, north - south) * 0.04
    labels: list[tuple[float, float, list[str]]] = []
    for name, (lon, lat) in {d.place: (d.lon, d.lat) for d in inside}.items():
        group = next((g for g in labels if abs(g[0] - lon) < near and abs(g[1] - lat) < near), None)
        if group is None:
            labels.append((lon, lat, [name]))
        else:
            group[2].append(name)
    for lon, lat, names in labels:
        ax.annotate(" / ".join(sorted(names)), (lon, lat), xytext=(5, 5), textcoords="offset points",
                    fontsize=7,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.7, "linewidth": 0})
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect("equal")
    ax.set_facecolor("#dce9f5")
    ax.tick_params(labelsize=7)
    if seen_types:
        ax.legend(fontsize=7, loc="lower left")
    ax.set_title(f"Events of the period ({len(inside)} on the map; bigger = more sources)", fontsize=9)
    return _png(fig), len(inside), outside


def period_events(picture: MissionPicture, since: dt.date) -> list[TimelineEvent]:
    """Events of [since, as_of] (by their date, or by their first report when undated), plus planned ones."""
    out = []
    for e in picture.timeline:
        if e.date is not None and not e.date.fallback:
            if e.date.end >= since and (e.date.start <= picture.as_of or e.status == "planned"):
                out.append(e)
        elif any(s.report_date and since <= s.report_date <= picture.as_of for s in e.sources):
            out.append(e)
    return out
