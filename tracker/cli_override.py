"""The analysts' decisions: `tracker override set | reject | withdraw`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.markup import escape as esc
from rich.text import Text

from tracker.console import err, opened, out, time_option

app = typer.Typer(help="An analyst's decisions, each recorded in the log with a reason.",
                  no_args_is_help=True)

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


@app.command("set")
def override_set(designation: str, stage: Annotated[str, typer.Argument(
                     help="one of the designation's stages, or 'none' for no stage at all")],
                 reason: Reason, analyst: Analyst = None,
                 effective_at: Annotated[datetime | None, typer.Option(
                     parser=time_option, metavar="TIME", help="when it takes effect; now if not given. "
                     "ISO 8601")] = None) -> None:
    """Set the stage, whatever the evidence says, until the override is withdrawn."""
    from tracker.services.overrides import set_stage

    _decided(lambda t: set_stage(t.writer, t.following, designation,
                                 None if stage == "none" else stage, reason, effective_at, analyst))


@app.command("reject")
def override_reject(designation: str, observation_id: str, reason: Reason,
                    analyst: Analyst = None) -> None:
    """Rule one observation's evidence out of the designation's status."""
    from tracker.services.overrides import reject_evidence

    _decided(lambda t: reject_evidence(t.writer, t.following, designation, observation_id, reason, analyst))


@app.command("withdraw")
def override_withdraw(designation: str, position: Annotated[int, typer.Argument(
                          help="the log position of the override (shown in history)")],
                      reason: Reason, analyst: Analyst = None) -> None:
    """Withdraw an override: the stage is again what the evidence says."""
    from tracker.services.overrides import withdraw_override

    _decided(lambda t: withdraw_override(t.writer, t.following, designation, position, reason, analyst))
