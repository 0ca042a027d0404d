"""What the `tracker` commands share: the consoles, the options of time, and a built
tracker that turns a user's mistake into a message and an exit code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape as esc
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from tracker.bootstrap import Tracker, build
from tracker.domain.times import RANGE, TimeOutOfRange
from tracker.domain.times import parse as parse_time
from tracker.errors import ConfigError, TrackerError

out = Console(soft_wrap=True)
err = Console(stderr=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="print JSON for scripts")]


def time_option(text: str) -> datetime:
    """A time through the one parser the API uses too."""
    try:
        return parse_time(text)
    except TimeOutOfRange:  # said first, so that the error box never splits it
        raise typer.BadParameter(f"out of range: {text} (times run {RANGE})") from None
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


AsOf = Annotated[datetime | None, typer.Option(
    parser=time_option, metavar="TIME",
    help="the status as effective at this time: only articles published by then count. "
         "ISO 8601 (2024-06-01, 20240601, 2024-06-01T12:00+03:00); UTC when no offset")]
KnownAt = Annotated[datetime | None, typer.Option(
    parser=time_option, metavar="TIME",
    help="the status as the service had recorded it at this time: only what the log held "
         "then counts, whatever its publication dates. ISO 8601 as for --as-of")]
Since = Annotated[datetime | None, typer.Option(
    parser=time_option, metavar="TIME", help="only observations published since this time, ISO 8601")]


@contextmanager
def opened(migrate: bool = True) -> Iterator[Tracker]:
    """A built tracker; a user's mistake becomes a message and an exit code, not a traceback."""
    try:
        tracker = build(migrate=migrate)
    except ConfigError as exc:
        err.print(f"[red]configuration refused:[/] {esc(str(exc))}", highlight=False)
        raise typer.Exit(2) from None
    except Exception as exc:  # a database that cannot be reached, a bad URL
        err.print(f"[red]cannot open the database:[/] {esc(str(exc))}", highlight=False)
        raise typer.Exit(2) from None
    try:
        yield tracker
    except TrackerError as exc:
        err.print(f"[red]error:[/] {esc(str(exc))}", highlight=False)
        raise typer.Exit(1) from None
    finally:
        tracker.close()


@contextmanager
def progress(label: str, total: int) -> Iterator[Any]:
    """A progress bar on a terminal; nothing when the output goes elsewhere."""
    if not err.is_terminal:
        yield None
        return
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda position: bar.update(task, completed=position)


def add_row(table: Table, *cells: str) -> None:
    """A row of plain text: a title or an error from a feed is never read as Rich markup."""
    table.add_row(*(Text(cell) for cell in cells))


def emit(data: Any) -> None:
    out.print_json(json.dumps(data)) if out.is_terminal else print(json.dumps(data))
