"""The `tracker` command: thin wrappers over the services and the read side (the audit
commands: cli_audit.py; the analysts' decisions: cli_override.py; what they share:
console.py)."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import re
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape as esc
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from tracker import views
from tracker.bootstrap import feed_limits
from tracker.cli_audit import export, replay, verify
from tracker.cli_override import app as override_app
from tracker.config import FEED_ID
from tracker.console import AsOf, JsonFlag, KnownAt, Since, add_row, emit, err, opened, out
from tracker.errors import ConfigError, UnknownFeed

app = typer.Typer(help="Track where a government's move to delist a group stands.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(override_app, name="override")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the HTTP API and poll the feeds on their schedule; applies migrations first."""
    import uvicorn
    from sqlalchemy import make_url

    from tracker.api.app import create_app
    from tracker.logs import configure

    # uvicorn stops cleanly on SIGTERM and then raises the signal again for the handler it
    # found: this one, so that a clean stop exits 0 (as service managers expect), not -15.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with opened() as tracker:
        configure(tracker.settings.log_format)
        logging.getLogger("tracker").info(
            "database %s; feeds %s (%d designations, %d feeds)",
            make_url(tracker.settings.database_url).render_as_string(hide_password=True),
            tracker.settings.feeds.resolve(), len(tracker.catalog.designations),
            len(tracker.catalog.feeds))
        app = create_app(tracker, background=True)
        # What is loaded by now lives as long as the process: the collector need not scan it
        # again (a full collection of it took ~170 ms, a pause every answer under way waits).
        gc.collect()
        gc.freeze()
        uvicorn.run(app, host=host, port=port, log_config=None, timeout_graceful_shutdown=5)


@app.command()
def poll(feed: Annotated[str | None, typer.Option(help="only this feed or list")] = None) -> None:
    """Poll every feed and official list (or one) once, now, and exit."""
    from tracker.feeds.fetch import make_client
    from tracker.services.polling import Poller

    with opened() as tracker:
        if feed is not None and feed not in tracker.catalog.feeds \
                and feed not in tracker.catalog.lists:
            raise UnknownFeed(feed)

        async def run() -> list[Any]:
            async with make_client() as client:
                poller = Poller(tracker.engine, tracker.log, tracker.catalog, client,
                                feed_limits(tracker.settings),
                                concurrency=tracker.settings.poll_concurrency)
                ids = [feed] if feed else [*tracker.catalog.feeds, *tracker.catalog.lists]
                return await asyncio.gather(*(poller.poll(f, force=True) for f in ids))

        reports = [r for r in asyncio.run(run()) if r is not None]
        tracker.settle()
        table = Table("feed", "outcome", "entries", "new", "error")
        for r in reports:
            add_row(table, r.feed, r.outcome, str(r.entries), str(r.new_entries), r.error or "")
        out.print(table)
        if any(r.outcome in ("failed", "retry-later") for r in reports):
            raise typer.Exit(1)


@app.command()
def ingest(source: Annotated[str, typer.Argument(metavar="PATH_OR_URL")],
           feed_id: Annotated[str, typer.Option("--feed-id")] = "ingest") -> None:
    """Read one feed document (a file or a URL) as if polled."""
    from tracker.services.ingest import ingest_document

    if not re.match(FEED_ID, feed_id):  # the ids feeds.yaml would accept, nothing else
        err.print(f"[red]--feed-id:[/] {esc(repr(feed_id))} is not a feed id: lowercase letters, "
                  "digits and -._, starting with a letter or digit, at most 100", highlight=False)
        raise typer.Exit(2)
    with opened() as tracker:
        before = tracker.log.head()[0]
        report = asyncio.run(ingest_document(tracker.log, tracker.catalog,
                                             feed_limits(tracker.settings), source, feed_id))
        tracker.settle()
        caused = Counter(e.type for e in tracker.log.read(
            after=before, types=["EvidenceRecorded", "StatusChanged"]))
        out.print(Text(f"{source}: {report.entries} entries, {report.new_entries} new; "
                       f"{caused['EvidenceRecorded']} evidence, "
                       f"{caused['StatusChanged']} transitions"
                       + (f" ({report.error})" if report.error else "")))
        if report.outcome == "failed":
            raise typer.Exit(1)


@app.command()
def status(designation: str, as_of: AsOf = None, known_at: KnownAt = None,
           as_json: JsonFlag = False) -> None:
    """The status, as the API gives it."""
    with opened() as tracker:
        tracker.settle()
        document = json.loads(views.status_json(tracker.engine, tracker.catalog, designation,
                                                as_of, known_at))
    if as_json:
        emit(document)
        return
    out.print(f"[bold]{esc(document['title'])}[/]")
    out.print(f"stage: [bold]{esc(document['stage'] or 'none yet')}[/]"
              + (f" since {document['since']}" if document["since"] else ""))
    _history_table(document["history"])
    if document.get("unconfirmed"):
        table = Table("published", "stage", "site", "basis", "confidence", "title",
                      title="unconfirmed")
        for r in document["unconfirmed"]:
            add_row(table, (r["published_at"] or "")[:10], r["stage"], r["site"], r["basis"],
                    f"{r['confidence']:.2f}", r["title"])
        out.print(table)


@app.command()
def history(designation: str, as_json: JsonFlag = False) -> None:
    """The transitions, oldest first."""
    with opened() as tracker:
        tracker.settle()
        data = views.history(tracker.engine, tracker.catalog, designation)
    if as_json:
        emit(data)
        return
    out.print(f"[bold]{esc(data['title'])}[/]")
    _history_table(data["history"])


for command in (replay, verify, export):
    app.command()(command)


def _history_table(history: list[dict[str, Any]]) -> None:
    """One step a line, its evidence indented below: readable at 80 columns and wider
    (--json has the full times)."""
    for t in history:
        first = t["evidence"][0] if t["evidence"] else None
        what = _evidence_text(first) if first else (t["reason"] or "")
        cause = t["cause"]
        if t.get("withdrawn"):  # kept in its place
            cause = f"{cause}, withdrawn {t['withdrawn']['at'][:10]}"
        step = Text(f"{t['since'][:10]}  {t['from'] or '-'} \u2192 ")
        step.append(t["to"] or "-", style="bold")
        step.append(f"  ({cause}; recorded {t['recorded_at'][:10]})", style="dim")
        out.print(step)
        if what:
            out.print(Padding(Text(what), (0, 0, 0, 4)), soft_wrap=False)


def _evidence_text(evidence: dict[str, Any]) -> str:
    """The title and the quote, the quote only when it says more than the title."""
    title, quote = evidence["title"] or "", evidence["quote"] or ""
    if not quote or quote.strip().rstrip(".") == title.strip().rstrip("."):
        return title
    return f"{title}: \u201c{quote}\u201d"


@app.command(name="eval")
def evaluate(corpus_dir: Annotated[Path, typer.Argument(metavar="CORPUS_DIR")],
             as_json: JsonFlag = False,
             by: Annotated[str | None, typer.Option(
                 "--by", help="'designation': scores per designation too")] = None) -> None:
    """Score the classifier on a labelled corpus (the folder and its subfolders)."""
    from tracker.classify.evaluate import evaluate as score
    from tracker.classify.evaluate import load_corpus, render
    from tracker.config import load_catalog
    from tracker.settings import Settings

    try:
        catalog = load_catalog(Settings().feeds)
        corpus = load_corpus(corpus_dir)
    except (ConfigError, OSError, ValueError) as exc:
        err.print(f"[red]cannot evaluate:[/] {esc(str(exc))}", highlight=False)
        raise typer.Exit(2) from None
    if by not in (None, "designation"):
        err.print(f"[red]cannot evaluate:[/] --by takes 'designation', not {esc(repr(by))}",
                  highlight=False)
        raise typer.Exit(2)
    report = score(corpus, catalog.designations, by_designation=by == "designation")
    if as_json:
        print(json.dumps(report))
    else:
        render(report, out)


@app.command()
def reclassify(since: Since = None,
               dry_run: Annotated[bool, typer.Option("--dry-run")] = False) -> None:
    """Run the current classifier over the stored observations; record what changed."""
    from tracker.services.reclassify import reclassify as run

    with opened() as tracker:
        changes = run(tracker.log, tracker.catalog, tracker.writer, tracker.following, since,
                      dry_run=dry_run)
        table = Table("designation", "observation", "old", "new", "title")
        for c in changes.readings:
            add_row(table, c.designation, c.observation_id[:12], c.old or "-", c.new or "-",
                    c.title[:60])
        out.print(table)
        for name, (before, after) in changes.stages.items():
            out.print(Text(f"{name}: stage {before or 'none'} -> {after or 'none'}"))
        out.print(f"{len(changes.readings)} readings change"
                  + (" (dry run: nothing recorded)" if dry_run else ""))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply migrations (alembic upgrade head)."""
    with opened(migrate=True):
        out.print("database is at the newest schema")



if __name__ == "__main__":
    app()
