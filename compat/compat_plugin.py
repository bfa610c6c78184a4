"""pytest plugin for the conformance run: the alias layer, expected failures, a summary.

Loaded with ``-p compat_plugin`` (``compat/`` on ``PYTHONPATH``) by ``compat/run.py``, from
the root of the unpacked Alembic sdist. Each test listed in the expectations file is marked
``xfail(strict=True)``, so it fails the run when it passes; every other failure fails the
run as usual. ``--compat-record`` runs without expectations and writes the file anew.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import alias
import pytest
from expectations import UNSORTED, Expectations, normalize, signature, without


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gitmig-compat")
    group.addoption("--compat-expected", help="the expectations file to check the run against")
    group.addoption("--compat-record", help="write the expectations file anew from this run")
    group.addoption(
        "--compat-strict",
        action="store_true",
        help="fail on listed tests that did not run (use on full runs only)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    # Before Alembic's tests/conftest.py imports alembic.testing.
    alias.install(early_config.rootpath)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_Run(config), "gitmig-compat-run")


class _Run:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.record = config.getoption("compat_record")
        source = self.record or config.getoption("compat_expected")
        self.expected = Expectations.read(Path(source)) if source else Expectations()
        if not self.record and self.expected.unsorted():
            raise pytest.UsageError(
                f"{source}: {len(self.expected.unsorted())} test(s) under [unsorted]: "
                "give each group a kind (private, branding, difference, gap, flaky)"
            )
        self.outcomes: dict[str, str] = {}
        self.messages: dict[str, str] = {}
        self.last_class: type | None = None

    # Last: SQLAlchemy's plugin replaces each backend test class's items with one per
    # database in its own hook, and the marks must go on those.
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        if self.record:
            return
        for item in items:
            reason = self.expected.reasons.get(normalize(item.nodeid))
            if reason is not None:
                item.add_marker(
                    pytest.mark.xfail(
                        reason=f"{reason[0]}: {reason[1]}", strict=reason[0] != "flaky"
                    )
                )

    @pytest.hookimpl(tryfirst=True)
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        # A test file that cannot be imported is one entry, under its path.
        test = normalize(report.nodeid)
        if not test.endswith(".py"):
            return
        reason = None if self.record else self.expected.reasons.get(test)
        if report.failed:
            self.messages.setdefault(test, _crash_message(report))
            if reason is not None:
                report.outcome = "skipped"
                report.longrepr = (test, 0, f"expected failure: {reason[0]}: {reason[1]}")
                self.outcomes[test] = "expected failure"
            else:
                self.outcomes[test] = "failed"
        elif report.skipped and reason is not None:
            # Under xdist the controller sees the worker's report, already turned around.
            self.outcomes[test] = "expected failure"

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        # A class whose setup failed leaves its staging directory behind (its teardown does
        # not run), and the next class on this worker would fail on it: every class starts
        # without one, so one failure cannot spread to tests that happen to follow it.
        cls = getattr(item, "cls", None)
        if cls is not self.last_class:
            self.last_class = cls
            from alembic.testing.env import _get_staging_directory

            shutil.rmtree(_get_staging_directory(), ignore_errors=True)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        report = yield
        if report.when == "setup" and report.failed:
            # A failed setUp skips its tearDown: the next test must not trip over what it
            # left behind (its failure is its own, and stays in the report).
            from alembic.testing.env import _get_staging_directory

            shutil.rmtree(_get_staging_directory(), ignore_errors=True)
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        test = normalize(report.nodeid)
        if hasattr(report, "wasxfail") and report.skipped:
            outcome = "expected failure"
        elif report.failed:
            outcome = "unexpected pass" if "XPASS(strict)" in str(report.longrepr) else "failed"
            self.messages.setdefault(test, _crash_message(report))
        elif report.skipped:
            outcome = "skipped"
        elif report.when == "call":
            outcome = "passed"
        else:
            return
        # A failing phase wins over a later one (a failed call then a clean teardown).
        if self.outcomes.get(test) not in ("failed", "unexpected pass", "expected failure"):
            self.outcomes[test] = outcome

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if hasattr(self.config, "workerinput"):
            return  # an xdist worker: the controller sees every report and decides
        if self.record:
            self._write_record(Path(self.record))
            return
        # A test file listed as failing to import whose tests ran: it imports now.
        ran_files = {test.split("::")[0] for test in self.outcomes if "::" in test}
        imports_now = [t for t in self.expected.reasons if t.endswith(".py") and t in ran_files]
        for test in imports_now:
            self.outcomes[test] = "unexpected pass"
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if self.config.getoption("compat_strict"):
            stale = without(self.expected.reasons, set(self.outcomes))
            if stale:
                self.stale = stale
                session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def _write_record(self, path: Path) -> None:
        known = Expectations.read(path)
        fresh = Expectations()
        for test, outcome in self.outcomes.items():
            if outcome != "failed":
                continue
            fresh.reasons[test] = known.reasons.get(test) or (
                UNSORTED,
                signature(self.messages.get(test, "")),
            )
        fresh.write(path)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if hasattr(self.config, "workerinput"):
            return
        per_file: dict[str, Counter[str]] = {}
        for test, outcome in self.outcomes.items():
            per_file.setdefault(test.split("::")[0], Counter())[outcome] += 1
        columns = ("passed", "expected failure", "failed", "unexpected pass", "skipped")
        write = terminalreporter.write_line
        terminalreporter.section("gitmig conformance run")
        write(f"{'file':38}" + "".join(f"{c:>18}" for c in columns))
        total: Counter[str] = Counter()
        for name in sorted(per_file):
            total.update(per_file[name])
            write(f"{name:38}" + "".join(f"{per_file[name][c]:>18}" for c in columns))
        write(f"{'total':38}" + "".join(f"{total[c]:>18}" for c in columns))
        if not self.record:
            kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.expected.counts().items()))
            write(f"expectations file: {len(self.expected.reasons)} tests ({kinds})")
        for test in getattr(self, "stale", []):
            write(f"listed as expected to fail but did not run: {test}", red=True)
        for test, outcome in sorted(self.outcomes.items()):
            if outcome == "unexpected pass" and test.endswith(".py"):
                write(f"listed as failing to import, but its tests ran: {test}", red=True)


def _crash_message(report: pytest.TestReport | pytest.CollectReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message)
    lines = str(report.longrepr).strip().splitlines()
    return lines[-1] if lines else ""
