"""``missionwatch serve`` (the dashboard and API) and ``missionwatch user add``."""

from __future__ import annotations

from enum import StrEnum

import typer

from missionwatch import settings
from missionwatch.cli.app import app, errors_to_exit, out

user_app = typer.Typer(no_args_is_help=True, help="Users who may write reviews (tokens).")
app.add_typer(user_app, name="user")


class Role(StrEnum):
    analyst = "analyst"
    admin = "admin"


@app.command()
def serve(
    host: str = typer.Option(None, "--host", help="Address to listen on (setting: host, default 127.0.0.1)"),
    port: int = typer.Option(None, "--port", help="Port (setting: port, default 8000)"),
    private: bool = typer.Option(None, "--private/--public",
                                 help="Require sign-in for reading too (setting: private)"),
    db: str = typer.Option(None, "--db", help="Store URL (setting: db)"),
) -> None:
    """Serve the dashboard and the JSON API (OpenAPI at /docs)."""
    import uvicorn

    from missionwatch.web.app import create_app

    with errors_to_exit():
        web = create_app(settings.get("db", db), private=settings.get("private", private))
        bind_host, bind_port = settings.get("host", host), settings.get("port", port)
    out.print(f"missionwatch on http://{bind_host}:{bind_port}/ "
              f"({'private' if web.state.private else 'reading open'}; API docs at /docs)",
              markup=False, highlight=False)
    uvicorn.run(web, host=bind_host, port=bind_port, log_level="warning")


@user_app.command("add")
def user_add(
    name: str = typer.Argument(..., help="The user's name (shown in the audit trail)"),
    role: Role = typer.Option(Role.analyst, "--role", help="analyst or admin"),
    db: str = typer.Option(None, "--db", help="Store URL (setting: db)"),
) -> None:
    """Create a user and print their token ONCE (only its hash is stored)."""
    from missionwatch.store import Store
    from missionwatch.web.queries import WebData

    with errors_to_exit():
        store = Store.open(settings.get("db", db))
        try:
            token = WebData(store.engine).add_user(name, role.value)
        finally:
            store.close()
    out.print(f"user {name} ({role.value}) created; token (shown once, keep it safe):", markup=False,
              highlight=False)
    typer.echo(token)
