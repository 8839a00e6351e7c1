"""The daily brief: the mission picture as Markdown, HTML or PDF, every statement cited.

``render_brief(picture, fmt, output)``; see ``render``.
"""

from missionwatch.brief.render import BriefFormat, brief_context, render_brief, render_html, render_markdown

__all__ = ["BriefFormat", "brief_context", "render_brief", "render_html", "render_markdown"]
