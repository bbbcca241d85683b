"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29 05:25:07.697687

This migration must stay compatible with the previous code version: the old code keeps
running while it applies (add columns nullable, backfill, then constrain in a later one).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Recomputed only when a column it reads is written, not on every update of a row.
SEARCH_DOCUMENT_TRIGGER = """
CREATE FUNCTION models_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_document :=
        setweight(to_tsvector('simple'::regconfig,
            regexp_replace(coalesce(NEW.name, ''), '[/_.:-]+', ' ', 'g')), 'A') ||
        setweight(to_tsvector('simple'::regconfig,
            regexp_replace(coalesce(NEW.external_id, ''), '[/_.:-]+', ' ', 'g')), 'A') ||
        setweight(to_tsvector('english'::regconfig, coalesce(NEW.summary, '')), 'B') ||
        setweight(to_tsvector('simple'::regconfig, coalesce(NEW.keywords, '')), 'C');
    RETURN NEW;
END
$$;
CREATE TRIGGER models_search_document
    BEFORE INSERT OR UPDATE OF name, external_id, summary, keywords ON models
    FOR EACH ROW EXECUTE FUNCTION models_search_document();
"""

# The vocabularies this revision seeded, copied from catalog.vocab as it was then:
# a migration never imports live code (the code may change; history may not).
PLATFORMS = [
    ('huggingface', 'Hugging Face Hub', 'https://huggingface.co'),
    ('tfhub', 'TensorFlow Hub', 'https://tfhub.dev'),
    ('pytorch-hub', 'PyTorch Hub', 'https://pytorch.org/hub'),
    ('kaggle', 'Kaggle Models', 'https://www.kaggle.com/models'),
    ('onnx-model-zoo', 'ONNX Model Zoo', 'https://github.com/onnx/models'),
]
MODALITIES = [
    ('vision', 'Vision'),
    ('language', 'Language'),
    ('audio', 'Audio'),
    ('multimodal', 'Multimodal'),
    ('tabular', 'Tabular'),
    ('reinforcement-learning', 'Reinforcement learning'),
    ('graph', 'Graph'),
    ('other', 'Other'),
]
# (slug, name, modality slug)
TASKS = [
    ('any-to-any', 'Any To Any', 'multimodal'),
    ('audio-text-to-text', 'Audio Text To Text', 'multimodal'),
    ('document-question-answering', 'Document Question Answering', 'multimodal'),
    ('image-text-to-image', 'Image Text To Image', 'multimodal'),
    ('image-text-to-text', 'Image Text To Text', 'multimodal'),
    ('image-text-to-video', 'Image Text To Video', 'multimodal'),
    ('video-text-to-text', 'Video Text To Text', 'multimodal'),
    ('visual-document-retrieval', 'Visual Document Retrieval', 'multimodal'),
    ('visual-question-answering', 'Visual Question Answering', 'multimodal'),
    ('depth-estimation', 'Depth Estimation', 'vision'),
    ('image-classification', 'Image Classification', 'vision'),
    ('image-feature-extraction', 'Image Feature Extraction', 'vision'),
    ('image-segmentation', 'Image Segmentation', 'vision'),
    ('image-to-3d', 'Image To 3D', 'vision'),
    ('image-to-image', 'Image To Image', 'vision'),
    ('image-to-text', 'Image To Text', 'vision'),
    ('image-to-video', 'Image To Video', 'vision'),
    ('keypoint-detection', 'Keypoint Detection', 'vision'),
    ('mask-generation', 'Mask Generation', 'vision'),
    ('object-detection', 'Object Detection', 'vision'),
    ('text-to-3d', 'Text To 3D', 'vision'),
    ('text-to-image', 'Text To Image', 'vision'),
    ('text-to-video', 'Text To Video', 'vision'),
    ('unconditional-image-generation', 'Unconditional Image Generation', 'vision'),
    ('video-classification', 'Video Classification', 'vision'),
    ('video-to-video', 'Video To Video', 'vision'),
    ('zero-shot-image-classification', 'Zero Shot Image Classification', 'vision'),
    ('zero-shot-object-detection', 'Zero Shot Object Detection', 'vision'),
    ('feature-extraction', 'Feature Extraction', 'language'),
    ('fill-mask', 'Fill Mask', 'language'),
    ('multiple-choice', 'Multiple Choice', 'language'),
    ('question-answering', 'Question Answering', 'language'),
    ('sentence-similarity', 'Sentence Similarity', 'language'),
    ('summarization', 'Summarization', 'language'),
    ('table-question-answering', 'Table Question Answering', 'language'),
    ('table-to-text', 'Table To Text', 'language'),
    ('text-classification', 'Text Classification', 'language'),
    ('text-generation', 'Text Generation', 'language'),
    ('text-ranking', 'Text Ranking', 'language'),
    ('text-retrieval', 'Text Retrieval', 'language'),
    ('text2text-generation', 'Text2Text Generation', 'language'),
    ('token-classification', 'Token Classification', 'language'),
    ('translation', 'Translation', 'language'),
    ('zero-shot-classification', 'Zero Shot Classification', 'language'),
    ('audio-classification', 'Audio Classification', 'audio'),
    ('audio-to-audio', 'Audio To Audio', 'audio'),
    ('automatic-speech-recognition', 'Automatic Speech Recognition', 'audio'),
    ('text-to-audio', 'Text To Audio', 'audio'),
    ('text-to-speech', 'Text To Speech', 'audio'),
    ('voice-activity-detection', 'Voice Activity Detection', 'audio'),
    ('tabular-classification', 'Tabular Classification', 'tabular'),
    ('tabular-regression', 'Tabular Regression', 'tabular'),
    ('tabular-to-text', 'Tabular To Text', 'tabular'),
    ('time-series-forecasting', 'Time Series Forecasting', 'tabular'),
    ('reinforcement-learning', 'Reinforcement Learning', 'reinforcement-learning'),
    ('robotics', 'Robotics', 'reinforcement-learning'),
    ('graph-ml', 'Graph Machine Learning', 'graph'),
    ('other', 'Other', 'other'),
]
# (slug, name, file name patterns)
FORMATS = [
    ('safetensors', 'Safetensors', ['*.safetensors']),
    ('pytorch', 'PyTorch', ['pytorch_model*.bin', '*.pt', '*.pth']),
    ('onnx', 'ONNX', ['*.onnx']),
    ('gguf', 'GGUF', ['*.gguf']),
    ('tensorflow', 'TensorFlow SavedModel', ['saved_model.pb', '*.pb', 'tf_model.h5']),
    ('tflite', 'TensorFlow Lite', ['*.tflite']),
    ('keras', 'Keras', ['*.keras', '*.h5']),
    ('coreml', 'Core ML', ['*.mlmodel', '*.mlpackage', '*.mlpackage/*']),
    ('tfjs', 'TensorFlow.js', ['model.json', 'group*-shard*of*']),
    ('flax', 'Flax / JAX', ['flax_model*.msgpack']),
    ('openvino', 'OpenVINO', ['openvino_model.xml', 'openvino_model.bin']),
    ('executorch', 'ExecuTorch', ['*.pte']),
    ('paddle', 'PaddlePaddle', ['*.pdparams', '*.pdmodel']),
]
# (slug, SPDX id, name, url)
LICENSES = [
    ('apache-2.0', 'Apache-2.0', 'Apache License 2.0', 'https://spdx.org/licenses/Apache-2.0.html'),
    ('mit', 'MIT', 'MIT License', 'https://spdx.org/licenses/MIT.html'),
    ('afl-3.0', 'AFL-3.0', 'Academic Free License v3.0', 'https://spdx.org/licenses/AFL-3.0.html'),
    ('artistic-2.0', 'Artistic-2.0', 'Artistic License 2.0', 'https://spdx.org/licenses/Artistic-2.0.html'),
    ('bsl-1.0', 'BSL-1.0', 'Boost Software License 1.0', 'https://spdx.org/licenses/BSL-1.0.html'),
    ('bsd-2-clause', 'BSD-2-Clause', 'BSD 2-Clause "Simplified" License', 'https://spdx.org/licenses/BSD-2-Clause.html'),
    ('bsd-3-clause', 'BSD-3-Clause', 'BSD 3-Clause "New" or "Revised" License', 'https://spdx.org/licenses/BSD-3-Clause.html'),
    ('bsd-3-clause-clear', 'BSD-3-Clause-Clear', 'BSD 3-Clause Clear License', 'https://spdx.org/licenses/BSD-3-Clause-Clear.html'),
    ('cc0-1.0', 'CC0-1.0', 'Creative Commons Zero v1.0 Universal', 'https://spdx.org/licenses/CC0-1.0.html'),
    ('cc-by-2.0', 'CC-BY-2.0', 'Creative Commons Attribution 2.0', 'https://spdx.org/licenses/CC-BY-2.0.html'),
    ('cc-by-2.5', 'CC-BY-2.5', 'Creative Commons Attribution 2.5', 'https://spdx.org/licenses/CC-BY-2.5.html'),
    ('cc-by-3.0', 'CC-BY-3.0', 'Creative Commons Attribution 3.0', 'https://spdx.org/licenses/CC-BY-3.0.html'),
    ('cc-by-4.0', 'CC-BY-4.0', 'Creative Commons Attribution 4.0', 'https://spdx.org/licenses/CC-BY-4.0.html'),
    ('cc-by-sa-3.0', 'CC-BY-SA-3.0', 'Creative Commons Attribution Share Alike 3.0', 'https://spdx.org/licenses/CC-BY-SA-3.0.html'),
    ('cc-by-sa-4.0', 'CC-BY-SA-4.0', 'Creative Commons Attribution Share Alike 4.0', 'https://spdx.org/licenses/CC-BY-SA-4.0.html'),
    ('cc-by-nc-2.0', 'CC-BY-NC-2.0', 'Creative Commons Attribution Non Commercial 2.0', 'https://spdx.org/licenses/CC-BY-NC-2.0.html'),
    ('cc-by-nc-3.0', 'CC-BY-NC-3.0', 'Creative Commons Attribution Non Commercial 3.0', 'https://spdx.org/licenses/CC-BY-NC-3.0.html'),
    ('cc-by-nc-4.0', 'CC-BY-NC-4.0', 'Creative Commons Attribution Non Commercial 4.0', 'https://spdx.org/licenses/CC-BY-NC-4.0.html'),
    ('cc-by-nd-4.0', 'CC-BY-ND-4.0', 'Creative Commons Attribution No Derivatives 4.0', 'https://spdx.org/licenses/CC-BY-ND-4.0.html'),
    ('cc-by-nc-nd-3.0', 'CC-BY-NC-ND-3.0', 'Creative Commons BY-NC-ND 3.0', 'https://spdx.org/licenses/CC-BY-NC-ND-3.0.html'),
    ('cc-by-nc-nd-4.0', 'CC-BY-NC-ND-4.0', 'Creative Commons BY-NC-ND 4.0', 'https://spdx.org/licenses/CC-BY-NC-ND-4.0.html'),
    ('cc-by-nc-sa-2.0', 'CC-BY-NC-SA-2.0', 'Creative Commons BY-NC-SA 2.0', 'https://spdx.org/licenses/CC-BY-NC-SA-2.0.html'),
    ('cc-by-nc-sa-3.0', 'CC-BY-NC-SA-3.0', 'Creative Commons BY-NC-SA 3.0', 'https://spdx.org/licenses/CC-BY-NC-SA-3.0.html'),
    ('cc-by-nc-sa-4.0', 'CC-BY-NC-SA-4.0', 'Creative Commons BY-NC-SA 4.0', 'https://spdx.org/licenses/CC-BY-NC-SA-4.0.html'),
    ('cdla-sharing-1.0', 'CDLA-Sharing-1.0', 'Community Data License Agreement Sharing 1.0', 'https://spdx.org/licenses/CDLA-Sharing-1.0.html'),
    ('cdla-permissive-1.0', 'CDLA-Permissive-1.0', 'CDLA Permissive 1.0', 'https://spdx.org/licenses/CDLA-Permissive-1.0.html'),
    ('cdla-permissive-2.0', 'CDLA-Permissive-2.0', 'CDLA Permissive 2.0', 'https://spdx.org/licenses/CDLA-Permissive-2.0.html'),
    ('wtfpl', 'WTFPL', 'Do What The F*ck You Want To Public License', 'https://spdx.org/licenses/WTFPL.html'),
    ('ecl-2.0', 'ECL-2.0', 'Educational Community License v2.0', 'https://spdx.org/licenses/ECL-2.0.html'),
    ('epl-1.0', 'EPL-1.0', 'Eclipse Public License 1.0', 'https://spdx.org/licenses/EPL-1.0.html'),
    ('epl-2.0', 'EPL-2.0', 'Eclipse Public License 2.0', 'https://spdx.org/licenses/EPL-2.0.html'),
    ('etalab-2.0', 'etalab-2.0', 'Etalab Open License 2.0', 'https://spdx.org/licenses/etalab-2.0.html'),
    ('eupl-1.1', 'EUPL-1.1', 'European Union Public License 1.1', 'https://spdx.org/licenses/EUPL-1.1.html'),
    ('eupl-1.2', 'EUPL-1.2', 'European Union Public License 1.2', 'https://spdx.org/licenses/EUPL-1.2.html'),
    ('agpl-3.0', 'AGPL-3.0-only', 'GNU Affero General Public License v3.0', 'https://spdx.org/licenses/AGPL-3.0-only.html'),
    ('gfdl', 'GFDL-1.3-only', 'GNU Free Documentation License', 'https://spdx.org/licenses/GFDL-1.3-only.html'),
    ('gpl-2.0', 'GPL-2.0-only', 'GNU General Public License v2.0', 'https://spdx.org/licenses/GPL-2.0-only.html'),
    ('gpl-3.0', 'GPL-3.0-only', 'GNU General Public License v3.0', 'https://spdx.org/licenses/GPL-3.0-only.html'),
    ('lgpl-2.1', 'LGPL-2.1-only', 'GNU Lesser General Public License v2.1', 'https://spdx.org/licenses/LGPL-2.1-only.html'),
    ('lgpl-3.0', 'LGPL-3.0-only', 'GNU Lesser General Public License v3.0', 'https://spdx.org/licenses/LGPL-3.0-only.html'),
    ('isc', 'ISC', 'ISC License', 'https://spdx.org/licenses/ISC.html'),
    ('lppl-1.3c', 'LPPL-1.3c', 'LaTeX Project Public License v1.3c', 'https://spdx.org/licenses/LPPL-1.3c.html'),
    ('ms-pl', 'MS-PL', 'Microsoft Public License', 'https://spdx.org/licenses/MS-PL.html'),
    ('mpl-2.0', 'MPL-2.0', 'Mozilla Public License 2.0', 'https://spdx.org/licenses/MPL-2.0.html'),
    ('odc-by', 'ODC-By-1.0', 'Open Data Commons Attribution License', 'https://spdx.org/licenses/ODC-By-1.0.html'),
    ('odbl', 'ODbL-1.0', 'Open Database License', 'https://spdx.org/licenses/ODbL-1.0.html'),
    ('osl-3.0', 'OSL-3.0', 'Open Software License 3.0', 'https://spdx.org/licenses/OSL-3.0.html'),
    ('postgresql', 'PostgreSQL', 'PostgreSQL License', 'https://spdx.org/licenses/PostgreSQL.html'),
    ('ofl-1.1', 'OFL-1.1', 'SIL Open Font License 1.1', 'https://spdx.org/licenses/OFL-1.1.html'),
    ('ncsa', 'NCSA', 'University of Illinois/NCSA Open Source License', 'https://spdx.org/licenses/NCSA.html'),
    ('unlicense', 'Unlicense', 'The Unlicense', 'https://spdx.org/licenses/Unlicense.html'),
    ('zlib', 'Zlib', 'zlib License', 'https://spdx.org/licenses/Zlib.html'),
    ('pddl', 'PDDL-1.0', 'Open Data Commons Public Domain Dedication and License', 'https://spdx.org/licenses/PDDL-1.0.html'),
    ('bsd', None, 'BSD license family', None),
    ('cc', None, 'Creative Commons license family', None),
    ('gpl', None, 'GNU General Public License family', None),
    ('lgpl', None, 'GNU Lesser General Public License family', None),
    ('openrail', None, 'Open RAIL', None),
    ('openrail++', None, 'Open RAIL++-M', None),
    ('bigscience-openrail-m', None, 'BigScience OpenRAIL-M', None),
    ('creativeml-openrail-m', None, 'CreativeML OpenRAIL-M', None),
    ('bigscience-bloom-rail-1.0', None, 'BigScience BLOOM RAIL 1.0', None),
    ('bigcode-openrail-m', None, 'BigCode OpenRAIL-M', None),
    ('c-uda', None, 'Computational Use of Data Agreement', None),
    ('h-research', None, 'H Research License', None),
    ('intel-research', None, 'Intel Research Use License', None),
    ('apple-ascl', None, 'Apple Sample Code License', None),
    ('apple-amlr', None, 'Apple Machine Learning Research Model License', None),
    ('openmdw-1.0', None, 'OpenMDW License 1.0', None),
    ('lgpl-lr', None, 'Lesser General Public License for Linguistic Resources', None),
    ('deepfloyd-if-license', None, 'DeepFloyd IF Research License Agreement', None),
    ('fair-noncommercial-research-license', None, 'FAIR Noncommercial Research License', None),
    ('llama2', None, 'Llama 2 Community License', 'https://ai.meta.com/llama/license/'),
    ('llama3', None, 'Llama 3 Community License', 'https://llama.meta.com/llama3/license/'),
    ('llama3.1', None, 'Llama 3.1 Community License', 'https://llama.meta.com/llama3_1/license/'),
    ('llama3.2', None, 'Llama 3.2 Community License', 'https://llama.meta.com/llama3_2/license/'),
    ('llama3.3', None, 'Llama 3.3 Community License', 'https://llama.meta.com/llama3_3/license/'),
    ('llama4', None, 'Llama 4 Community License', 'https://llama.meta.com/llama4/license/'),
    ('gemma', None, 'Gemma Terms of Use', 'https://ai.google.dev/gemma/terms'),
    ('other', None, 'Other license', None),
    ('unknown', None, 'Unknown license', None),
]
LIBRARIES = [
    ('transformers', 'Transformers'),
    ('diffusers', 'Diffusers'),
    ('sentence-transformers', 'Sentence Transformers'),
    ('peft', 'PEFT'),
    ('timm', 'timm'),
    ('keras', 'Keras'),
    ('tf-keras', 'TF-Keras'),
    ('tensorflow', 'TensorFlow'),
    ('pytorch', 'PyTorch'),
    ('jax', 'JAX'),
    ('flax', 'Flax'),
    ('onnx', 'ONNX'),
    ('gguf', 'GGUF'),
    ('mlx', 'MLX'),
    ('transformers.js', 'Transformers.js'),
    ('sklearn', 'scikit-learn'),
    ('spacy', 'spaCy'),
    ('fasttext', 'fastText'),
    ('stable-baselines3', 'Stable-Baselines3'),
    ('ml-agents', 'ML-Agents'),
    ('open_clip', 'OpenCLIP'),
    ('espnet', 'ESPnet'),
    ('speechbrain', 'SpeechBrain'),
    ('nemo', 'NeMo'),
    ('paddlenlp', 'PaddleNLP'),
    ('adapter-transformers', 'Adapters'),
    ('setfit', 'SetFit'),
    ('flair', 'Flair'),
    ('fairseq', 'fairseq'),
    ('ultralytics', 'Ultralytics'),
    ('coreml', 'Core ML'),
    ('openvino', 'OpenVINO'),
    ('tensorflowjs', 'TensorFlow.js'),
    ('tflite', 'TensorFlow Lite'),
    ('vllm', 'vLLM'),
    ('llama.cpp', 'llama.cpp'),
]


revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datasets")),
        sa.UniqueConstraint("slug", name=op.f("uq_datasets_slug")),
    )
    op.create_table(
        "formats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "patterns",
            sa.ARRAY(sa.Text()),
            nullable=False,
            comment="glob patterns of file names that reveal this format",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_formats")),
        sa.UniqueConstraint("slug", name=op.f("uq_formats_slug")),
    )
    op.create_table(
        "languages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_languages")),
        sa.UniqueConstraint("code", name=op.f("uq_languages_code")),
    )
    op.create_table(
        "libraries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_libraries")),
        sa.UniqueConstraint("slug", name=op.f("uq_libraries_slug")),
    )
    op.create_table(
        "licenses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "slug", sa.Text(), nullable=False, comment="lower-case SPDX id, or the hub's own key"
        ),
        sa.Column("spdx_id", sa.Text(), nullable=True, comment="null for custom licenses"),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licenses")),
        sa.UniqueConstraint("slug", name=op.f("uq_licenses_slug")),
    )
    op.create_table(
        "modalities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_modalities")),
        sa.UniqueConstraint("slug", name=op.f("uq_modalities_slug")),
    )
    op.create_table(
        "platforms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platforms")),
        sa.UniqueConstraint("slug", name=op.f("uq_platforms_slug")),
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_name")),
    )
    op.create_table(
        "authors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platforms.id"], name=op.f("fk_authors_platform_id_platforms")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authors")),
        sa.UniqueConstraint("platform_id", "slug", name=op.f("uq_authors_platform_id_slug")),
    )
    op.create_index(op.f("ix_authors_slug"), "authors", ["slug"], unique=False)
    op.create_table(
        "harvest_runs",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False, comment="full or incremental"),
        sa.Column(
            "status",
            sa.Text(),
            server_default="running",
            nullable=False,
            comment="running, succeeded, failed, interrupted",
        ),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "counts",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("error_summary", sa.Text(), nullable=True),
        sa.Column("checkpoint", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "report",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
            comment="warnings, unmapped values, ...",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platforms.id"], name=op.f("fk_harvest_runs_platform_id_platforms")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_harvest_runs")),
    )
    op.create_index(
        "ix_harvest_runs_platform_started",
        "harvest_runs",
        ["platform_id", sa.literal_column("started_at DESC")],
        unique=False,
    )
    op.create_table(
        "raw_records",
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "sha256", sa.Text(), nullable=False, comment="hex sha256 of the canonical JSON payload"
        ),
        sa.Column(
            "fetched_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platforms.id"], name=op.f("fk_raw_records_platform_id_platforms")
        ),
        sa.PrimaryKeyConstraint("platform_id", "external_id", name=op.f("pk_raw_records")),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("modality_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["modality_id"], ["modalities.id"], name=op.f("fk_tasks_modality_id_modalities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
        sa.UniqueConstraint("slug", name=op.f("uq_tasks_slug")),
    )
    op.create_index(op.f("ix_tasks_modality_id"), "tasks", ["modality_id"], unique=False)
    op.create_table(
        "harvest_cursors",
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False, comment="full or incremental"),
        sa.Column("value", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platforms.id"], name=op.f("fk_harvest_cursors_platform_id_platforms")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["harvest_runs.id"], name=op.f("fk_harvest_cursors_run_id_harvest_runs")
        ),
        sa.PrimaryKeyConstraint("platform_id", "scope", name=op.f("pk_harvest_cursors")),
    )
    op.create_table(
        "models",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column(
            "external_id", sa.Text(), nullable=False, comment="the hub's own id, e.g. org/name"
        ),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("license_id", sa.Integer(), nullable=True),
        sa.Column("library_id", sa.Integer(), nullable=True),
        sa.Column("parameters", sa.BigInteger(), nullable=True),
        sa.Column("downloads", sa.BigInteger(), nullable=True, comment="recent downloads (30d)"),
        sa.Column("downloads_all_time", sa.BigInteger(), nullable=True),
        sa.Column("likes", sa.BigInteger(), nullable=True),
        sa.Column("trending_score", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_modified", sa.DateTime(timezone=True), nullable=True),
        sa.Column("gated", sa.Text(), nullable=True, comment="null when open; 'auto' or 'manual'"),
        sa.Column(
            "keywords", sa.Text(), nullable=True, comment="tags and tasks, for full-text search"
        ),
        sa.Column(
            "extra",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
            comment="hub-specific attributes",
        ),
        sa.Column(
            "first_seen_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True, comment="soft delete"),
        sa.Column(
            "search_document",
            postgresql.TSVECTOR(),
            nullable=False,
            comment="full-text document, maintained by trigger models_search_document",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["authors.id"], name=op.f("fk_models_author_id_authors")
        ),
        sa.ForeignKeyConstraint(
            ["library_id"], ["libraries.id"], name=op.f("fk_models_library_id_libraries")
        ),
        sa.ForeignKeyConstraint(
            ["license_id"], ["licenses.id"], name=op.f("fk_models_license_id_licenses")
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platforms.id"], name=op.f("fk_models_platform_id_platforms")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_models")),
        sa.UniqueConstraint(
            "platform_id", "external_id", name=op.f("uq_models_platform_id_external_id")
        ),
        postgresql_with={"fillfactor": 70},
    )
    op.execute(SEARCH_DOCUMENT_TRIGGER)
    op.create_index(op.f("ix_models_author_id"), "models", ["author_id"], unique=False)
    op.create_index(
        "ix_models_created_at_sort",
        "models",
        [sa.literal_column("created_at DESC NULLS LAST"), "id"],
        unique=False,
    )
    op.create_index(
        "ix_models_downloads_sort",
        "models",
        [sa.literal_column("downloads DESC NULLS LAST"), "id"],
        unique=False,
    )
    op.create_index(
        "ix_models_last_modified_sort",
        "models",
        [sa.literal_column("last_modified DESC NULLS LAST"), "id"],
        unique=False,
    )
    op.create_index(op.f("ix_models_library_id"), "models", ["library_id"], unique=False)
    op.create_index(op.f("ix_models_license_id"), "models", ["license_id"], unique=False)
    op.create_index(
        "ix_models_likes_sort",
        "models",
        [sa.literal_column("likes DESC NULLS LAST"), "id"],
        unique=False,
    )
    op.create_index(
        "ix_models_live_platform",
        "models",
        ["platform_id"],
        unique=False,
        postgresql_where=sa.text("removed_at IS NULL"),
    )
    op.create_index(
        "ix_models_parameters_sort",
        "models",
        [sa.literal_column("parameters DESC NULLS LAST"), "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_models_search_document"),
        "models",
        ["search_document"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_models_trending_score_sort",
        "models",
        [sa.literal_column("trending_score DESC NULLS LAST"), "id"],
        unique=False,
    )
    op.create_table(
        "quarantine",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platforms.id"], name=op.f("fk_quarantine_platform_id_platforms")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["harvest_runs.id"],
            name=op.f("fk_quarantine_run_id_harvest_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantine")),
    )
    op.create_index(
        op.f("ix_quarantine_platform_id_quarantine_external_id"),
        "quarantine",
        ["platform_id", "external_id"],
        unique=False,
    )
    op.create_index(op.f("ix_quarantine_run_id"), "quarantine", ["run_id"], unique=False)
    op.create_table(
        "model_datasets",
        sa.Column("model_id", sa.BigInteger(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_model_datasets_dataset_id_datasets")
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name=op.f("fk_model_datasets_model_id_models"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("model_id", "dataset_id", name=op.f("pk_model_datasets")),
    )
    op.create_index(
        op.f("ix_model_datasets_dataset_id_model_datasets_model_id"),
        "model_datasets",
        ["dataset_id", "model_id"],
        unique=False,
    )
    op.create_table(
        "model_formats",
        sa.Column("model_id", sa.BigInteger(), nullable=False),
        sa.Column("format_id", sa.Integer(), nullable=False),
        sa.Column(
            "variants",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
            comment="variant detail: opset, quantization, entrypoint, ...",
        ),
        sa.Column("file_count", sa.Integer(), nullable=True),
        sa.Column("total_bytes", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["format_id"], ["formats.id"], name=op.f("fk_model_formats_format_id_formats")
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name=op.f("fk_model_formats_model_id_models"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("model_id", "format_id", name=op.f("pk_model_formats")),
    )
    op.create_index(
        op.f("ix_model_formats_format_id_model_formats_model_id"),
        "model_formats",
        ["format_id", "model_id"],
        unique=False,
    )
    op.create_table(
        "model_languages",
        sa.Column("model_id", sa.BigInteger(), nullable=False),
        sa.Column("language_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["language_id"], ["languages.id"], name=op.f("fk_model_languages_language_id_languages")
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name=op.f("fk_model_languages_model_id_models"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("model_id", "language_id", name=op.f("pk_model_languages")),
    )
    op.create_index(
        op.f("ix_model_languages_language_id_model_languages_model_id"),
        "model_languages",
        ["language_id", "model_id"],
        unique=False,
    )
    op.create_table(
        "model_lineage",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger(), nullable=False),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column("parent_platform_id", sa.Integer(), nullable=False),
        sa.Column("parent_external_id", sa.Text(), nullable=False),
        sa.Column("relation", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "relation IN ('finetune', 'adapter', 'quantized', 'merge')",
            name=op.f("ck_model_lineage_relation"),
        ),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["models.id"],
            name=op.f("fk_model_lineage_child_id_models"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["models.id"],
            name=op.f("fk_model_lineage_parent_id_models"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parent_platform_id"],
            ["platforms.id"],
            name=op.f("fk_model_lineage_parent_platform_id_platforms"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_lineage")),
        sa.UniqueConstraint(
            "child_id",
            "parent_platform_id",
            "parent_external_id",
            name=op.f("uq_model_lineage_child_id_parent_platform_id_parent_external_id"),
        ),
    )
    op.create_index(
        op.f("ix_model_lineage_parent_id_model_lineage_child_id"),
        "model_lineage",
        ["parent_id", "child_id"],
        unique=False,
    )
    op.create_index(
        "ix_model_lineage_unresolved",
        "model_lineage",
        ["parent_platform_id", "parent_external_id"],
        unique=False,
        postgresql_where=sa.text("parent_id IS NULL"),
    )
    op.create_table(
        "model_metrics",
        sa.Column("model_id", sa.BigInteger(), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("downloads", sa.BigInteger(), nullable=True),
        sa.Column("likes", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name=op.f("fk_model_metrics_model_id_models"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("model_id", "observed_at", name=op.f("pk_model_metrics")),
        postgresql_partition_by="RANGE (observed_at)",
    )
    op.create_table(
        "model_modalities",
        sa.Column("model_id", sa.BigInteger(), nullable=False),
        sa.Column("modality_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["modality_id"],
            ["modalities.id"],
            name=op.f("fk_model_modalities_modality_id_modalities"),
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name=op.f("fk_model_modalities_model_id_models"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("model_id", "modality_id", name=op.f("pk_model_modalities")),
    )
    op.create_index(
        op.f("ix_model_modalities_modality_id_model_modalities_model_id"),
        "model_modalities",
        ["modality_id", "model_id"],
        unique=False,
    )
    op.create_table(
        "model_tags",
        sa.Column("model_id", sa.BigInteger(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name=op.f("fk_model_tags_model_id_models"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], name=op.f("fk_model_tags_tag_id_tags")),
        sa.PrimaryKeyConstraint("model_id", "tag_id", name=op.f("pk_model_tags")),
    )
    op.create_index(
        op.f("ix_model_tags_tag_id_model_tags_model_id"),
        "model_tags",
        ["tag_id", "model_id"],
        unique=False,
    )
    op.create_table(
        "model_tasks",
        sa.Column("model_id", sa.BigInteger(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name=op.f("fk_model_tasks_model_id_models"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_model_tasks_task_id_tasks")
        ),
        sa.PrimaryKeyConstraint("model_id", "task_id", name=op.f("pk_model_tasks")),
    )
    op.create_index(
        op.f("ix_model_tasks_task_id_model_tasks_model_id"),
        "model_tasks",
        ["task_id", "model_id"],
        unique=False,
    )
    op.create_table(
        "model_versions",
        sa.Column("model_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "detail",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name=op.f("fk_model_versions_model_id_models"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("model_id", "version", name=op.f("pk_model_versions")),
    )
    op.create_table(
        "model_sightings",
        sa.Column("model_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "last_seen_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_seen_run_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name=op.f("fk_model_sightings_model_id_models"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("model_id", name=op.f("pk_model_sightings")),
        comment="when each model was last seen by a harvest (kept apart from models: "
        "every sweep updates it)",
        postgresql_with={"fillfactor": 50},
    )
    # ### end Alembic commands ###
    # Rows outside every monthly partition land here; catalog.metrics adds the months.
    op.execute("CREATE TABLE model_metrics_default PARTITION OF model_metrics DEFAULT")
    _seed_vocabularies()


def _seed_vocabularies() -> None:
    conn = op.get_bind()
    insert = "INSERT INTO {} ({}) VALUES ({})"
    for table, columns, rows in (
        ("platforms", ("slug", "name", "url"), PLATFORMS),
        ("modalities", ("slug", "name"), MODALITIES),
        ("formats", ("slug", "name", "patterns"), FORMATS),
        ("licenses", ("slug", "spdx_id", "name", "url"), LICENSES),
        ("libraries", ("slug", "name"), LIBRARIES),
    ):
        conn.execute(
            sa.text(insert.format(table, ", ".join(columns), ", ".join(f":{c}" for c in columns))),
            [dict(zip(columns, row, strict=True)) for row in rows],
        )
    conn.execute(
        sa.text(
            "INSERT INTO tasks (slug, name, modality_id) "
            "SELECT :slug, :name, id FROM modalities WHERE slug = :modality"
        ),
        [{"slug": slug, "name": name, "modality": modality} for slug, name, modality in TASKS],
    )


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_table("model_sightings")
    op.drop_table("model_versions")
    op.drop_index(op.f("ix_model_tasks_task_id_model_tasks_model_id"), table_name="model_tasks")
    op.drop_table("model_tasks")
    op.drop_index(op.f("ix_model_tags_tag_id_model_tags_model_id"), table_name="model_tags")
    op.drop_table("model_tags")
    op.drop_index(
        op.f("ix_model_modalities_modality_id_model_modalities_model_id"),
        table_name="model_modalities",
    )
    op.drop_table("model_modalities")
    op.drop_table("model_metrics")  # drops its partitions too
    op.drop_index(
        "ix_model_lineage_unresolved",
        table_name="model_lineage",
        postgresql_where=sa.text("parent_id IS NULL"),
    )
    op.drop_index(
        op.f("ix_model_lineage_parent_id_model_lineage_child_id"), table_name="model_lineage"
    )
    op.drop_table("model_lineage")
    op.drop_index(
        op.f("ix_model_languages_language_id_model_languages_model_id"),
        table_name="model_languages",
    )
    op.drop_table("model_languages")
    op.drop_index(
        op.f("ix_model_formats_format_id_model_formats_model_id"), table_name="model_formats"
    )
    op.drop_table("model_formats")
    op.drop_index(
        op.f("ix_model_datasets_dataset_id_model_datasets_model_id"), table_name="model_datasets"
    )
    op.drop_table("model_datasets")
    op.drop_index(op.f("ix_quarantine_run_id"), table_name="quarantine")
    op.drop_index(op.f("ix_quarantine_platform_id_quarantine_external_id"), table_name="quarantine")
    op.drop_table("quarantine")
    op.drop_index("ix_models_trending_score_sort", table_name="models")
    op.drop_index(op.f("ix_models_search_document"), table_name="models", postgresql_using="gin")
    op.drop_index("ix_models_parameters_sort", table_name="models")
    op.drop_index(
        "ix_models_live_platform",
        table_name="models",
        postgresql_where=sa.text("removed_at IS NULL"),
    )
    op.drop_index("ix_models_likes_sort", table_name="models")
    op.drop_index(op.f("ix_models_license_id"), table_name="models")
    op.drop_index(op.f("ix_models_library_id"), table_name="models")
    op.drop_index("ix_models_last_modified_sort", table_name="models")
    op.drop_index("ix_models_downloads_sort", table_name="models")
    op.drop_index("ix_models_created_at_sort", table_name="models")
    op.drop_index(op.f("ix_models_author_id"), table_name="models")
    op.drop_table("models")
    op.execute("DROP FUNCTION models_search_document()")
    op.drop_table("harvest_cursors")
    op.drop_index(op.f("ix_tasks_modality_id"), table_name="tasks")
    op.drop_table("tasks")
    op.drop_table("raw_records")
    op.drop_index("ix_harvest_runs_platform_started", table_name="harvest_runs")
    op.drop_table("harvest_runs")
    op.drop_index(op.f("ix_authors_slug"), table_name="authors")
    op.drop_table("authors")
    op.drop_table("tags")
    op.drop_table("platforms")
    op.drop_table("modalities")
    op.drop_table("licenses")
    op.drop_table("libraries")
    op.drop_table("languages")
    op.drop_table("formats")
    op.drop_table("datasets")
    # ### end Alembic commands ###
