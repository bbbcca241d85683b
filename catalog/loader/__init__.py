"""Bulk, idempotent loading of normalized records into the catalog tables.

Every statement works on a whole batch (arrays unnested server-side), so a batch costs
a fixed number of round trips whatever its size. Nothing here commits: the caller owns
the transaction, which is what lets the runner commit a batch and its checkpoint
together.
"""

from catalog.loader.load import LoadResult, load_models, touch_unchanged
from catalog.loader.vocabulary import VocabularyIds

__all__ = ["LoadResult", "VocabularyIds", "load_models", "touch_unchanged"]
