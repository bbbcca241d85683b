"""License classes (data) and the effective license of a model along its lineage.

Every license of the vocabulary (`catalog.vocab.LICENSES`) has a class, decided by hand
and kept here as data; so do a few custom license keys hubs use widely. A license not
listed is `unknown`: the catalog does not guess a class from a name.

Classes, from least to most restrictive for a user who wants to ship a product:
`permissive` (attribution at most), `copyleft` (share-alike: derivatives keep the
license), `restricted-custom` (commercial use allowed under use restrictions or
conditions: RAIL/OpenRAIL, Llama, Gemma, no-derivatives) and `non-commercial` (research
or non-commercial use only). `unknown` is not on that scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

PERMISSIVE: Final = "permissive"
COPYLEFT: Final = "copyleft"
RESTRICTED: Final = "restricted-custom"
NON_COMMERCIAL: Final = "non-commercial"
UNKNOWN: Final = "unknown"


@dataclass(frozen=True, slots=True)
class LicenseClass:
    """A license class: slug, label, whether commercial use is allowed, restrictiveness.

    `rank` orders the known classes (0 = most permissive); `commercial_use` is None for
    `unknown`.
    """

    slug: str
    name: str
    commercial_use: bool | None
    rank: int | None


LICENSE_CLASSES: Final = (
    LicenseClass(PERMISSIVE, "Permissive", True, 0),
    LicenseClass(COPYLEFT, "Copyleft", True, 1),
    LicenseClass(RESTRICTED, "Restricted (custom terms)", True, 2),
    LicenseClass(NON_COMMERCIAL, "Non-commercial", False, 3),
    LicenseClass(UNKNOWN, "Unknown", None, None),
)
CLASS_BY_SLUG: Final = {c.slug: c for c in LICENSE_CLASSES}

_PERMISSIVE = (
    "apache-2.0 mit afl-3.0 artistic-2.0 bsl-1.0 bsd-2-clause bsd-3-clause bsd-3-clause-clear "
    "cc0-1.0 cc-by-2.0 cc-by-2.5 cc-by-3.0 cc-by-4.0 cdla-permissive-1.0 cdla-permissive-2.0 "
    "wtfpl ecl-2.0 etalab-2.0 isc lppl-1.3c postgresql ncsa unlicense zlib pddl odc-by bsd "
    "openmdw-1.0 apple-ascl"
)
# Share-alike and weak copyleft alike: derivatives (or modified files) keep the terms.
_COPYLEFT = (
    "cc-by-sa-3.0 cc-by-sa-4.0 cdla-sharing-1.0 epl-1.0 epl-2.0 eupl-1.1 eupl-1.2 agpl-3.0 "
    "gfdl gpl-2.0 gpl-3.0 lgpl-2.1 lgpl-3.0 ms-pl mpl-2.0 odbl osl-3.0 ofl-1.1 gpl lgpl lgpl-lr"
)
# Research or non-commercial use only.
_NON_COMMERCIAL = (
    "cc-by-nc-2.0 cc-by-nc-3.0 cc-by-nc-4.0 cc-by-nc-nd-3.0 cc-by-nc-nd-4.0 cc-by-nc-sa-2.0 "
    "cc-by-nc-sa-3.0 cc-by-nc-sa-4.0 deepfloyd-if-license fair-noncommercial-research-license "
    "h-research intel-research apple-amlr flux-1-dev-non-commercial-license"
)
# Commercial use allowed, with use restrictions (RAIL), conditions (Llama's user cap and
# naming, Gemma's prohibited uses, Stability's revenue cap, NVIDIA's guardrails) or
# without derivatives (CC BY-ND: no modified weights may be shared).
_RESTRICTED = (
    "openrail openrail++ bigscience-openrail-m creativeml-openrail-m bigscience-bloom-rail-1.0 "
    "bigcode-openrail-m llama2 llama3 llama3.1 llama3.2 llama3.3 llama4 gemma cc-by-nd-4.0 "
    "c-uda stabilityai-ai-community nvidia-open-model-license"
)
# `cc` (which Creative Commons license?), `other` and `unknown` say nothing usable.
_UNKNOWN = "cc other unknown"

CLASS_OF_LICENSE: Final[dict[str, str]] = {
    slug: cls
    for cls, slugs in (
        (PERMISSIVE, _PERMISSIVE),
        (COPYLEFT, _COPYLEFT),
        (NON_COMMERCIAL, _NON_COMMERCIAL),
        (RESTRICTED, _RESTRICTED),
        (UNKNOWN, _UNKNOWN),
    )
    for slug in slugs.split()
}


def license_class(slug: str | None) -> str:
    """The class of a license slug (`unknown` for None and for unlisted licenses)."""
    if slug is None:
        return UNKNOWN
    return CLASS_OF_LICENSE.get(slug, UNKNOWN)


@dataclass(frozen=True, slots=True)
class Inherited:
    """A license an ancestor binds a model to.

    Attributes:
        license: The ancestor's declared license slug; None when the ancestor states none
            or is not in the catalog (then `ref` still names it).
        ref: `<platform>:<externalId>` of the ancestor.
        depth: 1 for a direct parent.
        resolved: False when the ancestor is not in the catalog.
    """

    license: str | None
    ref: str
    depth: int
    resolved: bool = True


@dataclass(frozen=True, slots=True)
class EffectiveLicense:
    """The licenses binding a model: its own plus every ancestor's.

    Attributes:
        licenses: Distinct license slugs, the declared one first, then by depth.
        license_class: The most restrictive class among them; `unknown` when any is
            unknown and none is non-commercial (an unknown one could be anything).
        commercial_use: Whether the class allows commercial use (None: unknown).
        conflict: The declared license is more permissive than an ancestor's.
        evidence: JSON-ready detail: declared, inherited (ref, license, class, depth),
            conflicts (readable sentences).
    """

    licenses: tuple[str, ...]
    license_class: str
    commercial_use: bool | None
    conflict: bool
    evidence: dict[str, object]


def effective_license(declared: str | None, inherited: Sequence[Inherited]) -> EffectiveLicense:
    """Combine a declared license with the licenses inherited along the base-model chain."""
    ordered = sorted(inherited, key=lambda i: (i.depth, i.ref))
    classes = [license_class(declared), *(license_class(i.license) for i in ordered)]
    found = _most_restrictive(classes)
    own = CLASS_BY_SLUG[license_class(declared)]
    conflicts = [
        f"declares {declared} ({own.slug}) but {i.ref} (depth {i.depth}) is "
        f"{i.license} ({license_class(i.license)})"
        for i in ordered
        if own.rank is not None
        and (rank := CLASS_BY_SLUG[license_class(i.license)].rank) is not None
        and rank > own.rank
    ]
    slugs = [declared] if declared else []
    slugs += [i.license for i in ordered if i.license]
    evidence: dict[str, object] = {
        "declared": declared,
        "declared_class": own.slug,
        "inherited": [
            {
                "ref": i.ref,
                "license": i.license,
                "class": license_class(i.license),
                "depth": i.depth,
                "in_catalog": i.resolved,
            }
            for i in ordered
        ],
    }
    if conflicts:
        evidence["conflicts"] = conflicts
    return EffectiveLicense(
        licenses=tuple(dict.fromkeys(slugs)),
        license_class=found,
        commercial_use=CLASS_BY_SLUG[found].commercial_use,
        conflict=bool(conflicts),
        evidence=evidence,
    )


def _most_restrictive(classes: Sequence[str]) -> str:
    if NON_COMMERCIAL in classes:
        return NON_COMMERCIAL  # known to forbid commercial use, whatever else is unknown
    if UNKNOWN in classes:
        return UNKNOWN
    ranked = [CLASS_BY_SLUG[c] for c in classes]
    return max(ranked, key=lambda c: c.rank or 0).slug
