"""The derived layer: what the catalog concludes about models, with its evidence.

Hub normalizers report what a hub states; this package derives, per model, how it can
be reused (`usage`), how much memory its weights take (`memory`) and the class of its
license, and along lineage its effective license (`licenses`). `refresh` keeps the
stored derivations current as batches load; `rebuild` derives everything again.
"""

from catalog.derive.facts import ModelFacts, facts_of
from catalog.derive.model import Derivation, derive
from catalog.derive.refresh import derive_models, rebuild, refresh_loaded

__all__ = [
    "Derivation",
    "ModelFacts",
    "derive",
    "derive_models",
    "facts_of",
    "rebuild",
    "refresh_loaded",
]
