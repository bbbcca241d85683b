"""Memory footprint of a model's weights, per format and variant (weights only).

The footprint is what the weights take on disk or in memory, nothing else: no
activations, KV cache, optimizer state or runtime overhead. Per format/variant it comes
from, in order:

1. `file-sizes`: the hub's file sizes (a GGUF quantization, an ONNX opset file, a
   Kaggle instance, or every file of a format);
2. `dtype-breakdown`: the parameter count per dtype the Hub reads from safetensors
   headers, times each dtype's width;
3. `parameters-x-bits`: the parameter count times the bits per weight of the
   variant's precision (fp32 32, fp16/bf16 16, int8 8, int4 4, GGUF quantization types
   at their real average, e.g. Q4_K_M 4.85).

The model's footprint is its smallest variant's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from catalog.derive.facts import ModelFacts

GIB: Final = 2**30

# Bits per weight of whole-model GGUF quantizations: llama.cpp's `quantize` sizes for
# LLaMA-7B (mixes keep some tensors at higher precision), and block sizes for the
# single-type ones (Q4_0: 32 4-bit weights + one fp16 scale = 4.5).
GGUF_BITS: Final[dict[str, float]] = {
    "F32": 32.0,
    "F16": 16.0,
    "BF16": 16.0,
    "Q8_0": 8.5,
    "Q6_K": 6.56,
    "Q5_K_M": 5.67,
    "Q5_K_S": 5.52,
    "Q5_K": 5.67,
    "Q5_1": 6.0,
    "Q5_0": 5.5,
    "Q4_K_M": 4.85,
    "Q4_K_S": 4.58,
    "Q4_K": 4.85,
    "Q4_1": 5.0,
    "Q4_0": 4.5,
    "Q4_0_4_4": 4.5,
    "Q4_0_4_8": 4.5,
    "Q4_0_8_8": 4.5,
    "IQ4_NL": 4.5,
    "IQ4_XS": 4.25,
    "MXFP4": 4.25,
    "Q3_K_L": 4.27,
    "Q3_K_M": 3.91,
    "Q3_K": 3.91,
    "Q3_K_S": 3.5,
    "IQ3_M": 3.66,
    "IQ3_S": 3.44,
    "IQ3_XS": 3.3,
    "IQ3_XXS": 3.06,
    "Q2_K": 3.35,
    "Q2_K_S": 2.96,
    "IQ2_M": 2.7,
    "IQ2_S": 2.5,
    "IQ2_XS": 2.31,
    "IQ2_XXS": 2.06,
    "IQ1_M": 1.75,
    "IQ1_S": 1.56,
    "TQ2_0": 2.06,
    "TQ1_0": 1.69,
}
# Precision names other hubs use (TF Hub deployments, ONNX suffixes, dtypes).
PRECISION_BITS: Final[dict[str, float]] = {
    "float32": 32.0,
    "fp32": 32.0,
    "f32": 32.0,
    "4-byte": 32.0,
    "float16": 16.0,
    "fp16": 16.0,
    "f16": 16.0,
    "bfloat16": 16.0,
    "bf16": 16.0,
    "2-byte": 16.0,
    "int8": 8.0,
    "uint8": 8.0,
    "qdq": 8.0,
    "qop": 8.0,
    "1-byte": 8.0,
    "int4": 4.0,
}
# Widths of the dtypes the Hub names in `safetensors.parameters`.
DTYPE_BYTES: Final[dict[str, float]] = {
    "F64": 8,
    "I64": 8,
    "U64": 8,
    "F32": 4,
    "I32": 4,
    "U32": 4,
    "F16": 2,
    "BF16": 2,
    "I16": 2,
    "U16": 2,
    "F8_E4M3": 1,
    "F8_E5M2": 1,
    "I8": 1,
    "U8": 1,
    "BOOL": 1,
}

FILE_SIZES: Final = "file-sizes"
DTYPE_BREAKDOWN: Final = "dtype-breakdown"
PARAMETERS_X_BITS: Final = "parameters-x-bits"


@dataclass(frozen=True, slots=True)
class Footprint:
    """Bytes of weights of one format/variant, and how they were found.

    Attributes:
        format: Format slug.
        variant: Variant label (`Q4_K_M`, `opset 12`, a Kaggle instance), None for the
            format as a whole.
        bytes: Bytes of weights.
        method: `file-sizes`, `dtype-breakdown` or `parameters-x-bits`.
        bits_per_weight: The bits per weight used by `parameters-x-bits`.
    """

    format: str
    variant: str | None
    bytes: int
    method: str
    bits_per_weight: float | None = None

    def as_json(self) -> list[object]:
        """Compact JSON form."""
        return [self.format, self.variant, self.bytes, self.method, self.bits_per_weight]

    @classmethod
    def from_json(cls, item: Sequence[Any]) -> Footprint:
        """Inverse of `as_json`."""
        fmt, variant, size, method, bits = item
        return cls(fmt, variant, int(size), method, bits)


def bits_per_weight(precision: str | None) -> float | None:
    """Bits per weight of a precision or GGUF quantization name (case-insensitive)."""
    if not precision:
        return None
    key = precision.strip()
    return GGUF_BITS.get(key.upper()) or PRECISION_BITS.get(key.lower())


def footprints(facts: ModelFacts) -> list[Footprint]:
    """Footprints of every format/variant whose size is known or can be estimated."""
    found: list[Footprint] = []
    for fmt in facts.formats:
        per_variant = [fp for v in fmt.variants if (fp := _variant(fmt.slug, v, facts.parameters))]
        if per_variant:
            found.extend(per_variant)
        elif fmt.total_bytes:
            found.append(Footprint(fmt.slug, None, fmt.total_bytes, FILE_SIZES))
        elif fmt.slug == "safetensors" and (size := _dtype_bytes(facts.extra)):
            found.append(Footprint(fmt.slug, None, size, DTYPE_BREAKDOWN))
    return found


def smallest(found: Sequence[Footprint]) -> int | None:
    """Bytes of the smallest variant (None when nothing is known)."""
    return min((fp.bytes for fp in found), default=None)


def _variant(fmt: str, variant: Mapping[str, Any], parameters: int | None) -> Footprint | None:
    label = variant_label(variant)
    size = variant.get("bytes")
    if isinstance(size, int) and not isinstance(size, bool) and size > 0:
        return Footprint(fmt, label, size, FILE_SIZES)
    precision = variant.get("quantization") or variant.get("precision")
    bits = bits_per_weight(precision if isinstance(precision, str) else None)
    if bits is None or not parameters:
        return None
    return Footprint(fmt, label, round(parameters * bits / 8), PARAMETERS_X_BITS, bits)


def variant_label(variant: Mapping[str, Any]) -> str | None:
    """How a variant is named in footprints: quantization, instance, opset, version."""
    for key, prefix in (
        ("quantization", ""),
        ("instance", ""),
        ("variant", ""),
        ("opset", "opset "),
        ("version", "version "),
    ):
        value = variant.get(key)
        if value not in (None, ""):
            return f"{prefix}{value}"
    return None


def _dtype_bytes(extra: Mapping[str, Any]) -> int | None:
    by_dtype = extra.get("parameters_by_dtype")
    if not isinstance(by_dtype, Mapping) or not by_dtype:
        return None
    total = 0.0
    for dtype, count in by_dtype.items():
        width = DTYPE_BYTES.get(str(dtype).upper())
        if width is None or not isinstance(count, int):
            return None  # a dtype of unknown width: no exact figure
        total += count * width
    return round(total) or None


# MEMORY facet buckets: (slug, label, upper bound in bytes, inclusive). GiB (2^30
# bytes), as GPU memory is quoted: a "24 GB" card holds 24 GiB.
MEMORY_BUCKETS: Final = (
    ("le-1gib", "weights ≤ 1 GiB", 1 * GIB),
    ("le-4gib", "weights 1-4 GiB", 4 * GIB),
    ("le-8gib", "weights 4-8 GiB", 8 * GIB),
    ("le-16gib", "weights 8-16 GiB", 16 * GIB),
    ("le-24gib", "weights 16-24 GiB", 24 * GIB),
    ("le-48gib", "weights 24-48 GiB", 48 * GIB),
    ("le-80gib", "weights 48-80 GiB", 80 * GIB),
    ("gt-80gib", "weights > 80 GiB", float("inf")),
)
