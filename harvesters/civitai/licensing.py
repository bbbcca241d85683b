"""Civitai licensing: the base model's license, and the creator's permission flags.

A Civitai model card states no license of its own. Every model is published under the
license of its base model (Civitai's own rule, shown on each model page) plus the
restrictions its creator picked: `allowCommercialUse`, `allowDerivatives`,
`allowDifferentLicense`, `allowNoCredit`. The license is therefore the base model's
(see `base_models`); the flags are kept as they are (`extra.permissions`) and as tags,
never folded into the license slug, so the license facet counts base licenses.

The flags changed shape across the API's eras: `allowCommercialUse` was one string
(`"Sell"`, 2023), is now a list (`["Image", "Rent"]`) and the docs show the PostgreSQL
array literal (`"{Image,RentCivit}"`); every form is accepted, for the boolean flags
too (`true`, `"true"`, `["true"]`, `"{t}"`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from catalog import vocab
from catalog.records import LicenseRef
from harvesters.civitai.aliases import COMMERCIAL_USES, NO_COMMERCIAL_USE
from harvesters.civitai.base_models import CUSTOM_LICENSES, BaseModel

_TRUE = frozenset({"true", "t", "1", "yes", "y"})
_FALSE = frozenset({"false", "f", "0", "no", "n"})
# Flag -> its key in `extra.permissions`.
FLAGS = {
    "allowDerivatives": "derivatives",
    "allowDifferentLicense": "different_license",
    "allowNoCredit": "no_credit",
}


def license_of(base: BaseModel | None) -> LicenseRef | None:
    """The license of a base model as a record's license (None when not known)."""
    if base is None or base.license is None:
        return None
    info = vocab.LICENSE_BY_SLUG.get(base.license)
    if info is not None:
        return LicenseRef(info.slug, info.name, info.url, info.spdx_id)
    name, url = CUSTOM_LICENSES[base.license]
    return LicenseRef(base.license, name, url)


def text_values(value: object) -> list[str] | None:
    """The strings of a field that may be a string, a list or `"{A,B}"` text.

    None when the field is absent or of no usable shape.
    """
    if isinstance(value, list):
        found = [v for item in value for v in (text_values(item) or [])]
        return found if found or not value else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    return [part.strip().strip('"').strip() for part in text.split(",") if part.strip(' "')]


def parse_flag(value: object) -> bool | None:
    """A boolean flag in any of its shapes; None when absent or unreadable."""
    if isinstance(value, bool):
        return value
    values = text_values(value)
    if not values or len(values) != 1:
        return None
    word = values[0].lower()
    return True if word in _TRUE else False if word in _FALSE else None


def commercial_uses(value: object) -> tuple[list[str] | None, list[str]]:
    """`allowCommercialUse` as the known uses it allows, in Civitai's order, and the
    values it does not know.

    Returns:
        ([], ...) when it forbids commercial use (`None` or an empty list); (None, ...)
        when absent or unreadable.
    """
    values = text_values(value)
    if values is None:
        return None, []
    known = {u.lower(): u for u in (*COMMERCIAL_USES, NO_COMMERCIAL_USE)}
    allowed = [known[v.lower()] for v in values if v.lower() in known]
    unknown = [v for v in values if v.lower() not in known]
    ordered: list[str] = [u for u in COMMERCIAL_USES if u in allowed]
    return ordered, unknown


def permissions(model: Mapping[str, Any]) -> tuple[dict[str, Any], list[str], list[str]]:
    """The creator's permissions: `extra.permissions`, their tags, unknown values.

    Tags: `commercial-use:<use>` per allowed use (`commercial-use:none` when none is),
    `no-derivatives`, `no-relicensing` and `credit-required` where a flag forbids.
    """
    found: dict[str, Any] = {}
    tags: list[str] = []
    uses, unknown = commercial_uses(model.get("allowCommercialUse"))
    if uses is not None:
        found["commercial_use"] = uses
        tags += [f"commercial-use:{u.lower()}" for u in uses] or ["commercial-use:none"]
    for flag, key in FLAGS.items():
        value = parse_flag(model.get(flag))
        if value is not None:
            found[key] = value
    forbidden = {"derivatives": "no-derivatives", "different_license": "no-relicensing"}
    tags += [tag for key, tag in forbidden.items() if found.get(key) is False]
    if found.get("no_credit") is False:
        tags.append("credit-required")
    return found, tags, [f"commercial-use:{v}" for v in unknown]
