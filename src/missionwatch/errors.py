"""The error catalogue: every error a user can see has a stable code.

Codes never change meaning once released; new ones are appended. The CLI
prints ``MW-CODE path: message`` on one line and exits non-zero; the web API
returns ``{"error": {"code", "message"}}`` with the HTTP status below.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorKind:
    code: str
    http_status: int
    summary: str


CATALOGUE: dict[str, ErrorKind] = {
    k.code: k
    for k in [
        # readers: the input itself is unusable
        ErrorKind("MW101", 422, "empty input"),
        ErrorKind("MW102", 422, "binary input"),
        ErrorKind("MW103", 422, "undecodable text"),
        ErrorKind("MW104", 422, "invalid date"),
        ErrorKind("MW105", 422, "no main text found in page"),
        ErrorKind("MW106", 422, "malformed JSON line"),
        ErrorKind("MW107", 415, "unsupported file type"),
        ErrorKind("MW108", 413, "input too large"),
        ErrorKind("MW109", 404, "file not found"),
        ErrorKind("MW110", 422, "malformed feed"),
        ErrorKind("MW111", 422, "report took too long to process"),
        ErrorKind("MW112", 422, "extraction failed"),
        # store
        ErrorKind("MW201", 404, "no such report"),
        ErrorKind("MW202", 404, "no such event"),
        ErrorKind("MW203", 503, "database unavailable"),
        ErrorKind("MW204", 409, "database schema is out of date"),
        ErrorKind("MW205", 422, "malformed import file"),
        ErrorKind("MW206", 409, "report id already used by a different report"),
        ErrorKind("MW207", 409, "name already taken"),
        ErrorKind("MW208", 409, "store is not empty"),
        ErrorKind("MW209", 422, "report cannot be stored"),
        # queries and review
        ErrorKind("MW301", 400, "invalid parameter"),
        ErrorKind("MW302", 401, "sign-in required"),
        ErrorKind("MW303", 403, "not allowed"),
        ErrorKind("MW304", 404, "no such fact"),
        ErrorKind("MW305", 400, "invalid correction"),
        # configuration
        ErrorKind("MW401", 500, "invalid setting"),
        ErrorKind("MW402", 500, "extraction model not installed"),
        ErrorKind("MW403", 500, "invalid pattern in a knowledge file"),
    ]
}


class MissionwatchError(Exception):
    """An error with a catalogue code, a location (file, line, id) and a reason."""

    def __init__(self, code: str, message: str, where: str | None = None) -> None:
        if code not in CATALOGUE:
            raise ValueError(f"unknown error code {code}")
        self.code = code
        self.message = message
        self.where = where
        super().__init__(self.line())

    @property
    def kind(self) -> ErrorKind:
        return CATALOGUE[self.code]

    @property
    def http_status(self) -> int:
        return self.kind.http_status

    def line(self) -> str:
        """One line: what, where, why."""
        where = f"{self.where}: " if self.where else ""
        return f"{self.code} {where}{self.kind.summary}: {self.message}"


class ReaderError(MissionwatchError):
    """A report could not be read; the rest of the batch goes on."""


class StoreError(MissionwatchError):
    pass


class QueryError(MissionwatchError):
    pass
