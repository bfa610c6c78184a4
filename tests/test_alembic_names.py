"""Names Alembic projects import, at Alembic's paths (``alembic.X`` is ``gitmig.X``)."""

from __future__ import annotations

import importlib
import warnings

import pytest

import gitmig.op
from gitmig import util
from gitmig.exc import GitmigError, ResolutionError
from gitmig.operations import Operations
from tests.operations.helpers import offline_ops, statements


def test_short_module_paths() -> None:
    from gitmig.environment import EnvironmentContext
    from gitmig.migration import MigrationContext
    from gitmig.runtime.environment import EnvironmentContext as Env
    from gitmig.runtime.migration import MigrationContext as Mig
    from gitmig.script import Script, ScriptDirectory
    from gitmig.script.base import Script as S
    from gitmig.script.base import ScriptDirectory as SD

    assert (EnvironmentContext, MigrationContext, Script, ScriptDirectory) == (Env, Mig, S, SD)
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        importlib.import_module("gitmig.script").Nothing  # noqa: B018


def test_util_names() -> None:
    # Every error a command raises is caught by ``except CommandError``, as in Alembic.
    assert util.CommandError is GitmigError
    assert issubclass(ResolutionError, util.CommandError)
    rid = util.rev_id()
    assert len(rid) == 12 and int(rid, 16) >= 0 and rid != util.rev_id()
    assert util.to_tuple(None) == () and util.to_tuple("a") == ("a",)
    assert util.to_tuple(["a", "b"]) == ("a", "b") and util.to_tuple(None, ("x",)) == ("x",)
    assert util.to_list("a") == ["a"] and util.to_list(("a", "b")) == ["a", "b"]
    assert util.to_list(None) == [] and util.to_list(3) == [3]
    assert util.pyc_file_from_path("/x/y.txt") is None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        util.warn("careful")
    assert [str(w.message) for w in caught] == ["careful"]
    with pytest.raises(AttributeError):
        util.nothing_here  # noqa: B018


def test_op_proxy_assigned_by_hand() -> None:
    # Alembic's test fixtures install operations by assigning ``op._proxy``.
    ops, buf = offline_ops("postgresql")
    assert not Operations.installed()
    with pytest.raises(GitmigError, match="can only be used while a migration runs"):
        gitmig.op.drop_table("t")
    gitmig.op._proxy = ops
    try:
        gitmig.op.drop_table("t")
        inner, inner_buf = offline_ops("postgresql")
        with Operations.context(inner):
            assert Operations.installed()
            gitmig.op.drop_table("u")  # an installed migration wins over the proxy
    finally:
        gitmig.op._proxy = None
    assert statements(buf.getvalue()) == ["DROP TABLE t"]
    assert statements(inner_buf.getvalue()) == ["DROP TABLE u"]


def test_util_exc() -> None:
    from gitmig.util import exc

    assert exc.CommandError is GitmigError is util.CommandError


def test_pyc_file_from_path(tmp_path) -> None:
    source = tmp_path / "mod.py"
    source.write_text("x = 1\n")
    assert util.pyc_file_from_path(str(source)) is None  # not compiled yet
    import py_compile

    compiled = py_compile.compile(str(source))
    assert util.pyc_file_from_path(str(source)) == compiled
