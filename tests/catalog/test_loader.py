"""The bulk loader: upserts, associations, lineage resolution, metrics, idempotence."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from catalog.loader import load_models, touch_unchanged
from catalog.models import Model, ModelLineage, ModelMetric, ModelSighting
from catalog.raw import LandedPayload, store_payloads
from catalog.records import FormatRecord, LicenseRef, LineageRef, NormalizedModel, VersionRecord

T0 = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
T1 = dt.datetime(2026, 1, 6, tzinfo=dt.UTC)


def _record(external_id: str, **changes: object) -> NormalizedModel:
    base: dict[str, object] = {
        "platform": "huggingface",
        "external_id": external_id,
        "name": external_id.rsplit("/", maxsplit=1)[-1],
        "author": external_id.split("/", maxsplit=1)[0],
        "tasks": ("text-generation",),
        "formats": (FormatRecord("gguf", ({"quantization": "Q4_K_M"},), 1, 4_000_000_000),),
        "languages": ("en", "fr"),
        "datasets": ("wikitext",),
        "tags": ("llama", "arxiv:2307.09288"),
        "license": LicenseRef("llama2", "Llama 2 Community License"),
        "library": "transformers",
        "downloads": 100,
        "likes": 5,
        "versions": (VersionRecord("main"),),
    }
    base.update(changes)
    return NormalizedModel(**base)  # type: ignore[arg-type]


def _snapshot(session: Session) -> list[tuple[object, ...]]:
    return session.execute(
        text("""
        select m.external_id, m.name, m.downloads, l.slug, lib.slug,
          (select array_agg(t.slug order by t.slug) from model_tasks mt
             join tasks t on t.id = mt.task_id where mt.model_id = m.id),
          (select array_agg(mo.slug order by mo.slug) from model_modalities mm
             join modalities mo on mo.id = mm.modality_id where mm.model_id = m.id),
          (select array_agg(f.slug || ':' || mf.variants::text order by f.slug)
             from model_formats mf
             join formats f on f.id = mf.format_id where mf.model_id = m.id),
          (select array_agg(g.name order by g.name) from model_tags mt
             join tags g on g.id = mt.tag_id where mt.model_id = m.id),
          (select array_agg(g.code order by g.code) from model_languages ml
             join languages g on g.id = ml.language_id where ml.model_id = m.id)
        from models m left join licenses l on l.id = m.license_id
        left join libraries lib on lib.id = m.library_id order by m.external_id
    """)
    ).all()


def test_load_writes_models_with_every_association(db_session: Session) -> None:
    result = load_models(db_session, [_record("meta/llama-2-7b")], observed_at=T0)
    assert result.inserted == 1
    [row] = _snapshot(db_session)
    assert row[0] == "meta/llama-2-7b"
    assert row[3] == "llama2"
    assert row[4] == "transformers"
    assert row[5] == ["text-generation"]
    assert row[6] == ["language"]
    assert row[7] == ['gguf:[{"quantization": "Q4_K_M"}]']
    assert row[8] == ["arxiv:2307.09288", "llama"]
    assert row[9] == ["en", "fr"]


def test_reloading_the_same_records_changes_nothing(db_session: Session) -> None:
    records = [_record("a/one"), _record("a/two", tags=("x",))]
    load_models(db_session, records, observed_at=T0)
    before = _snapshot(db_session)
    again = load_models(db_session, records, observed_at=T0)
    assert again.inserted == 0
    assert again.updated == 2
    assert _snapshot(db_session) == before
    assert db_session.scalar(select(func.count()).select_from(Model)) == 2


def test_changed_record_replaces_its_associations(db_session: Session) -> None:
    load_models(db_session, [_record("a/one")], observed_at=T0)
    load_models(
        db_session,
        [_record("a/one", tasks=("image-classification",), tags=("vit",), downloads=7)],
        observed_at=T1,
    )
    [row] = _snapshot(db_session)
    assert row[2] == 7
    assert row[5] == ["image-classification"]
    assert row[6] == ["vision"]
    assert row[8] == ["vit"]


def test_lineage_waits_for_its_parent_and_links_when_it_arrives(db_session: Session) -> None:
    child = _record("me/llama-ft", lineage=(LineageRef("huggingface", "meta/base", "finetune"),))
    load_models(db_session, [child], observed_at=T0)
    edge = db_session.scalars(select(ModelLineage)).one()
    assert edge.parent_id is None
    assert edge.parent_external_id == "meta/base"

    parent_ids = load_models(db_session, [_record("meta/base")], observed_at=T0).ids
    db_session.expire_all()
    edge = db_session.scalars(select(ModelLineage)).one()
    assert edge.parent_id == parent_ids["meta/base"]
    assert edge.relation == "finetune"


def test_metric_point_per_observation_and_touch_of_unchanged(db_session: Session) -> None:
    ids = load_models(db_session, [_record("a/one", downloads=10)], observed_at=T0).ids
    platform_id = db_session.scalar(text("select id from platforms where slug='huggingface'"))
    db_session.execute(
        text("update models set removed_at = now() where id = :i"), {"i": ids["a/one"]}
    )
    store_payloads(db_session, platform_id, [LandedPayload("a/one", "{}", "hash-1", T0)])
    unchanged = touch_unchanged(
        db_session, platform_id, {"a/one": "hash-1", "a/two": "hash-2"}, observed_at=T1
    )
    assert unchanged == {"a/one"}  # a/two has no landed payload: it is new, not touched
    points = db_session.execute(
        select(ModelMetric.observed_at, ModelMetric.downloads).order_by(ModelMetric.observed_at)
    ).all()
    assert points == [(T0, 10), (T1, 10)]
    model = db_session.get(Model, ids["a/one"])
    assert model is not None
    db_session.refresh(model)
    assert model.removed_at is None  # a model seen again is restored
    sighting = db_session.get(ModelSighting, ids["a/one"])
    assert sighting is not None
    assert sighting.last_seen_at == T1


def test_custom_license_is_kept_with_its_name_and_link(db_session: Session) -> None:
    lic = LicenseRef("acme-research", "ACME Research License", "https://acme.example/license")
    load_models(db_session, [_record("acme/m", license=lic)], observed_at=T0)
    row = db_session.execute(
        text(
            "select l.slug, l.name, l.url, l.spdx_id from models m join licenses l "
            "on l.id = m.license_id"
        )
    ).one()
    assert tuple(row) == (
        "acme-research",
        "ACME Research License",
        "https://acme.example/license",
        None,
    )
