"""Model families across hubs: a family tree as data, evidence-based assignment, recompute.

- `vocabulary` (with `tree`, `definitions`): the family tree, spellings, release
  templates and pins (`families.yaml` plus the user's `CATALOG_FAMILIES_FILE`).
- `names`, `hits`, `matcher`, `assign`, `records`: pure matching (no database).
- `store`, `writes`, `recompute`: the tables, full rebuilds, incremental recomputation.
- `cli`, `explain`: `catalog families rebuild|explain`.
"""
