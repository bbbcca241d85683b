"""What pages cost: a fixed number of statements, whatever the data behind them."""

from __future__ import annotations

import pickle

from api.web.model import gather_model
from tests.factories import load, record, with_lineage


def test_a_model_page_costs_ten_statements_whatever_its_lineage(db_session, query_recorder) -> None:
    # a <- b (one edge) and, apart, r0 <- r1 <- root <- 4 children <- 3 grandchildren each.
    records = [record("org/a"), record("org/b"), record("org/r0", license="llama3")]
    records += [record("org/r1"), record("org/root", license="mit")]
    records += [record(f"org/c{i}", downloads=i) for i in range(4)]
    records += [record(f"org/g{i}{j}") for i in range(4) for j in range(3)]
    edges = [(1, 0, "finetune"), (3, 2, "finetune"), (4, 3, "merge")]
    edges += [(5 + i, 4, "adapter") for i in range(4)]
    edges += [(9 + 3 * i + j, 5 + i, "quantized") for i in range(4) for j in range(3)]
    load(db_session, with_lineage(records, edges))

    counts = {}
    for ref in ("huggingface:org/b", "huggingface:org/root"):
        query_recorder.statements.clear()
        query_recorder.active = True
        page = gather_model(db_session, None, ref)
        query_recorder.active = False
        assert page is not None
        counts[ref] = query_recorder.count
    assert counts == {"huggingface:org/b": 10, "huggingface:org/root": 10}
    assert [n.name for n in page.ancestors] == ["r1"]
    assert [n.name for n in page.ancestors[0].children] == ["r0"]
    assert [n.name for n in page.descendants] == ["c3", "c2", "c1", "c0"]  # most downloaded first
    assert [len(n.children) for n in page.descendants] == [3, 3, 3, 3]
    assert (page.children_total, page.truncated) == (4, False)
    # The derived layer came with it: root inherits r0's license two levels up.
    terms = page.derived.license.terms
    assert [(t.ref, t.license, t.depth) for t in terms if t.license] == [
        ("huggingface:org/r0", "llama3", 2)
    ]
    assert page.derived.license.conflict
    # The page crosses a process boundary: it survives pickling unchanged.
    assert pickle.loads(pickle.dumps(page)) == page  # noqa: S301 - our own object
