"""Model families across hubs: a family tree as data, evidence-based assignment, recompute.

- `vocabulary`: the family tree, spellings, release templates and pins (`families.yaml`
  plus the user's `CATALOG_FAMILIES_FILE`).
- `names`, `matcher`, `assign`, `records`: pure matching (no database).
- `store`, `recompute`: the tables, full rebuilds and incremental recomputation.
"""
