"""Request dependencies: who is asking, may they read, may they write."""

from __future__ import annotations

from fastapi import Request

from missionwatch.errors import MissionwatchError
from missionwatch.web import auth
from missionwatch.web.queries import WebData


def data(request: Request) -> WebData:
    return request.app.state.data


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def principal(request: Request) -> auth.Principal | None:
    """The signed-in user (bearer token or session cookie), or None. Cached per request."""
    if hasattr(request.state, "principal"):
        return request.state.principal
    who = None
    token = _bearer(request)
    if token:
        who = data(request).user_by_token(token)
        request.state.via = "token" if who else None
    else:
        user_id = auth.read_session(request.app.state.secret, request.cookies.get(auth.SESSION_COOKIE))
        if user_id is not None:
            who = data(request).user_by_id(user_id)
            request.state.via = "cookie" if who else None
    request.state.principal = who
    return who


def reader(request: Request) -> auth.Principal | None:
    """Anyone may read, unless the deployment is private."""
    who = principal(request)
    if request.app.state.private and who is None:
        if _bearer(request):
            raise MissionwatchError("MW302", "the token is not valid")
        raise MissionwatchError("MW302", "this deployment is private: sign in or send a token")
    return who


def csrf_for(request: Request) -> str:
    cookie = request.cookies.get(auth.SESSION_COOKIE)
    return auth.csrf_token(request.app.state.secret, cookie) if cookie else ""


def writer(request: Request, csrf: str | None = None) -> auth.Principal:
    """A signed-in user who may write. Cookie sessions must also send the CSRF token."""
    who = principal(request)
    if who is None:
        if _bearer(request):
            raise MissionwatchError("MW302", "the token is not valid")
        raise MissionwatchError("MW302",
                                "writing needs a token: sign in, or send Authorization: Bearer <token>")
    if getattr(request.state, "via", None) == "cookie":
        sent = csrf or request.headers.get("x-csrf-token")
        if not auth.check_csrf(request.app.state.secret, request.cookies.get(auth.SESSION_COOKIE), sent):
            raise MissionwatchError("MW303", "missing or wrong CSRF token; reload the page and try again")
    if not who.can_write:
        raise MissionwatchError("MW303", f"role {who.role!r} may not write")
    return who
