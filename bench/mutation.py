"""Mutation testing of the core: mutmut over each core module against its narrow tests.

    pip install -e '.[test,mutation]'
    python bench/mutation.py                          # every module of [tool.tracker.mutation]
    python bench/mutation.py tracker/store/verify.py  # one module
    python bench/mutation.py --jobs 2 --keep          # two workers; keep each run's folder

Each module runs in a copy of the project (under .mutation/, so the working tree is never
mutated) whose [tool.mutmut] mutates that module only and selects its tests from the list in
pyproject.toml's [tool.tracker.mutation]; mutmut then runs each mutant against the tests that
reach it. Prints one table row per module: mutants, killed, survived, other outcomes (no tests,
timeout, suspicious), the score (killed / mutants checked) and the tests that ran. Property
tests run at most `--examples` examples per mutant; `--budget` stops a module after so many
seconds and reports the mutants checked by then. `--survivors`
lists the mutants that lived, for `mutmut show NAME` in that module's folder.

Equivalent mutants (they change nothing observable: the same results, at most more work) are
named in pyproject.toml's [tool.tracker.mutation.equivalent], each with its reason; one that
survives counts as "equivalent", outside the score. mutmut numbers mutants per function, so
a change to a function means checking its names again (`mutmut show NAME`); a name that no
longer exists is reported.

CPU-heavy (minutes per module): not part of .ci/run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".mutation"
COPIED = ("tracker", "tests", "README.md", "pyproject.toml", "feeds.yaml", "examples",
          "alembic.ini", "migrations")
ALSO_COPIED = [name for name in COPIED if name not in ("tracker", "pyproject.toml")]
# Appended to the copy's tests/conftest.py: property tests run each mutant on fewer examples,
# derandomised and without shrinking (a survivor costs the whole run; a kill needs one example).
FEWER_EXAMPLES = """

def pytest_collection_modifyitems(items):  # added by bench/mutation.py
    from hypothesis import Phase, settings
    for item in items:
        test = getattr(item, "obj", None)
        chosen = getattr(test, "_hypothesis_internal_use_settings", None)
        if chosen is not None:
            test._hypothesis_internal_use_settings = settings(
                chosen, max_examples=min(chosen.max_examples, {examples}), derandomize=True,
                database=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])
"""
# mutmut's exit codes (mutmut/stats.py), as this table names them.
STATUS = {1: "killed", 3: "killed", 37: "killed", 0: "survived", 5: "no tests", 33: "no tests",
          34: "skipped", 36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout",
          255: "timeout", None: "not checked"}


def settings() -> dict:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return data["tool"]["tracker"]["mutation"]


def modules() -> dict[str, list[str]]:
    """Each module's tests, a "@name" standing for the [tool.tracker.mutation.suites] list."""
    suites = settings().get("suites", {})
    return {module: [t for item in tests for t in (suites[item[1:]] if item[0] == "@" else [item])]
            for module, tests in settings()["modules"].items()}


def equivalent() -> dict[str, str]:
    """The mutants excluded as equivalent, by name, with the reason."""
    return settings().get("equivalent", {})


def toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def prepare(module: str, tests: list[str], examples: int) -> Path:
    """A fresh copy of the project whose mutmut mutates `module` only, against `tests`."""
    where = WORK / module.replace("/", "_").removesuffix(".py")
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, where / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif source.exists():
            shutil.copy2(source, where / name)
    shared = ROOT.parent / "shared"  # the corpora beside the project, where tests look for them
    if shared.is_dir():
        (where / "shared").symlink_to(shared)
    with (where / "tests" / "conftest.py").open("a", encoding="utf-8") as conftest:
        conftest.write(FEWER_EXAMPLES.replace("{examples}", str(examples)))
    others = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tracker").rglob("*.py")
                    if str(p.relative_to(ROOT)) != module)
    pyproject = (where / "pyproject.toml").read_text(encoding="utf-8")
    head, _, rest = pyproject.partition("[tool.mutmut]\n")
    rest = rest[rest.find("\n[") + 1:] if "\n[" in rest else ""
    (where / "pyproject.toml").write_text(
        head + "[tool.mutmut]\n"
        f'source_paths = ["tracker"]\n'
        f"tests_dir = {toml_list(tests)}\n"
        f"do_not_mutate = {toml_list(others)}\n"
        f"also_copy = {toml_list(ALSO_COPIED)}\n"
        # A connection left for the collector when mutmut's own run ends is no finding.
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-p", "no:randomly", "-q", '
        '"-W", "ignore::pytest.PytestUnraisableExceptionWarning"]\n'
        + rest, encoding="utf-8")
    return where


def run(module: str, tests: list[str], jobs: int, examples: int, budget: float | None
        ) -> tuple[Counter[str], list[str], Path]:
    where = prepare(module, tests, examples)
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(jobs)]
    with subprocess.Popen(command, cwd=where, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, start_new_session=True) as mutmut:
        try:
            output, _ = mutmut.communicate(timeout=budget)
        except subprocess.TimeoutExpired:  # out of time: what was checked is reported
            os.killpg(mutmut.pid, signal.SIGTERM)
            output, _ = mutmut.communicate()
    meta = where / "mutants" / (module + ".meta")
    if not meta.exists():
        sys.stderr.write(output[-3000:])
        raise SystemExit(f"mutmut found no mutants of {module} (exit {mutmut.returncode})")
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    excluded = equivalent()
    prefix = module.removesuffix(".py").replace("/", ".") + "."
    for name in sorted(n for n in excluded if n.startswith(prefix) and n not in codes):
        print(f"  no such mutant (re-check the exclusion): {name}", file=sys.stderr)
    statuses = {name: STATUS.get(code, "suspicious") for name, code in codes.items()}
    statuses.update({name: "equivalent" for name, status in statuses.items()
                     if status == "survived" and name in excluded})
    counts = Counter(statuses.values())
    survivors = sorted(name for name, status in statuses.items() if status == "survived")
    return counts, survivors, where


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", nargs="*", help="modules to mutate (default: all configured)")
    parser.add_argument("--jobs", type=int, default=1, help="mutmut workers (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep each module's folder")
    parser.add_argument("--examples", type=int, default=25,
                        help="at most this many examples per property test (default 25)")
    parser.add_argument("--budget", type=float, default=None,
                        help="seconds per module; the mutants not reached by then are "
                             "reported as not checked")
    parser.add_argument("--survivors", action="store_true", help="list the surviving mutants")
    args = parser.parse_args()
    configured = modules()
    chosen = args.module or list(configured)
    rows = []
    for module in chosen:
        tests = configured[module]
        counts, survivors, where = run(module, tests, args.jobs, args.examples, args.budget)
        total = sum(counts.values()) - counts["equivalent"]
        checked = total - counts["not checked"]
        other = checked - counts["killed"] - counts["survived"]
        score = f"{100 * counts['killed'] / checked:.0f}%" if checked else "-"
        rows.append((module, total, counts["equivalent"], checked, counts["killed"],
                     counts["survived"], other, score, " ".join(tests)))
        print(f"{module}: {total} mutants, {counts['killed']} killed, {counts['survived']} "
              f"survived, {dict(counts)}", file=sys.stderr, flush=True)
        if args.survivors:
            for name in survivors:
                print(f"  survived: {name}", file=sys.stderr)
        if not args.keep:
            shutil.rmtree(where, ignore_errors=True)
    print("| module | mutants | equivalent | checked | killed | survived | other | score | tests |")
    print("|---|---|---|---|---|---|---|---|---|")
    for module, total, equivalents, checked, killed, survived, other, score, tests in rows:
        print(f"| `{module}` | {total} | {equivalents} | {checked} | {killed} | {survived} "
              f"| {other} | {score} | {tests} |")


if __name__ == "__main__":
    main()
