"""pytester runs the user's suite in this process and then forgets the modules it
imported; a later run importing gitmig's modules afresh next to SQLAlchemy's old ones
breaks SQLAlchemy. So every module such a run needs is imported here first, by running
the checks once on a demo project (the tests that run pytester ask for it)."""

from __future__ import annotations

import sys

import pytest


@pytest.fixture(scope="session")
def _modules_of_a_run(tmp_path_factory: pytest.TempPathFactory) -> None:
    import pymysql  # noqa: F401  - the drivers and dialects the servers' runs load
    import sqlalchemy.dialects.mysql.pymysql
    import sqlalchemy.dialects.postgresql.psycopg  # noqa: F401

    from gitmig import testing
    from gitmig.config import Config
    from tests.testing.demo import write_project

    root = tmp_path_factory.mktemp("warm-up")
    ini = write_project(root, f"sqlite:///{root / 'warm-up.db'}")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.syspath_prepend(str(root))
        config = Config(ini)
        testing.check_single_head(config)
        testing.check_lint(config)
        with testing.empty_database(config):
            testing.check_stairway(config)
        with testing.empty_database(config):
            testing.check_models_match(config)
        sys.modules.pop("models", None)
