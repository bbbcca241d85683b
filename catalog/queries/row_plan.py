"""Where the rows of an index go when it is patched (`index_patch`, `text_patch`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(slots=True)
class RowPlan:
    """Where rows go when an index is patched.

    Attributes:
        ids: Model ids of the patched index (sorted).
        old_to_new: Old row -> new row; None when old rows keep their numbers (new
            models only appended).
        changed_old: Per old row, whether its model changed.
    """

    ids: np.ndarray
    old_to_new: np.ndarray | None
    changed_old: np.ndarray

    @property
    def size(self) -> int:
        """Rows of the patched index."""
        return len(self.ids)

    def rows_of(self, model_ids: np.ndarray) -> np.ndarray:
        """New rows of model ids the patched index holds."""
        return np.searchsorted(self.ids, model_ids)

    def spread(self, old: np.ndarray, fill: object) -> np.ndarray:
        """A per-row array of the old index laid out on the new rows (new ones `fill`)."""
        out = np.full(self.size, fill, dtype=old.dtype)
        if self.old_to_new is None:
            out[: len(old)] = old
        else:
            out[self.old_to_new] = old
        return out
