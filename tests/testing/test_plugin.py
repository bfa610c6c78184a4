"""The pytest plugin, from a user's test suite: pytester runs one in a temp dir holding a
demo project (good, or broken in each way a check must catch) on the three databases."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Collection
from pathlib import Path

import pytest

from tests.testing.demo import write_project

pytestmark = pytest.mark.usefixtures("_modules_of_a_run")

#: the ready-made tests, as pytest names them
READY_MADE = ["single_head", "upgrade", "stairway", "models_match", "lint"]


def user_suite(
    pytester: pytest.Pytester,
    url: str | None,
    broken: Collection[str] = (),
    ini: str = "gitmig_tests = true",
) -> None:
    """The demo project in pytester's dir, with a pytest suite of its own in tests/.

    The project's gitmig.ini keeps ``init``'s placeholder URL: the checks reach the
    database only through the fixture (``url``, in tests/conftest.py) or ``ini``.
    """
    write_project(pytester.path, "driver://user:pass@localhost/dbname", broken)
    # hypothesis's plugin would import hypothesis afresh in each in-process run (seconds)
    pytester.makeini(
        "[pytest]\ntestpaths = tests\nfilterwarnings = error\n"
        f"addopts = -p no:hypothesispytest -p no:xdist\n{ini}\n"
    )
    tests = pytester.mkdir("tests")
    (tests / "test_app.py").write_text("def test_app():\n    assert True\n", encoding="utf-8")
    if url is not None:
        (tests / "conftest.py").write_text(
            f"import pytest\n\n\n@pytest.fixture\ndef gitmig_database_url():\n    return {url!r}\n",
            encoding="utf-8",
        )


def test_the_plugin_imports_neither_sqlalchemy_nor_mako() -> None:
    code = (
        "import sys, gitmig.testing, gitmig.testing.plugin, gitmig.testing.suite\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'mako'))\n"
        "print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_the_plugin_is_registered_by_its_entry_point(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--help")
    result.stdout.fnmatch_lines(["*--gitmig *Add gitmig's ready-made migration tests*"])
    assert "gitmig_database_url" in result.stdout.str()


def test_without_enabling_nothing_is_added(pytester: pytest.Pytester, sqlite_url: str) -> None:
    user_suite(pytester, sqlite_url, broken=["heads", "downgrade"], ini="")
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=1)
    assert "gitmig.testing" not in result.stdout.str()


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "mariadb"])
def test_a_good_project_passes(
    pytester: pytest.Pytester, request: pytest.FixtureRequest, dialect: str
) -> None:
    url = request.getfixturevalue(f"{dialect}_url")
    user_suite(pytester, url)
    result = pytester.runpytest("-v")
    result.stdout.fnmatch_lines(
        ["tests/test_app.py::test_app PASSED*"]
        + [f"tests/gitmig.testing::test_{name} PASSED*" for name in READY_MADE]
    )
    result.assert_outcomes(passed=6)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "mariadb"])
def test_each_check_fails_on_its_broken_project(
    pytester: pytest.Pytester, request: pytest.FixtureRequest, dialect: str
) -> None:
    """Four defects in one project: each fails its own check (upgrade still passes), and
    each message names the revision and what is wrong."""
    url = request.getfixturevalue(f"{dialect}_url")
    user_suite(pytester, url, broken=["downgrade", "heads", "models", "lint"])
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=2, failed=4)
    out = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "tests/gitmig.testing::test_single_head FAILED*",
            "tests/gitmig.testing::test_upgrade PASSED*",
            "tests/gitmig.testing::test_stairway FAILED*",
            "tests/gitmig.testing::test_models_match FAILED*",
            "tests/gitmig.testing::test_lint FAILED*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*Divergent heads on one line of history: h4, l5*",
            "*common ancestor: b2*",
            "*revision b2 (add email), migrations/versions/b2_add_email.py: its downgrade does "
            "not undo its upgrade*",
            "*table account: column email (VARCHAR(200) NULL) is extra*",
            "*add column account.nickname*",
            "*l5_drop_invoice_status.py:*: error [[]drop-column[]] drop_column invoice.status*",
        ]
    )
    # the messages alone, not a traceback through gitmig
    assert "gitmig/testing/checks.py" not in out
    assert "During handling" not in out


def test_a_shared_database_is_cleaned_between_tests(
    pytester: pytest.Pytester, sqlite_url: str
) -> None:
    """With one URL for every test (the ini option), a failed stairway leaves the next test
    an empty database: models_match fails for its own reason, not a dirty database."""
    user_suite(
        pytester,
        None,
        broken=["downgrade", "models"],
        ini=f"gitmig_tests = true\ngitmig_database_url = {sqlite_url}",
    )
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=4, failed=2)
    result.stdout.fnmatch_lines(["*add column account.nickname*"])
    assert "is not empty" not in result.stdout.str()


def test_the_url_may_come_from_the_environment(
    pytester: pytest.Pytester, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITMIG_TEST_DATABASE_URL", sqlite_url)
    user_suite(pytester, None, broken=["models"])
    result = pytester.runpytest()
    result.assert_outcomes(passed=5, failed=1)
    assert Path(sqlite_url.removeprefix("sqlite:///")).exists()


def test_without_a_url_each_test_gets_a_new_sqlite_file(pytester: pytest.Pytester) -> None:
    user_suite(pytester, None)
    result = pytester.runpytest()
    result.assert_outcomes(passed=6)


def test_the_flag_enables_them_and_the_marker_selects_them(
    pytester: pytest.Pytester, sqlite_url: str
) -> None:
    user_suite(pytester, sqlite_url, broken=["heads"], ini="")
    result = pytester.runpytest("--gitmig", "-m", "gitmig")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["FAILED tests/gitmig.testing::test_single_head*"])


def test_the_ini_option_may_name_some_of_them(pytester: pytest.Pytester, sqlite_url: str) -> None:
    user_suite(pytester, sqlite_url, broken=["downgrade"], ini="gitmig_tests = lint single_head")
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        ["*::test_single_head PASSED*", "*::test_lint PASSED*"], consecutive=False
    )
    assert "test_stairway" not in result.stdout.str()


def test_an_unknown_name_is_a_usage_error(pytester: pytest.Pytester, sqlite_url: str) -> None:
    user_suite(pytester, sqlite_url, ini="gitmig_tests = stairway stairs")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*ini option gitmig_tests: stairs names no gitmig test*"])


def test_selecting_one_file_leaves_them_out(pytester: pytest.Pytester, sqlite_url: str) -> None:
    user_suite(pytester, sqlite_url)
    result = pytester.runpytest("tests/test_app.py")
    result.assert_outcomes(passed=1)


def test_a_missing_config_file_fails_in_one_line(
    pytester: pytest.Pytester, sqlite_url: str
) -> None:
    user_suite(pytester, sqlite_url, ini="gitmig_tests = single_head\ngitmig_config = nowhere.ini")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*No config file*nowhere.ini*set the gitmig_config ini option*"])
    assert "During handling" not in result.stdout.str()


def test_a_test_module_may_import_them(pytester: pytest.Pytester, sqlite_url: str) -> None:
    """Without enabling anything: the suite's functions, collected from the user's module,
    with the user's fixtures."""
    user_suite(pytester, sqlite_url, broken=["downgrade"], ini="")
    (pytester.path / "tests" / "test_migrations.py").write_text(
        "from gitmig.testing.suite import test_stairway, test_upgrade\n", encoding="utf-8"
    )
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*test_migrations.py::test_stairway FAILED*"])
