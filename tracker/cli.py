"""The `tracker` command: thin wrappers over the services and the read side."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tracker import views
from tracker.bootstrap import Tracker, build
from tracker.domain.times import RANGE, in_range
from tracker.errors import ChainBroken, ConfigError, TrackerError, UnknownFeed

app = typer.Typer(help="Track where a government's move to delist a group stands.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
out = Console(soft_wrap=True)
err = Console(stderr=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="print JSON for scripts")]
Time = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S",
                                                         "%Y-%m-%dT%H:%M:%S%z",
                                                         "%Y-%m-%dT%H:%M:%S.%f%z"])]


@contextmanager
def opened(migrate: bool = True) -> Iterator[Tracker]:
    """A built tracker; a user's mistake becomes a message and an exit code, not a traceback."""
    try:
        tracker = build(migrate=migrate)
    except ConfigError as exc:
        err.print(f"[red]configuration refused:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    except Exception as exc:  # a database that cannot be reached, a bad URL
        err.print(f"[red]cannot open the database:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    try:
        yield tracker
    except TrackerError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
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


def emit(data: Any) -> None:
    out.print_json(json.dumps(data)) if out.is_terminal else print(json.dumps(data))


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the HTTP API and poll the feeds on their schedule; applies migrations first."""
    import uvicorn

    from tracker.api.app import create_app
    from tracker.logs import configure

    with opened() as tracker:
        configure(tracker.settings.log_format)
        uvicorn.run(create_app(tracker, background=True), host=host, port=port,
                    log_config=None, timeout_graceful_shutdown=5)


@app.command()
def poll(feed: Annotated[str | None, typer.Option(help="only this feed or list")] = None) -> None:
    """Poll every feed and official list (or one) once, now, and exit."""
    from tracker.bootstrap import feed_limits
    from tracker.feeds.fetch import make_client
    from tracker.services.polling import Poller

    with opened() as tracker:
        if feed is not None and feed not in tracker.catalog.feeds \
                and feed not in tracker.catalog.lists:
            raise UnknownFeed(feed)

        async def run() -> list[Any]:
            async with make_client() as client:
                poller = Poller(tracker.engine, tracker.log, tracker.catalog, client,
                                feed_limits(tracker.settings))
                ids = [feed] if feed else [*tracker.catalog.feeds, *tracker.catalog.lists]
                return await asyncio.gather(*(poller.poll(f, force=True) for f in ids))

        reports = [r for r in asyncio.run(run()) if r is not None]
        tracker.settle()
        table = Table("feed", "outcome", "entries", "new", "error")
        for r in reports:
            table.add_row(r.feed, r.outcome, str(r.entries), str(r.new_entries), r.error or "")
        out.print(table)
        if any(r.outcome in ("failed", "retry-later") for r in reports):
            raise typer.Exit(1)


@app.command()
def ingest(source: Annotated[str, typer.Argument(metavar="PATH_OR_URL")],
           feed_id: Annotated[str, typer.Option("--feed-id")] = "ingest") -> None:
    """Read one feed document (a file or a URL) as if polled."""
    from tracker.services.ingest import ingest_document

    with opened() as tracker:
        report = asyncio.run(ingest_document(tracker, source, feed_id))
        tracker.settle()
        out.print(f"{source}: {report.entries} entries, {report.new_entries} new"
                  + (f" ({report.error})" if report.error else ""), highlight=False)
        if report.outcome == "failed":
            raise typer.Exit(1)


@app.command()
def status(designation: str, as_of: Time = None, known_at: Time = None,
           as_json: JsonFlag = False) -> None:
    """The status, as the API gives it."""
    for option, value in (("--as-of", as_of), ("--known-at", known_at)):
        if value is not None and not in_range(value):
            err.print(f"[red]error:[/] {option} {value.isoformat()} is out of range: times run "
                      f"{RANGE}", highlight=False)
            raise typer.Exit(2)
    with opened() as tracker:
        tracker.settle()
        document = json.loads(views.status_json(tracker, designation, as_of, known_at))
    if as_json:
        emit(document)
        return
    out.print(f"[bold]{document['title']}[/]")
    out.print(f"stage: [bold]{document['stage'] or 'none yet'}[/]"
              + (f" since {document['since']}" if document["since"] else ""))
    _history_table(document["history"])
    if document.get("unconfirmed"):
        table = Table("published", "stage", "site", "basis", "confidence", "title",
                      title="unconfirmed")
        for r in document["unconfirmed"]:
            table.add_row((r["published_at"] or "")[:10], r["stage"], r["site"], r["basis"],
                          f"{r['confidence']:.2f}", r["title"])
        out.print(table)


@app.command()
def history(designation: str, as_json: JsonFlag = False) -> None:
    """The transitions, oldest first."""
    with opened() as tracker:
        tracker.settle()
        data = views.history(tracker, designation)
    if as_json:
        emit(data)
        return
    out.print(f"[bold]{data['title']}[/]")
    _history_table(data["history"])


def _history_table(history: list[dict[str, Any]]) -> None:
    table = Table("since", "from", "to", "cause", "recorded", "evidence")
    for t in history:
        first = t["evidence"][0] if t["evidence"] else None
        what = f"{first['title']}: \u201c{first['quote']}\u201d" if first else (t["reason"] or "")
        cause = t["cause"]
        if t.get("withdrawn"):  # kept in its place, struck through
            cause = f"{cause}, withdrawn {t['withdrawn']['at'][:10]}"
        table.add_row(t["since"], t["from"] or "-", t["to"] or "-", cause,
                      t["recorded_at"], what)
    out.print(table)


@app.command()
def replay(verify: Annotated[bool, typer.Option("--verify", help="rebuild beside the live "
                                                "projections and compare")] = False) -> None:
    """Rebuild every projection from the log."""
    from tracker.services import audit

    with opened() as tracker:
        head = tracker.log.head()[0]
        with progress("replaying", head) as step:
            if not verify:
                for name, digest in audit.replay(tracker, step).items():
                    out.print(f"{name}: {digest}")
                return
            results = audit.replay_beside(tracker, step)
    bad = [r for r in results if r.difference]
    for r in results:
        out.print(f"{r.projection}: {r.rebuilt} "
                  + ("[green]matches[/]" if not r.difference else "[red]DIFFERS[/]"))
    if bad:
        err.print(f"[red]first difference:[/] {bad[0].projection}: {bad[0].difference}",
                  highlight=False)
        raise typer.Exit(1)


@app.command()
def verify(file: Annotated[Path | None, typer.Option(help="check an export (JSON lines)")] = None,
           head: Annotated[str | None, typer.Option(metavar="POSITION:HASH",
                                                    help="a head recorded earlier")] = None,
           ) -> None:
    """Check the hash chain and positions of the whole log (or of an export)."""
    from tracker.services import audit
    from tracker.store.verify import Head, verify_chain

    try:
        anchor = Head.parse(head) if head else None
    except ValueError as exc:
        err.print(f"[red]--head:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    try:
        if file is not None:
            with file.open(encoding="utf-8") as lines:
                found = verify_chain(audit.stored_from_export(line) for line in lines if line.strip())
            seen = {found.position: found.hash}
        else:
            with opened() as tracker:
                with progress("verifying", tracker.log.head()[0]) as step:
                    found = audit.verify(tracker, step)
                if anchor:
                    event = tracker.log.at(anchor.position)
                    seen = {anchor.position: event.hash if event else ""}
    except ChainBroken as exc:
        err.print(f"[red]{exc}[/]", highlight=False)
        raise typer.Exit(1) from None
    except (OSError, ValueError, KeyError) as exc:
        err.print(f"[red]cannot read {file}:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    if anchor and seen.get(anchor.position) != anchor.hash:
        err.print(f"[red]head {anchor} is not in the log:[/] position {anchor.position} "
                  f"{'has another hash' if seen.get(anchor.position) else 'is missing'}",
                  highlight=False)
        raise typer.Exit(1)
    out.print(f"log intact: {found.position} events; head {found}", highlight=False)


@app.command()
def export(fmt: Annotated[str, typer.Option("--format", help="jsonl or csv")] = "jsonl",
           designation: Annotated[str | None, typer.Option()] = None) -> None:
    """The log, or one designation's observations, evidence and transitions, for auditors."""
    from tracker.services import audit

    if fmt not in ("jsonl", "csv"):
        err.print(f"[red]--format must be jsonl or csv, not {fmt!r}[/]")
        raise typer.Exit(2)
    with opened() as tracker:
        if designation is not None:
            views.history(tracker, designation)  # refuses an unknown designation
            events = audit.designation_events(tracker, designation)
        else:
            events = tracker.log.read(batch=5000)
        for line in audit.export_lines(events, fmt):
            sys.stdout.write(line)


@app.command(name="eval")
def evaluate(corpus_dir: Annotated[Path, typer.Argument(metavar="CORPUS_DIR")],
             as_json: JsonFlag = False,
             by: Annotated[str | None, typer.Option(
                 "--by", help="'designation': scores per designation too")] = None) -> None:
    """Score the classifier on a labelled corpus (the folder and its subfolders)."""
    from tracker.classify.evaluate import evaluate as score
    from tracker.classify.evaluate import load_corpus, render
    from tracker.config import Settings, load_catalog

    try:
        catalog = load_catalog(Settings().feeds)
        corpus = load_corpus(corpus_dir)
    except (ConfigError, OSError, ValueError) as exc:
        err.print(f"[red]cannot evaluate:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    if by not in (None, "designation"):
        err.print(f"[red]cannot evaluate:[/] --by takes 'designation', not {by!r}", highlight=False)
        raise typer.Exit(2)
    report = score(corpus, catalog.designations, by_designation=by == "designation")
    if as_json:
        print(json.dumps(report))
    else:
        render(report, out)


@app.command()
def reclassify(since: Time = None,
               dry_run: Annotated[bool, typer.Option("--dry-run")] = False) -> None:
    """Run the current classifier over the stored observations; record what changed."""
    from tracker.services.reclassify import reclassify as run

    with opened() as tracker:
        changes = run(tracker, since, dry_run=dry_run)
        table = Table("designation", "observation", "old", "new", "title")
        for c in changes.readings:
            table.add_row(c.designation, c.observation_id[:12], c.old or "-", c.new or "-",
                          c.title[:60])
        out.print(table)
        for name, (before, after) in changes.stages.items():
            out.print(f"{name}: stage {before or 'none'} -> {after or 'none'}")
        out.print(f"{len(changes.readings)} readings change"
                  + (" (dry run: nothing recorded)" if dry_run else ""))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply migrations (alembic upgrade head)."""
    with opened(migrate=True):
        out.print("database is at the newest schema")


if __name__ == "__main__":
    app()
