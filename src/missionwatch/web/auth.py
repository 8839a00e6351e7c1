"""Tokens, sessions and CSRF for the dashboard and the API.

* A user's token is printed once by ``missionwatch user add``; only its SHA-256
  is stored (tokens are 256 random bits, so a plain hash is enough to make a
  stolen database useless for signing in).
* Signing in with a token gives a session cookie: ``user_id.expiry.mac`` where
  the MAC is an HMAC-SHA256 under the app's secret key. HttpOnly, SameSite=Lax.
* Every form carries a CSRF token derived from the session (HMAC of the cookie
  under the secret key); API clients that send ``Authorization: Bearer <token>``
  are not cookie-authenticated and need no CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

ROLES = ("analyst", "admin")
SESSION_COOKIE = "mw_session"
SESSION_SECONDS = 12 * 3600


def new_token() -> str:
    return "mw_" + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is asking: a signed-in user (or nobody, for anonymous reads)."""

    user_id: int
    name: str
    role: str

    @property
    def can_write(self) -> bool:
        return self.role in ROLES


def _mac(secret: bytes, message: str) -> str:
    return hmac.new(secret, message.encode("utf-8"), hashlib.sha256).hexdigest()


def make_session(secret: bytes, user_id: int, now: float | None = None) -> str:
    expiry = int((now or time.time()) + SESSION_SECONDS)
    body = f"{user_id}.{expiry}"
    return f"{body}.{_mac(secret, 'session:' + body)}"


def read_session(secret: bytes, cookie: str | None, now: float | None = None) -> int | None:
    """The user id in a valid, unexpired session cookie, else None."""
    if not cookie or len(cookie) > 200:
        return None
    parts = cookie.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    body = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(parts[2], _mac(secret, "session:" + body)):
        return None
    if int(parts[1]) < (now or time.time()):
        return None
    return int(parts[0])


def csrf_token(secret: bytes, session_cookie: str) -> str:
    return _mac(secret, "csrf:" + session_cookie)


def check_csrf(secret: bytes, session_cookie: str | None, token: str | None) -> bool:
    if not session_cookie or not token:
        return False
    return hmac.compare_digest(csrf_token(secret, session_cookie), token)
