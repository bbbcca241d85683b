"""The family vocabulary: built-in data, a user's file on top, clear errors, canonical names."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.families.names import canonical, class_name_text
from catalog.families.vocabulary import FamilyVocabularyError, load_vocabulary


@pytest.fixture(scope="module")
def vocab():  # noqa: ANN201
    return load_vocabulary()


def test_builtin_vocabulary_is_a_tree_with_generated_releases(vocab) -> None:
    declared = [f for f in vocab.families.values() if f.kind != "release"]
    assert len(declared) >= 150
    for family in vocab.families.values():
        assert family.path[-1] == family.slug
        if family.parent is not None:
            assert vocab.families[family.parent].path == family.path[:-1]
    assert vocab.families["resnet-50"].path == ("resnet", "resnet-50")
    assert vocab.families["resnet-50"].kind == "release"
    assert vocab.families["llama-3.1-8b-instruct"].path == (
        "llama",
        "llama-3",
        "llama-3.1",
        "llama-3.1-8b-instruct",
    )
    assert vocab.families["mobilenet-v2-1.0-224"].root == "mobilenet"
    for example in ("resnet", "yolo", "sam", "stable-diffusion", "gpt-2", "llama", "bert", "t5",
                    "sentence-transformers", "whisper", "bark", "musicgen", "wav2vec2", "clip",
                    "llava", "dall-e", "layoutlm"):  # fmt: skip
        assert vocab.families[example].kind == "architecture", example


@pytest.mark.parametrize(
    ("spellings", "same"),
    [
        (["resnet50", "ResNet-50", "resnet_50", "RESNET 50"], "resnet-50"),
        (["yolov5", "YOLO-v5", "yolo_v5"], "yolo-v-5"),
        (["Llama-3.1-8B", "llama3.1_8b", "LLAMA 3.1 8b"], "llama-3-1-8-b"),
        (["MobileNetV2", "mobilenet_v2", "MobileNet v2"], "mobilenet-v-2"),
    ],
)
def test_spellings_of_one_name_share_a_canonical_form(spellings: list[str], same: str) -> None:
    assert {canonical(s) for s in spellings} == {same}


def test_class_names_read_as_words() -> None:
    assert canonical(class_name_text("Qwen2ForCausalLM")) == "qwen-2"
    assert canonical(class_name_text("StableDiffusionXLPipeline")) == "stable-diffusion-xl"
    assert canonical(class_name_text("GPT2LMHeadModel")) == "gpt-2"


def _user_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "families.yaml"
    path.write_text(text)
    return path


def test_a_user_file_adds_families_and_pins(tmp_path: Path) -> None:
    path = _user_file(
        tmp_path,
        """
families:
  - slug: acme-net
    name: AcmeNet
    aliases: [acmenet]
    releases:
      - match: 'acme-net-(?P<size>s|l)'
        slug: 'acme-net-{size}'
        values: {size: [s, l]}
  - slug: acme-net-edge
    parent: acme-net
pins:
  "huggingface:someone/thing": acme-net
""",
    )
    vocab = load_vocabulary(path)
    assert vocab.families["acme-net-edge"].path == ("acme-net", "acme-net-edge")
    assert vocab.families["acme-net-l"].kind == "release"
    assert vocab.pins["huggingface:someone/thing"] == "acme-net"
    assert "resnet" in vocab.families  # the built-in families stay
    assert vocab.sha256 != load_vocabulary().sha256


def test_a_user_family_of_a_builtin_slug_replaces_it(tmp_path: Path) -> None:
    path = _user_file(
        tmp_path, "families:\n  - {slug: bark, name: Bark by Suno, aliases: [suno]}\n"
    )
    vocab = load_vocabulary(path)
    assert vocab.families["bark"].name == "Bark by Suno"
    assert "suno" in vocab.families["bark"].spellings


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("families:\n  - {slug: x-net, parent: nowhere}\n", "names unknown parent 'nowhere'"),
        (
            "families:\n  - {slug: a-net, parent: b-net}\n  - {slug: b-net, parent: a-net}\n",
            "cycle",
        ),
        ("families:\n  - {slug: x-net, patterns: ['(']}\n", "is not a regex"),
        ("families:\n  - {slug: x-net, colour: blue}\n", "unknown keys ['colour']"),
        ("families:\n  - {slug: X Net}\n", "must be lower-case"),
        ("pins:\n  'huggingface:a/b': no-such-family\n", "unknown family 'no-such-family'"),
        ("families: [\n", "not valid YAML"),
    ],
)
def test_mistakes_in_a_user_file_say_what_and_where(
    tmp_path: Path, text: str, message: str
) -> None:
    path = _user_file(tmp_path, text)
    with pytest.raises(FamilyVocabularyError) as caught:
        load_vocabulary(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_missing_user_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(FamilyVocabularyError, match="CATALOG_FAMILIES_FILE"):
        load_vocabulary(tmp_path / "absent.yaml")
