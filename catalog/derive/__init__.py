"""The derived layer: what the catalog concludes about models, with its evidence.

Hub normalizers report what a hub states; this package derives, per model, how it can
be reused (`usage`), how much memory its weights take (`memory`) and the class of its
license, and along lineage its effective license (`licenses`). `refresh` keeps the
stored derivations current as batches load; `refresh.rebuild` derives everything again.
This package exports the pure part; the SQL part is `catalog.derive.refresh`.
"""

from catalog.derive.facts import ModelFacts, facts_of
from catalog.derive.model import Derivation, derive

__all__ = ["Derivation", "ModelFacts", "derive", "facts_of"]
