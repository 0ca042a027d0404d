"""The `tracker` command: thin wrappers over the services and the read side."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import re
import signal
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape as esc
from rich.padding import Padding
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from tracker import views
from tracker.bootstrap import Tracker, build, feed_limits
from tracker.config import FEED_ID
from tracker.domain.times import RANGE, TimeOutOfRange
from tracker.domain.times import parse as parse_time
from tracker.errors import ChainBroken, ConfigError, TrackerError, UnknownFeed

app = typer.Typer(help="Track where a government's move to delist a group stands.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
override_app = typer.Typer(help="An analyst's decisions, each recorded in the log with a reason.",
                           no_args_is_help=True)
app.add_typer(override_app, name="override")
out = Console(soft_wrap=True)
err = Console(stderr=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="print JSON for scripts")]


def _time(text: str) -> datetime:
    """A time through the one parser the API uses too."""
    try:
        return parse_time(text)
    except TimeOutOfRange:  # said first, so that the error box never splits it
        raise typer.BadParameter(f"out of range: {text} (times run {RANGE})") from None
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


AsOf = Annotated[datetime | None, typer.Option(
    parser=_time, metavar="TIME",
    help="the status as effective at this time: only articles published by then count. "
         "ISO 8601 (2024-06-01, 20240601, 2024-06-01T12:00+03:00); UTC when no offset")]
KnownAt = Annotated[datetime | None, typer.Option(
    parser=_time, metavar="TIME",
    help="the status as the service had recorded it at this time: only what the log held "
         "then counts, whatever its publication dates. ISO 8601 as for --as-of")]
Since = Annotated[datetime | None, typer.Option(
    parser=_time, metavar="TIME", help="only observations published since this time, ISO 8601")]


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


@app.command()
def replay(verify: Annotated[bool, typer.Option("--verify", help="rebuild beside the live "
                                                "projections and compare")] = False) -> None:
    """Rebuild every projection from the log."""
    from tracker.services import audit

    with opened() as tracker:
        head = tracker.log.head()[0]
        with progress("replaying", head) as step:
            if not verify:
                for name, digest in audit.replay(tracker.following, step).items():
                    out.print(Text(f"{name}: {digest}"))
                return
            results = audit.replay_beside(tracker.following, tracker.log, tracker.catalog, step)
    bad = [r for r in results if r.difference]
    for r in results:
        out.print(f"{esc(r.projection)}: {r.rebuilt} "
                  + ("[green]matches[/]" if not r.difference else "[red]DIFFERS[/]"))
    if bad:
        err.print(f"[red]first difference:[/] {esc(f'{bad[0].projection}: {bad[0].difference}')}",
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
        err.print(f"[red]--head:[/] {esc(str(exc))}", highlight=False)
        raise typer.Exit(2) from None
    try:
        if file is not None:
            with file.open(encoding="utf-8") as lines:
                found = verify_chain(audit.stored_from_export(line) for line in lines if line.strip())
            seen = {found.position: found.hash}
        else:
            with opened() as tracker:
                with progress("verifying", tracker.log.head()[0]) as step:
                    found = audit.verify(tracker.log, step)
                if anchor:
                    event = tracker.log.at(anchor.position)
                    seen = {anchor.position: event.hash if event else ""}
    except ChainBroken as exc:
        err.print(f"[red]{esc(str(exc))}[/]", highlight=False)
        raise typer.Exit(1) from None
    except (OSError, ValueError, KeyError) as exc:
        err.print(f"[red]cannot read {esc(str(file))}:[/] {esc(str(exc))}", highlight=False)
        raise typer.Exit(2) from None
    if anchor and seen.get(anchor.position) != anchor.hash:
        err.print(f"[red]head {esc(str(anchor))} is not in the log:[/] position {anchor.position} "
                  f"{'has another hash' if seen.get(anchor.position) else 'is missing'}",
                  highlight=False)
        raise typer.Exit(1)
    out.print(Text(f"log intact: {found.position} events; head {found}"))


@app.command()
def export(fmt: Annotated[str, typer.Option("--format", help="jsonl or csv")] = "jsonl",
           designation: Annotated[str | None, typer.Option()] = None) -> None:
    """The log, or one designation's observations, evidence and transitions, for auditors."""
    from tracker.services import audit

    if fmt not in ("jsonl", "csv"):
        err.print(f"[red]--format must be jsonl or csv, not {esc(repr(fmt))}[/]")
        raise typer.Exit(2)
    with opened() as tracker:
        if designation is not None:
            views.history(tracker.engine, tracker.catalog, designation)  # refuses an unknown designation
            events = audit.designation_events(tracker.log, designation)
        else:
            events = tracker.log.read(batch=5000)
        try:
            for line in audit.export_lines(events, fmt):
                sys.stdout.write(line)
            sys.stdout.flush()
        except BrokenPipeError:  # `tracker export | head`: the reader has all it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
            return


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



Reason = Annotated[str, typer.Option("--reason", help="why (recorded with the decision)")]
Analyst = Annotated[str | None, typer.Option("--analyst", help="who decided")]


def _decided(run: Any) -> None:
    from tracker.services.overrides import Refused

    with opened() as tracker:
        try:
            decided = run(tracker)
        except Refused as exc:
            err.print(f"[red]refused:[/] {esc(str(exc))}", highlight=False)
            raise typer.Exit(2) from None
    out.print(Text(f"recorded {decided.type} at position {decided.position}; "
                   f"{decided.designation} stage: {decided.stage or 'none'}"))


@override_app.command("set")
def override_set(designation: str, stage: Annotated[str, typer.Argument(
                     help="one of the designation's stages, or 'none' for no stage at all")],
                 reason: Reason, analyst: Analyst = None,
                 effective_at: Annotated[datetime | None, typer.Option(
                     parser=_time, metavar="TIME", help="when it takes effect; now if not given. "
                     "ISO 8601")] = None) -> None:
    """Set the stage, whatever the evidence says, until the override is withdrawn."""
    from tracker.services.overrides import set_stage

    _decided(lambda t: set_stage(t.writer, t.following, designation,
                                 None if stage == "none" else stage, reason, effective_at, analyst))


@override_app.command("reject")
def override_reject(designation: str, observation_id: str, reason: Reason,
                    analyst: Analyst = None) -> None:
    """Rule one observation's evidence out of the designation's status."""
    from tracker.services.overrides import reject_evidence

    _decided(lambda t: reject_evidence(t.writer, t.following, designation, observation_id, reason, analyst))


@override_app.command("withdraw")
def override_withdraw(designation: str, position: Annotated[int, typer.Argument(
                          help="the log position of the override (shown in history)")],
                      reason: Reason, analyst: Analyst = None) -> None:
    """Withdraw an override: the stage is again what the evidence says."""
    from tracker.services.overrides import withdraw_override

    _decided(lambda t: withdraw_override(t.writer, t.following, designation, position, reason, analyst))


if __name__ == "__main__":
    app()
