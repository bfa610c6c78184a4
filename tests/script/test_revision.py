"""The pure revision graph: structure, identifiers, plans, divergence and every error."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitmig.exc import (
    CycleDetected,
    CycleError,
    DependencyCycleDetected,
    DependencyLoopDetected,
    LoopDetected,
    MultipleHeadsError,
    ResolutionError,
    RevisionError,
)
from gitmig.script.revision import Revision, RevisionMap


def graph(*specs: tuple[str, object] | tuple[str, object, dict[str, object]]) -> RevisionMap:
    revs = []
    for spec in specs:
        rev_id, down = spec[0], spec[1]
        extra: dict[str, object] = spec[2] if len(spec) > 2 else {}  # type: ignore[misc]
        revs.append(Revision(rev_id, down, path=f"{rev_id}.py", **extra))  # type: ignore[arg-type]
    return RevisionMap(revs)


#     a - b - c1 - m - d
#          \- c2 -/
DIAMOND = (("a", None), ("b", "a"), ("c1", "b"), ("c2", "b"), ("m", ("c1", "c2")), ("d", "m"))


def ids(revs: list[Revision]) -> list[str]:
    return [r.revision for r in revs]


class TestStructure:
    def test_heads_bases_and_order(self) -> None:
        g = graph(*DIAMOND)
        assert g.heads == ("d",)
        assert g.bases == ("a",)
        order = [r.revision for r in g]
        assert order.index("b") < order.index("c1") < order.index("m") < order.index("d")
        assert g.children("b") == ("c1", "c2")
        assert g.get("m").is_merge_point

    def test_several_bases_and_heads(self) -> None:
        g = graph(("a", None), ("b", "a"), ("x", None), ("y", "x"))
        assert set(g.heads) == {"b", "y"}
        assert set(g.bases) == {"a", "x"}

    def test_ancestors_descendants(self) -> None:
        g = graph(*DIAMOND)
        assert g.ancestors(["m"]) == {"a", "b", "c1", "c2", "m"}
        assert g.ancestors(["m"], inclusive=False) == {"a", "b", "c1", "c2"}
        assert g.descendants(["c2"]) == {"c2", "m", "d"}

    def test_dependencies_order_but_do_not_merge(self) -> None:
        g = graph(("a", None), ("x", None), ("b", "a", {"depends_on": "x"}))
        assert set(g.heads) == {"b", "x"}
        assert g.ancestors(["b"]) == {"a", "b", "x"}
        assert g.ancestors(["b"], include_dependencies=False) == {"a", "b"}
        assert g.get("b").dependencies == ("x",)

    def test_depends_on_a_label_or_prefix(self) -> None:
        g = graph(
            ("a1", None),
            ("x1", None, {"branch_labels": "other"}),
            ("b1", "a1", {"depends_on": ("other",)}),
            ("c1", "b1", {"depends_on": "x"}),
        )
        assert g.get("b1").dependencies == ("x1",)
        assert g.get("c1").dependencies == ("x1",)

    def test_label_propagation(self) -> None:
        #  a - b - c (label L declared on c's branch start) ; b also -> d
        g = graph(
            ("a", None),
            ("b", "a"),
            ("c", "b", {"branch_labels": "feature"}),
            ("c2", "c"),
            ("d", "b"),
        )
        assert g.labels("c") == {"feature"}
        assert g.labels("c2") == {"feature"}
        assert g.labels("b") == frozenset()  # branch point: the label stops there
        assert g.labels("d") == frozenset()

    def test_label_propagates_up_a_linear_chain(self) -> None:
        g = graph(("a", None), ("b", "a"), ("c", "b", {"branch_labels": "main"}))
        assert g.labels("a") == {"main"}


class TestErrors:
    def test_missing_parent_names_file_and_id(self) -> None:
        with pytest.raises(RevisionError, match=r"b\.py: down_revision refers to zz"):
            graph(("a", None), ("b", "zz"))

    def test_duplicate_id_names_both_files(self) -> None:
        revs = [Revision("a", None, path="one.py"), Revision("a", None, path="two.py")]
        with pytest.raises(RevisionError, match=r"Duplicate revision id a: .*one\.py.*two\.py"):
            RevisionMap(revs)

    def test_duplicate_branch_label(self) -> None:
        message = r"Branch name 'x' in revision b already used by revision a \(in a\.py, b\.py\)"
        with pytest.raises(RevisionError, match=message):
            graph(("a", None, {"branch_labels": "x"}), ("b", "a", {"branch_labels": "x"}))

    def test_cycle_lists_the_ids(self) -> None:
        with pytest.raises(CycleError) as info:
            graph(("a", None), ("b", "d"), ("c", "b"), ("d", "c"))
        assert set(info.value.ids) == {"b", "c", "d"}
        assert "b -> " in str(info.value)

    def test_self_loop(self) -> None:
        with pytest.raises(LoopDetected, match=r"\(a\): a\.py names it as its own down_revision"):
            graph(("a", "a"))

    def test_dependency_self_loop(self) -> None:
        with pytest.raises(DependencyLoopDetected, match=r"a\.py names it in its own depends_on"):
            graph(("a", None, {"depends_on": "a"}))

    def test_dependency_cycle(self) -> None:
        message = r"^Dependency cycle .*\(in a\.py, b\.py\)"
        with pytest.raises(DependencyCycleDetected, match=message):
            graph(("a", None, {"depends_on": "b"}), ("b", "a"))

    def test_cycle_through_down_revision_is_not_a_dependency_cycle(self) -> None:
        with pytest.raises(CycleDetected) as info:
            graph(("a", "b", {"depends_on": "c"}), ("b", "a"), ("c", None))
        assert not isinstance(info.value, DependencyCycleDetected)

    def test_lazy_map_raises_on_first_use(self) -> None:
        lazy = RevisionMap(lambda: [Revision("a", "b"), Revision("b", "a")])
        for _ in range(2):  # and again on the next use
            with pytest.raises(CycleDetected, match=r"^Cycle is detected in revisions \(a, b\)$"):
                lazy.heads  # noqa: B018

    @pytest.mark.parametrize("bad", ["a-b", "a@b", "a b", "head", "x+1", ""])
    def test_invalid_ids(self, bad: str) -> None:
        with pytest.raises(RevisionError, match="invalid revision id"):
            graph((bad, None))

    def test_invalid_label(self) -> None:
        with pytest.raises(RevisionError, match="invalid branch label"):
            graph(("a", None, {"branch_labels": "my-label"}))

    def test_unknown_dependency(self) -> None:
        with pytest.raises(RevisionError, match=r"a\.py: depends_on refers to nope"):
            graph(("a", None, {"depends_on": "nope"}))


class TestResolve:
    g = graph(
        ("a1", None),
        ("b2", "a1"),
        ("c3", "b2", {"branch_labels": "feat"}),
        ("c4", "c3"),
        ("d5", "b2"),
    )

    def test_full_and_prefix(self) -> None:
        assert self.g.resolve("c3") == ("c3",)
        assert self.g.resolve("d") == ("d5",)

    def test_ambiguous_prefix_lists_candidates(self) -> None:
        with pytest.raises(ResolutionError, match="Ambiguous revision prefix 'c' matches: c3, c4"):
            self.g.resolve("c")

    def test_unknown(self) -> None:
        with pytest.raises(ResolutionError, match="No such revision or branch: 'zz'"):
            self.g.resolve("zz")

    def test_bad_characters(self) -> None:
        with pytest.raises(ResolutionError, match="Invalid revision identifier"):
            self.g.resolve("a1;drop")

    def test_symbols(self) -> None:
        assert self.g.resolve("base") == ()
        assert set(self.g.resolve("heads")) == {"c4", "d5"}
        assert self.g.resolve("feat@head") == ("c4",)
        assert self.g.resolve("feat@c3") == ("c3",)
        assert self.g.resolve("feat") == ("c3",)  # a label alone: the revision declaring it
        assert self.g.resolve("current", current=("b2",)) == ("b2",)

    def test_head_with_several_heads(self) -> None:
        with pytest.raises(MultipleHeadsError, match="Multiple heads are present"):
            self.g.resolve("head")

    def test_label_mismatch(self) -> None:
        with pytest.raises(ResolutionError, match="not on branch 'feat'"):
            self.g.resolve("feat@d5")
        with pytest.raises(ResolutionError, match="No such branch label"):
            self.g.resolve("nolabel@head")

    def test_relative(self) -> None:
        assert self.g.resolve("+1", current=("a1",)) == ("b2",)
        assert self.g.resolve("+1") == ("a1",)  # from base
        assert self.g.resolve("-1", current=("c4",)) == ("c3",)
        assert self.g.resolve("c3+1") == ("c4",)
        assert self.g.resolve("feat@head-1") == ("c3",)
        assert self.g.resolve("feat@+1", current=("c3", "d5")) == ("c4",)
        assert self.g.resolve("a1-1") == ()

    def test_relative_ambiguity(self) -> None:
        with pytest.raises(MultipleHeadsError, match="ambiguous"):
            self.g.resolve("+1", current=("b2",))  # b2 has two children
        with pytest.raises(MultipleHeadsError, match="ambiguous"):
            self.g.resolve("-1", current=("c4", "d5"))
        with pytest.raises(ResolutionError, match="below base"):
            self.g.resolve("a1-2")
        with pytest.raises(ResolutionError, match="past the head"):
            self.g.resolve("c4+1")


class TestPlans:
    def test_upgrade_from_base_through_merge(self) -> None:
        g = graph(*DIAMOND)
        plan = ids(g.upgrade_plan((), "head"))
        assert plan[0] == "a" and plan[-2:] == ["m", "d"] and len(plan) == 6

    def test_upgrade_partial_and_noop(self) -> None:
        g = graph(*DIAMOND)
        assert ids(g.upgrade_plan(("c1",), "m")) == ["c2", "m"]
        assert ids(g.upgrade_plan(("d",), "heads")) == []

    def test_upgrade_backwards_is_an_error(self) -> None:
        g = graph(*DIAMOND)
        with pytest.raises(RevisionError, match="already behind"):
            g.upgrade_plan(("d",), "b")
        with pytest.raises(RevisionError, match=r"Target 'base' \(base\) is already behind"):
            g.upgrade_plan(("b",), "base")
        assert ids(g.upgrade_plan((), "base")) == []

    def test_upgrade_with_dependency_pulls_it_first(self) -> None:
        g = graph(("a", None), ("x", None), ("b", "a", {"depends_on": "x"}))
        assert ids(g.upgrade_plan((), "b")) in (["a", "x", "b"], ["x", "a", "b"])

    def test_unknown_database_revision(self) -> None:
        g = graph(*DIAMOND)
        with pytest.raises(RevisionError, match="database is at revision ffff"):
            g.upgrade_plan(("ffff",), "head")

    def test_downgrade_to_base_and_to_revision(self) -> None:
        g = graph(*DIAMOND)
        assert ids(g.downgrade_plan(("d",), "base"))[0] == "d"
        assert ids(g.downgrade_plan(("d",), "base"))[-1] == "a"
        assert ids(g.downgrade_plan(("d",), "c1")) == ["d", "m"]

    def test_downgrade_one_branch_of_two(self) -> None:
        g = graph(("a", None), ("b", "a"), ("c", "a"))
        plan = g.downgrade_plan(("b", "c"), "a")
        assert set(ids(plan)) == {"b", "c"}
        assert ids(g.downgrade_plan(("b", "c"), "base"))[-1] == "a"
        assert ids(g.downgrade_plan(("b", "c"), "c-1")) == ["c"]

    def test_downgrade_label_base(self) -> None:
        g = graph(("a", None), ("b", "a"), ("c", "a", {"branch_labels": "feat"}), ("c2", "c"))
        assert ids(g.downgrade_plan(("b", "c2"), "feat@base")) == ["c2", "c"]

    def test_downgrade_relative_from_merge(self) -> None:
        g = graph(*DIAMOND)
        assert ids(g.downgrade_plan(("m",), "-1")) == ["m"]

    def test_downgrade_to_unapplied_is_an_error(self) -> None:
        g = graph(*DIAMOND)
        with pytest.raises(RevisionError, match="is not applied"):
            g.downgrade_plan(("c1",), "c2")

    def test_heads_of(self) -> None:
        g = graph(*DIAMOND)
        assert g.heads_of({"a", "b", "c1", "c2"}) == ("c1", "c2")
        assert g.heads_of({"a", "b", "c1", "c2", "m"}) == ("m",)
        assert g.heads_of(set()) == ()

    def test_range(self) -> None:
        g = graph(*DIAMOND)
        assert ids(g.range("c1", "m")) == ["c1", "m"]
        assert ids(g.range(None, "b")) == ["a", "b"]
        assert len(g.range()) == 6


class TestDivergence:
    def test_two_heads_on_one_line(self) -> None:
        g = graph(("a", None), ("b", "a"), ("c", "b"), ("x", "a"))
        (found,) = g.divergences()
        assert set(found.heads) == {"c", "x"}
        assert found.common_ancestors == ("a",)
        assert found.added == {"c": ("b", "c"), "x": ("x",)}

    def test_labelled_branches_are_intentional(self) -> None:
        g = graph(("a", None), ("b", "a"), ("x", "a", {"branch_labels": "plugin"}))
        assert g.divergences() == []

    def test_separate_bases_are_intentional(self) -> None:
        g = graph(("a", None), ("b", "a"), ("x", None), ("y", "x"))
        assert g.divergences() == []

    def test_merged_graph_is_fine(self) -> None:
        assert graph(*DIAMOND).divergences() == []


# -- random graphs against a brute-force model ----------------------------------------------


@st.composite
def random_dags(draw: st.DrawFn) -> list[tuple[str, tuple[str, ...]]]:
    size = draw(st.integers(min_value=1, max_value=25))
    nodes: list[tuple[str, tuple[str, ...]]] = []
    for i in range(size):
        earlier = [f"r{j}" for j in range(i)]
        parents = (
            draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True)) if earlier else []
        )
        nodes.append((f"r{i}", tuple(parents)))
    return nodes


def brute_ancestors(nodes: dict[str, tuple[str, ...]], start: str) -> set[str]:
    found = {start}
    for parent in nodes[start]:
        found |= brute_ancestors(nodes, parent)
    return found


@settings(max_examples=150, deadline=None)
@given(random_dags())
def test_random_graphs_match_brute_force(dag: list[tuple[str, tuple[str, ...]]]) -> None:
    nodes = dict(dag)
    g = RevisionMap(Revision(rev, parents or None) for rev, parents in dag)
    is_parent = {p for parents in nodes.values() for p in parents}
    assert set(g.heads) == set(nodes) - is_parent
    assert set(g.bases) == {rev for rev, parents in nodes.items() if not parents}
    for rev in nodes:
        assert g.ancestors([rev]) == brute_ancestors(nodes, rev)
        assert g.descendants([rev]) == {d for d in nodes if rev in brute_ancestors(nodes, d)}
    order = [r.revision for r in g]
    assert sorted(order) == sorted(nodes)
    for rev, parents in nodes.items():
        assert all(order.index(p) < order.index(rev) for p in parents)
    # applying everything from base reaches exactly the heads; undoing it all empties the table
    plan = ids(g.upgrade_plan((), "heads"))
    assert set(plan) == set(nodes)
    assert set(g.heads_of(plan)) == set(g.heads)
    assert set(ids(g.downgrade_plan(g.heads, "base"))) == set(nodes)


def test_alembic_revision_map_api() -> None:
    from gitmig.script import revision as module

    graph = module.RevisionMap(
        lambda: [
            module.Revision("a1", None),
            module.Revision("b1", "a1"),
            module.Revision("c1", "a1", branch_labels="side", dependencies="b1"),
        ]
    )
    assert graph.get_revision(None) is None
    assert graph.get_revision("base") is None
    assert graph.get_revision("b1").revision == "b1"  # type: ignore[union-attr]
    assert graph.get_revision("side@head").revision == "c1"  # type: ignore[union-attr]
    # "heads" leaves out b1: c1 depends on it, so c1 stands for it (Alembic's real heads)
    assert [r.revision for r in graph.get_revisions("heads")] == ["c1"]
    assert graph.get_revision("heads").revision == "c1"  # type: ignore[union-attr]
    with pytest.raises(MultipleHeadsError, match="for given argument 'head'; b1, c1"):
        graph.get_revision("head")
    assert graph.heads == ("b1", "c1")
    assert [r.revision for r in graph.get_revisions(["a1", "b1"])] == ["a1", "b1"]
    assert graph.get_revisions(None) == ()
    assert graph.get("c1").dependencies == ("b1",)
    assert module.MultipleHeads is MultipleHeadsError
    assert issubclass(module.LoopDetected, module.CycleDetected)
    assert issubclass(module.DependencyLoopDetected, module.DependencyCycleDetected)
    assert issubclass(module.CycleDetected, CycleError)
