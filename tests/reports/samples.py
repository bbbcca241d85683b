"""Hand-built report data for renderer tests: long names, unicode, markup in names."""

from __future__ import annotations

from api.reports.data import (
    Bucket,
    CompareReport,
    CompareRow,
    CoverageReport,
    LandscapeModel,
    LandscapeReport,
    Matrix,
    Meta,
    ModelColumn,
    Point,
    Series,
)

LONG = "an-extremely-long-model-name-" * 4 + "that-never-ends"
TRICKY = "<script>alert(1)</script> | *bold* 模型"


def meta(title: str, **selection: str) -> Meta:
    """Fixed metadata so rendered text is stable."""
    return Meta(
        title=title,
        generated_at="2026-01-05T12:00:00+00:00",
        source="local catalog",
        selection=tuple(selection.items()),
    )


def compare_report() -> CompareReport:
    """Two models, one with a long name and one with markup and CJK in its name."""
    return CompareReport(
        meta=meta("Comparison of 2 models"),
        models=(
            ModelColumn("huggingface:org/" + LONG, LONG, "huggingface", "https://hf.example/x"),
            ModelColumn("kaggle:acme/tricky", TRICKY, "kaggle"),
        ),
        rows=(
            CompareRow("platform", "Platform", ("huggingface", "kaggle"), differs=True),
            CompareRow("parameters", "Parameters", ("7000000000.0", "7000000000.0"), differs=False),
            CompareRow("license", "License", ("apache-2.0", None), differs=True),
            CompareRow("formats", "Formats", ("safetensors, gguf", "tflite"), differs=True),
        ),
    )


def landscape_report() -> LandscapeReport:
    """Three top models on two platforms with a two-point download history."""
    models = (
        LandscapeModel(
            1, "huggingface:org/big", "big", "huggingface", "org", None, 7e9, 5_000_000, 10,
            "apache-2.0", ("safetensors", "gguf"),
        ),
        LandscapeModel(
            2, "kaggle:acme/" + LONG, LONG, "kaggle", "acme", None, 1.1e8, 40_000, None,
            None, ("tflite",),
        ),
        LandscapeModel(
            3, "huggingface:org/tiny", TRICKY, "huggingface", "org", None, None, 12, 0, "mit", (),
        ),
    )  # fmt: skip
    return LandscapeReport(
        meta=meta("Landscape: text-generation", task="text-generation"),
        total=5,
        models=models,
        platforms=(Bucket("huggingface", "Hugging Face Hub", 4), Bucket("kaggle", "Kaggle", 1)),
        licenses=(Bucket("apache-2.0", "Apache 2.0", 3), Bucket("mit", "MIT", 1)),
        without_license=1,
        formats=(Bucket("safetensors", "Safetensors", 3), Bucket("tflite", "TFLite", 1)),
        history=(
            Series(
                "huggingface:org/big",
                "big",
                "huggingface",
                (
                    Point("2026-01-01T00:00:00+00:00", 4_000_000),
                    Point("2026-01-05T00:00:00+00:00", 5_000_000),
                ),
            ),
        ),
    )


def coverage_report() -> CoverageReport:
    """One platform x format matrix with a zero cell and a long format label."""
    matrix = Matrix(
        key="platform-format",
        title="Platforms × formats",
        row_field="platform",
        column_field="format",
        rows=(Bucket("huggingface", "Hugging Face Hub", 5), Bucket("kaggle", "Kaggle Models", 2)),
        columns=(Bucket("onnx", "ONNX", 3), Bucket("x", LONG, 1)),
        counts=((3, 1), (0, 0)),
    )
    return CoverageReport(meta=meta("Coverage"), total=7, matrices=(matrix,))
