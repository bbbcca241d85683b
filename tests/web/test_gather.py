"""What pages cost: a fixed number of statements, whatever the data behind them."""

from __future__ import annotations

import pickle

from sqlalchemy import delete

from api.web.model import gather_model
from api.web.pages import Explorer, _model_context
from catalog.models import ModelDerivation
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
    found = page.derived.license
    assert found is not None
    assert [(t.source_ref, t.license, t.depth) for t in found.terms if t.license] == [
        (None, "mit", 0),
        ("huggingface:org/r0", "llama3", 2),
    ]
    assert found.conflict
    # The page crosses a process boundary: it survives pickling unchanged.
    assert pickle.loads(pickle.dumps(page)) == page  # noqa: S301 - our own object


def test_a_model_not_derived_yet_says_so_and_still_shows(db_session) -> None:
    ids = load(db_session, [record("org/new", license="mit", formats=["gguf"])])
    db_session.execute(delete(ModelDerivation).where(ModelDerivation.model_id.in_(ids.values())))
    page = gather_model(db_session, None, "huggingface:org/new")
    assert page is not None
    derived = page.derived
    assert (derived.derived, derived.license, derived.memory) == (False, None, None)
    assert [u.value for u in derived.usage] == [None, None, None]
    assert derived.license_class == "permissive"  # the declared license's class is a join
    html = Explorer().renderer.env.get_template("model.html").render(**_model_context(page))
    assert "Not derived yet: <code>catalog derive rebuild</code>" in html
    assert "<dt>Commercial use</dt><dd>—</dd>" in html
