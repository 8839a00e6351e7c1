"""The FastAPI application: JSON API under /api, dashboard pages, static files.

``create_app(store_url, private=False)`` opens the store (migrating it) and
wires everything. Errors leave as ``{"error": {"code", "message"}}`` with the
catalogue's HTTP status (pages get an HTML error page instead).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from missionwatch import settings
from missionwatch.errors import MissionwatchError
from missionwatch.mission.service import MissionService
from missionwatch.store import Store
from missionwatch.web.queries import WebData

STATIC_DIR = str(files("missionwatch.web").joinpath("static"))
SECURITY_HEADERS = {
    # Inline scripts are never needed: all JS is in /static. Report text is
    # escaped by Jinja2 anyway; the CSP is a second wall.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data: {tiles}; connect-src 'self'; object-src 'none'; "
                               "base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def error_json(code: str, message: str, status: int | None = None) -> JSONResponse:
    from missionwatch.errors import CATALOGUE

    status = status or (CATALOGUE[code].http_status if code in CATALOGUE else 400)
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path in ("/openapi.json",)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "body", "path"))
        parts.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def _warm(mission: MissionService) -> None:
    try:
        mission.warm(dt.date.today())
    except Exception:  # a request will meet (and report) the same error
        logging.getLogger(__name__).exception("warming the mission picture failed")


def create_app(store_url: str | None = None, private: bool | None = None, *, secret_key: bytes | None = None,
               tile_url: str | None = None) -> FastAPI:
    store = Store.open(store_url)
    private = bool(settings.get("private", private))
    tiles = str(settings.get("tile_url", tile_url) or "")

    mission = MissionService(store)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Warm the picture off the event loop: requests that need it wait on the service's lock.
        warm = threading.Thread(target=_warm, args=(mission,), name="mission-warm", daemon=True)
        warm.start()
        yield
        warm.join()
        store.close()

    app = FastAPI(title="missionwatch", version="1",
                  description="A sourced picture of a multinational security mission. Reading is open "
                              "unless the deployment is private; writing needs a token "
                              "(`Authorization: Bearer <token>`) or a signed-in session with its CSRF token "
                              "(`X-CSRF-Token`).",
                  lifespan=lifespan)
    app.state.store = store
    app.state.data = WebData(store.engine)
    app.state.mission = mission
    app.state.private = private
    app.state.tile_url = tiles
    app.state.secret = secret_key or secrets.token_bytes(32)

    tile_origin = ""
    if tiles.startswith(("http://", "https://")):
        from urllib.parse import urlsplit

        parts = urlsplit(tiles.replace("{s}", "a"))
        tile_origin = f"{parts.scheme}://{parts.netloc}".replace("://a.", "://*.")
    headers = {k: v.replace("{tiles}", tile_origin).replace(" ;", ";") for k, v in SECURITY_HEADERS.items()}

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        for key, value in headers.items():
            if key == "Content-Security-Policy" and request.url.path in ("/docs", "/redoc"):
                continue  # Swagger UI is served by FastAPI with inline script
            response.headers.setdefault(key, value)
        return response

    @app.exception_handler(MissionwatchError)
    async def on_error(request: Request, exc: MissionwatchError) -> Response:
        if _is_api(request):
            return error_json(exc.code, exc.message, exc.http_status)
        from missionwatch.web.pages import error_page

        return error_page(request, exc.http_status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> Response:
        message = _validation_message(exc)
        if _is_api(request):
            return error_json("MW301", message, 400)
        from missionwatch.web.pages import error_page

        return error_page(request, 400, "MW301", message)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        code = {401: "MW302", 403: "MW303"}.get(exc.status_code, f"HTTP{exc.status_code}")
        message = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path[:200]}"
        response: Response
        if _is_api(request) or exc.status_code == 405:
            response = error_json(code, message, exc.status_code)
        else:
            from missionwatch.web.pages import error_page

            response = error_page(request, exc.status_code, code, message)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(Exception)
    async def on_crash(request: Request, exc: Exception) -> Response:  # pragma: no cover - last resort
        from sqlalchemy.exc import OperationalError

        if isinstance(exc, OperationalError):
            return error_json("MW203", "the database is busy or unavailable; try again", 503)
        return error_json("MW401", f"internal error ({type(exc).__name__})", 500)

    from missionwatch.web import api, pages

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def page_response(html: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(html, status_code=status)
