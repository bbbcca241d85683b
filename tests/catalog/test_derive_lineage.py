"""The derived layer in the catalog: kept current by loads, along lineage, across hubs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from catalog.derive import refresh
from catalog.derive.licenses import CLASS_OF_LICENSE
from catalog.records import FormatRecord, LineageRef
from tests.factories import load, record


def ref(platform: str, external_id: str, relation: str = "finetune") -> LineageRef:
    return LineageRef(platform, external_id, relation)


def derived(session: Session, key: str) -> dict[str, Any]:
    platform, external_id = key.split(":", 1)
    row = session.execute(
        text(
            "SELECT d.feature_extraction, d.fine_tuning, d.zero_shot, d.memory_bytes, c.slug, "
            "d.effective_licenses, d.license_conflict, d.commercial_use, d.evidence "
            "FROM model_derivations d JOIN models m ON m.id = d.model_id "
            "JOIN platforms p ON p.id = m.platform_id "
            "LEFT JOIN license_classes c ON c.id = d.license_class_id "
            "WHERE p.slug = :p AND m.external_id = :e"
        ),
        {"p": platform, "e": external_id},
    ).one()
    names = ("fe", "ft", "zs", "memory", "class", "licenses", "conflict", "commercial", "ev")
    return dict(zip(names, row, strict=True))


def usages(session: Session, key: str) -> set[str]:
    platform, external_id = key.split(":", 1)
    return set(
        session.execute(
            text(
                "SELECT u.slug FROM model_usages mu JOIN usages u ON u.id = mu.usage_id "
                "JOIN models m ON m.id = mu.model_id JOIN platforms p ON p.id = m.platform_id "
                "WHERE p.slug = :p AND m.external_id = :e"
            ),
            {"p": platform, "e": external_id},
        ).scalars()
    )


CHAIN = [
    # Llama on Hugging Face <- a Kaggle fine-tune <- a Hugging Face quantization of it.
    record("meta-llama/Llama-3.1-8B", license="llama3.1", formats=["safetensors"]),
    record(
        "acme/llama-ft",
        platform="kaggle",
        license="apache-2.0",
        lineage=[ref("huggingface", "meta-llama/Llama-3.1-8B")],
    ),
    record(
        "someone/llama-ft-GGUF",
        license="mit",
        formats=[FormatRecord("gguf", ({"quantization": "Q4_K_M", "bytes": 4_900_000_000},))],
        lineage=[ref("kaggle", "acme/llama-ft", "quantized")],
    ),
]


def test_licenses_are_inherited_along_multi_hop_lineage_across_hubs(db_session) -> None:
    load(db_session, CHAIN)
    leaf = derived(db_session, "huggingface:someone/llama-ft-GGUF")
    assert leaf["licenses"] == ["mit", "apache-2.0", "llama3.1"]
    assert (leaf["class"], leaf["commercial"], leaf["conflict"]) == (
        "restricted-custom",
        True,
        True,
    )
    inherited = leaf["ev"]["license"]["inherited"]
    assert [(i["ref"], i["depth"]) for i in inherited] == [
        ("kaggle:acme/llama-ft", 1),
        ("huggingface:meta-llama/Llama-3.1-8B", 2),
    ]
    assert leaf["memory"] == 4_900_000_000
    assert derived(db_session, "huggingface:meta-llama/Llama-3.1-8B")["conflict"] is False


def test_a_license_change_reaches_every_descendant_in_a_later_batch(db_session) -> None:
    load(db_session, CHAIN)
    load(db_session, [record("meta-llama/Llama-3.1-8B", license="cc-by-nc-4.0")])
    for key in ("kaggle:acme/llama-ft", "huggingface:someone/llama-ft-GGUF"):
        found = derived(db_session, key)
        assert found["licenses"][-1] == "cc-by-nc-4.0", key
        assert (found["class"], found["commercial"]) == ("non-commercial", False)
    # The leaf's own facts (memory, usage) stayed as its last load derived them.
    assert derived(db_session, "huggingface:someone/llama-ft-GGUF")["memory"] == 4_900_000_000


def test_children_loaded_before_their_parent_inherit_once_it_arrives(db_session) -> None:
    load(db_session, CHAIN[1:])
    orphan = derived(db_session, "kaggle:acme/llama-ft")
    assert orphan["class"] == "unknown"  # its base is not in the catalog yet
    assert orphan["ev"]["license"]["inherited"][0]["in_catalog"] is False
    load(db_session, CHAIN[:1])
    assert derived(db_session, "kaggle:acme/llama-ft")["class"] == "restricted-custom"
    grandchild = derived(db_session, "huggingface:someone/llama-ft-GGUF")
    assert grandchild["licenses"] == ["mit", "apache-2.0", "llama3.1"]


def test_cycles_end_the_walk(db_session) -> None:
    records = [
        record("a/one", license="mit", lineage=[ref("huggingface", "a/two")]),
        record("a/two", license="gpl-3.0", lineage=[ref("huggingface", "a/one")]),
        record("a/self", license="mit", lineage=[ref("huggingface", "a/self")]),
    ]
    load(db_session, records)
    one = derived(db_session, "huggingface:a/one")
    assert one["licenses"] == ["mit", "gpl-3.0"]
    assert (one["class"], one["conflict"]) == ("copyleft", True)
    assert derived(db_session, "huggingface:a/self")["licenses"] == ["mit"]


def test_fine_tuning_evidence_from_children_appears_and_goes(db_session) -> None:
    base = record("org/base", tasks=["text-generation"])
    child = record("org/child", lineage=[ref("huggingface", "org/base")])
    load(db_session, [base])
    assert derived(db_session, "huggingface:org/base")["ft"] is None
    load(db_session, [child])
    found = derived(db_session, "huggingface:org/base")
    assert found["ft"] is True
    assert found["ev"]["decided_by"]["fine-tuning"] == "declared-finetune-base"
    assert "fine-tuning" in usages(db_session, "huggingface:org/base")
    # The child now names another base: the old one loses the evidence.
    load(db_session, [record("org/child", lineage=[ref("huggingface", "org/other")])])
    assert derived(db_session, "huggingface:org/base")["ft"] is None
    assert usages(db_session, "huggingface:org/base") == set()


def test_rebuild_derives_what_loading_derived(db_session) -> None:
    load(db_session, CHAIN)
    before = db_session.execute(
        text("SELECT model_id, fine_tuning, memory_bytes, effective_licenses, evidence "
             "FROM model_derivations ORDER BY model_id")
    ).all()  # fmt: skip
    db_session.execute(text("DELETE FROM model_derivations; DELETE FROM model_usages"))
    assert refresh.rebuild(db_session, chunk=2, commit=False) == 3
    after = db_session.execute(
        text("SELECT model_id, fine_tuning, memory_bytes, effective_licenses, evidence "
             "FROM model_derivations ORDER BY model_id")
    ).all()  # fmt: skip
    assert after == before


def test_licenses_carry_the_class_the_migration_copied(db_session) -> None:
    rows = db_session.execute(
        text(
            "SELECT l.slug, c.slug FROM licenses l "
            "LEFT JOIN license_classes c ON c.id = l.license_class_id"
        )
    ).all()
    assert rows
    assert {slug: cls for slug, cls in rows if slug in CLASS_OF_LICENSE} == {
        slug: CLASS_OF_LICENSE[slug] for slug, _ in rows if slug in CLASS_OF_LICENSE
    }
    load(db_session, [record("org/x", license="flux-1-dev-non-commercial-license")])
    load(db_session, [record("org/y", license="house-terms-v2")])
    found = dict(db_session.execute(
        text("SELECT l.slug, c.slug FROM licenses l JOIN license_classes c "
             "ON c.id = l.license_class_id WHERE l.slug IN "
             "('flux-1-dev-non-commercial-license', 'house-terms-v2')")
    ).all())  # fmt: skip
    assert found == {
        "flux-1-dev-non-commercial-license": "non-commercial",
        "house-terms-v2": "unknown",
    }


def test_reporting_view_shows_the_derived_columns(db_session) -> None:
    load(db_session, CHAIN)
    row = db_session.execute(
        text(
            "SELECT fine_tuning, memory_bytes, license_class, effective_licenses, "
            "effective_license_class, license_conflict, commercial_use "
            "FROM reporting.models_flat WHERE ref = 'huggingface:someone/llama-ft-GGUF'"
        )
    ).one()
    assert tuple(row) == (
        False,
        4_900_000_000,
        "permissive",
        "mit,apache-2.0,llama3.1",
        "restricted-custom",
        True,
        True,
    )
    columns = [
        c
        for (c,) in db_session.execute(
            text(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'reporting' AND table_name = 'models_flat' "
                "ORDER BY ordinal_position"
            )
        )
    ]
    # Derived columns (0005), the family columns (0006), then nsfw (0008): new columns go
    # at the end.
    assert columns[-12:] == [
        "feature_extraction",
        "fine_tuning",
        "zero_shot",
        "memory_bytes",
        "license_class",
        "effective_licenses",
        "effective_license_class",
        "license_conflict",
        "commercial_use",
        "family",
        "family_root",
        "nsfw",
    ]
