"""The audit commands: rebuild the projections, check the log's chain, export the log."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape as esc
from rich.text import Text

from tracker import views
from tracker.console import err, opened, out, progress
from tracker.errors import ChainBroken


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
