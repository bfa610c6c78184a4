"""The conformance run's own parts (compat/): the alias layer and the expectations file."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

COMPAT = Path(__file__).resolve().parents[1] / "compat"
sys.path.insert(0, str(COMPAT))
import alias  # noqa: E402
from expectations import Expectations, normalize, signature  # noqa: E402

sys.path.remove(str(COMPAT))


@pytest.fixture
def aliased(tmp_path: Path) -> Iterator[Path]:
    """The finder installed over a fake sdist whose test support is one module."""
    testing = tmp_path / "alembic" / "testing"
    testing.mkdir(parents=True)
    (testing / "__init__.py").write_text("from .. import config\nMARK = 'sdist'\n")
    before = list(sys.meta_path)
    alias.install(tmp_path)
    try:
        yield tmp_path
    finally:
        sys.meta_path[:] = before
        for name in [n for n in sys.modules if n == "alembic" or n.startswith("alembic.")]:
            del sys.modules[name]


def test_alembic_names_are_gitmig_objects(aliased: Path) -> None:
    from alembic import config, op  # type: ignore[import-not-found]
    from alembic.config import Config  # type: ignore[import-not-found]
    from alembic.testing import MARK  # type: ignore[import-not-found]

    import gitmig.config

    assert Config is gitmig.config.Config
    assert MARK == "sdist"  # test support comes from the sdist, as it is
    # writes go to gitmig's module (mock.patch, op._proxy)
    config.SOMETHING = 1
    assert gitmig.config.SOMETHING == 1  # type: ignore[attr-defined]
    del config.SOMETHING
    assert not hasattr(gitmig.config, "SOMETHING")
    # a submodule gitmig has imported already comes back as gitmig's own module
    import gitmig.op

    assert op is gitmig.op or op.__name__ == "alembic.op"


def test_missing_names(aliased: Path) -> None:
    from alembic.autogenerate import _no_such_function  # type: ignore[import-not-found]

    with pytest.raises(NotImplementedError, match="_no_such_function is Alembic-private"):
        _no_such_function()
    with pytest.raises(ImportError):
        from alembic.config import NoSuchPublicName  # type: ignore[import-not-found]  # noqa: F401
    # a module only Alembic's layout has: private stand-ins, public names fail
    from alembic.autogenerate.compare.nowhere import _x  # type: ignore[import-not-found]

    assert isinstance(_x, alias.PrivateName)
    with pytest.raises(ImportError):
        from alembic.autogenerate.compare.nowhere import Public  # type: ignore[import-not-found]  # noqa: F401
    # the one renamed private entry point of Alembic's fixtures
    from alembic.autogenerate import _produce_net_changes  # type: ignore[import-not-found]

    from gitmig.autogenerate.compare.tables import populate_upgrade_ops

    assert _produce_net_changes is populate_upgrade_ops


def test_normalize_drops_server_versions() -> None:
    assert (
        normalize("tests/t.py::BatchTest_sqlite+pysqlite_3_40_1::test_x[a_1_2]")
        == "tests/t.py::BatchTest_sqlite+pysqlite::test_x[a_1_2]"
    )
    assert (
        normalize("tests/t.py::T_postgresql+psycopg_15_20::t")
        == "tests/t.py::T_postgresql+psycopg::t"
    )
    assert normalize("tests/t.py::Plain::test_y") == "tests/t.py::Plain::test_y"


def test_expectations_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "expected.txt"
    path.write_text(
        "# comment\n[private] uses _x\ntests/a.py::A::one\ntests/a.py::A::two\n"
        "\n[branding] says gitmig\ntests/b.py::B::three\n[flaky] sometimes\ntests/c.py::C::four\n"
    )
    found = Expectations.read(path)
    assert found.reasons["tests/a.py::A::two"] == ("private", "uses _x")
    assert found.counts() == {"private": 2, "branding": 1, "flaky": 1}
    found.write(path)
    assert Expectations.read(path).reasons == found.reasons
    path.write_text("[nonsense] x\ntests/a.py::A::one\n")
    with pytest.raises(ValueError, match="unknown kind"):
        Expectations.read(path)
    path.write_text("tests/a.py::A::one\n")
    with pytest.raises(ValueError, match="before any"):
        Expectations.read(path)


def test_signature_is_machine_free() -> None:
    text = "CommandError: Version folder '/home/me/x/scratch_test_0123456789ab/m1' does not exist"
    assert signature(text) == "CommandError: Version folder '…/m1' does not exist"
    assert signature("E: at 0x7f00abcd") == "E: at 0x…"
