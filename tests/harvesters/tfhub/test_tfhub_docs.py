"""tfhub.dev doc parsing and grouping: headings, metadata, deployments, collections."""

from __future__ import annotations

import pytest

from harvesters.tfhub.docs import (
    DocError,
    deployment_variant,
    group_docs,
    parent_of,
    parse_doc,
    publisher_name,
    resolve_link,
    split_version,
)

MODULE = """# Module google/elmo/3
Deep contextual
word embeddings.

<!-- task: text-embedding -->
<!-- language: en -->
<!-- language: de -->
<!-- language: en -->
<!-- fine-tunable: true  -->
<!--   dataset  :  1-billion-word-benchmark   -->
<!-- colab: -->

## Overview

<!-- task: not-metadata-after-the-first-heading -->
Body text.
"""


def test_module_doc_is_parsed_into_type_handle_summary_metadata_and_body() -> None:
    doc = parse_doc("google/models/elmo/3.md", MODULE)
    assert doc["type"] == "Module"
    assert doc["handle"] == "google/elmo/3"
    assert doc["summary"] == "Deep contextual word embeddings."
    assert doc["metadata"] == {
        "task": ["text-embedding"],
        "language": ["en", "de"],
        "fine-tunable": ["true"],
        "dataset": ["1-billion-word-benchmark"],
    }
    assert doc["body"].startswith("## Overview")
    assert "not-metadata" in doc["body"]


def test_leading_blank_lines_bom_crlf_and_zwnj_are_tolerated() -> None:
    text = "\ufeff\n# Placeholder&zwnj; iree/mobilenet_v2_100_224/uint8/1\r\n\r\nShort.\r\n"
    doc = parse_doc("x.md", text)
    assert (doc["type"], doc["handle"], doc["summary"]) == (
        "Placeholder",
        "iree/mobilenet_v2_100_224/uint8/1",
        "Short.",
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "is not '# <Type> <handle>'"),
        ("Module google/elmo/3\n", "is not '# <Type> <handle>'"),
        ("# Model google/elmo/3\n", "is not '# <Type> <handle>'"),
        ("# Module google/elmo\n", "does not end in /<version>"),
        ("# Lite google/elmo/latest\n", "does not end in /<version>"),
    ],
)
def test_docs_that_are_not_tfhub_docs_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(DocError, match=reason):
        parse_doc("bad.md", text)


def test_collection_and_publisher_handles_need_no_version() -> None:
    assert parse_doc("p.md", "# Publisher google\n")["handle"] == "google"
    assert parse_doc("c.md", "# Collection google/bert/1\n")["type"] == "Collection"


@pytest.mark.parametrize(
    ("handle", "expected"),
    [
        ("google/elmo/2", ("google/elmo", "2")),
        (
            "google/imagenet/resnet_v1_50/feature_vector/4",
            ("google/imagenet/resnet_v1_50/feature_vector", "4"),
        ),
        ("google/elmo", ("google/elmo", None)),
        ("google/collections/bert/1", ("google/collections/bert", "1")),
    ],
)
def test_split_version(handle: str, expected: tuple[str, str | None]) -> None:
    assert split_version(handle) == expected


def lite(handle: str, parent: str, doc_type: str = "Lite") -> dict[str, object]:
    return {"type": doc_type, "handle": handle, "metadata": {"parent-model": [parent]}}


@pytest.mark.parametrize(
    ("handle", "parent", "expected_parent", "expected_variant"),
    [
        (
            "tensorflow/mobilenet_v1_0.25_128/1/metadata/1",
            "tensorflow/mobilenet_v1_0.25_128/1",
            ("tensorflow/mobilenet_v1_0.25_128", "1"),
            ("metadata", "1"),
        ),
        (
            "tensorflow/deeplab/pascal/1/quantized/2/1",
            "tensorflow/deeplab/pascal/1",
            ("tensorflow/deeplab/pascal", "1"),
            ("quantized/2", "1"),
        ),
        (
            "tensorflow/efficientdet/lite4/detection/metadata/1",
            "tensorflow/efficientdet/lite4/detection/1",
            ("tensorflow/efficientdet/lite4/detection", "1"),
            ("metadata", "1"),
        ),
        (
            "tensorflow/ar_portrait_depth/1",
            "tensorflow/ar_portrait_depth/1",
            ("tensorflow/ar_portrait_depth", "1"),
            ("", "1"),
        ),
        (
            "bohemian-visual-recognition-alliance/models/mushroom-identification_v1/1",
            "bohemian-visual-recognition-alliance/models/mushroom-identification_v1/1",
            ("bohemian-visual-recognition-alliance/mushroom-identification_v1", "1"),
            ("", "1"),
        ),
    ],
)
def test_deployment_parent_and_variant(
    handle: str,
    parent: str,
    expected_parent: tuple[str, str],
    expected_variant: tuple[str, str],
) -> None:
    doc = lite(handle, parent)
    assert parent_of(doc) == expected_parent
    assert deployment_variant(doc) == expected_variant


def test_deployment_without_parent_is_reported_not_grouped() -> None:
    orphan = {"path": "a/lite/1.md", "type": "Lite", "handle": "a/b/1", "metadata": {}}
    payloads, problems = group_docs([orphan])
    assert payloads == []
    assert problems == [("a/lite/1.md", "Lite doc a/b/1 has no parent-model")]


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("google/imagenet/mobilenet/classification/5", "google/imagenet/mobilenet/classification"),
        (
            "google/lite-model/imagenet/mobilenet/classification/5/metadata/1",
            "google/imagenet/mobilenet/classification",
        ),
        ("google/imagenet/mobilenet/classification", "google/imagenet/mobilenet/classification"),
        ("google/collections/bert/1", None),
        ("google/elsewhere/1", None),
    ],
)
def test_collection_links_resolve_to_known_handles(link: str, expected: str | None) -> None:
    assert (
        resolve_link(link, {"google/imagenet/mobilenet/classification", "google/bert"}) == expected
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("## Cosmology Research Group (ETHZ)\n", "Cosmology Research Group (ETHZ)"),
        (
            "[![Icon URL]](x)\n## [The Metropolitan Museum of Art](https://x)\n",
            "The Metropolitan Museum of Art",
        ),
        ("### Not a name\n", None),
        ("", None),
    ],
)
def test_publisher_display_name(body: str, expected: str | None) -> None:
    assert publisher_name({"body": body}) == expected


def test_grouping_folds_versions_deployments_publisher_and_collections() -> None:
    docs = [
        parse_doc("p.md", "# Publisher google\n\n## Google Research\n"),
        parse_doc("m1.md", "# Module google/m/1\nOne.\n"),
        parse_doc("m2.md", "# Module google/m/2\nTwo.\n"),
        parse_doc("l.md", "# Lite google/m/2/fp16/1\nL.\n<!-- parent-model: google/m/2 -->\n"),
        parse_doc(
            "c.md",
            "# Collection google/set/1\nC.\n\n## Models\n[m](https://tfhub.dev/google/m/2)\n",
        ),
        parse_doc("o.md", "# Module other/x/1\nX.\n"),
    ]
    payloads, problems = group_docs(docs)
    assert problems == []
    assert [p["handle"] for p in payloads] == ["google/m", "other/x"]
    first = payloads[0]
    assert first["publisher"] == {"handle": "google", "name": "Google Research"}
    assert first["collections"] == ["google/set"]
    assert [d["handle"] for d in first["docs"]] == ["google/m/1", "google/m/2", "google/m/2/fp16/1"]
    assert payloads[1]["publisher"] is None
