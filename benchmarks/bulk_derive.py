"""The derived layer of a bulk-written synthetic catalog, as the loader would leave it.

`catalog.derive.refresh.rebuild` would read every model back (facts, the recursive
ancestor walk, the fine-tuning children) at about 1,700 models/s: half an hour at 3M.
Here each generated record is derived in memory by `catalog.derive.derive`, the function
the loader calls, once nothing that comes later can change it, in a worker process while
the main one generates and COPYs:

- its ancestors' licenses at any depth come from the parents recorded so far (a parent
  is always generated before its children);
- whether a later child names it as its fine-tuning base is settled once the generator
  can no longer pick it as a parent: after `RECENT_WINDOW` more models, or at the end for
  the popular ones (`benchmarks.synthetic.Generator` picks parents from those two pools).

The loader derives a model from its record, but when the first child naming it as a
base comes in a later batch it derives it again from what the tables hold, where tags,
tasks and formats are sorted (the order shows in the evidence). `LoaderBatches` says
which batch `generate_catalog --through-loader --batch N` would load each model in, so
each model gets the order the loader would give it.
"""

from __future__ import annotations

import dataclasses
from array import array
from collections.abc import Sequence
from typing import Any

from benchmarks.synthetic import index_of
from catalog.derive import derive, facts_of
from catalog.derive.facts import ModelFacts
from catalog.derive.licenses import Inherited
from catalog.derive.store import BASE_RELATIONS, MAX_DEPTH
from catalog.loader.sql import json_text
from catalog.records import NormalizedModel

RECENT_WINDOW = 5001  # the generator's pool of recent parents holds the last 5,000 models

# (model id, facts, inherited licenses, ref of a child naming it as its base)
Job = tuple[int, ModelFacts, list[Inherited], str | None]


class LoaderBatches:
    """Where each model's loader batch ends, as `Generator.batches(size)` groups them.

    A batch holds one platform's models and is loaded when it is full (at the index of
    its last model) or at the end (after every full one, platforms in first-seen order).
    Two models are loaded in the same or an earlier batch when their positions compare so.
    """

    def __init__(self, total: int, size: int) -> None:
        self.total = total
        self.size = size
        self.position = array("q", [-1]) * total
        self.pending: dict[str, list[int]] = {}

    def add(self, index: int, platform: str) -> None:
        """Model `index` comes next."""
        batch = self.pending.setdefault(platform, [])
        batch.append(index)
        if len(batch) >= self.size:
            for i in batch:
                self.position[i] = index
            self.pending[platform] = []

    def finish(self) -> None:
        """The generator ended: the partial batches are loaded, in first-seen order."""
        for order, batch in enumerate(self.pending.values()):
            for i in batch:
                self.position[i] = self.total + order


class Planner:
    """Follows generated models and hands out the ones whose derivation is final."""

    def __init__(self, total: int, loader_batch: int) -> None:
        self.parent = array("q")
        self.license = array("h")
        self.slugs: list[str | None] = [None]
        self.refs: dict[int, str] = {}
        self.base_of: dict[int, tuple[int, str]] = {}
        self.batches = LoaderBatches(total, loader_batch)
        self.waiting: dict[int, tuple[ModelFacts, bool]] = {}
        self.finished = False

    def add(self, first: int, records: Sequence[NormalizedModel], popular: Sequence[bool]) -> None:
        """Models `first` .. in index order, with whether the generator made them popular."""
        for offset, record in enumerate(records):
            index = first + offset
            slug = record.license.slug if record.license else None
            if slug not in self.slugs:
                self.slugs.append(slug)
            self.license.append(self.slugs.index(slug))
            parent = -1
            for ref in record.lineage:
                parent = index_of(ref.external_id)
                self.refs[parent] = f"{ref.platform}:{ref.external_id}"
                if ref.relation in BASE_RELATIONS and parent not in self.base_of:
                    self.base_of[parent] = (index, f"{record.platform}:{record.external_id}")
            self.parent.append(parent)
            self.batches.add(index, record.platform)
            self.waiting[index] = (facts_of(record), popular[offset])

    def finish(self) -> None:
        """No more models: everything waiting can be settled."""
        self.batches.finish()
        self.finished = True

    def ready(self, generated: int) -> list[Job]:
        """Jobs of models nothing generated after `generated` models can change."""
        cutoff = generated - RECENT_WINDOW
        jobs = []
        for index, (facts, popular) in list(self.waiting.items()):
            if not self.finished and (index >= cutoff or popular):
                if index >= cutoff:
                    break  # waiting is in index order: the rest are more recent
                continue
            chosen = self._facts(index, facts)
            if chosen is None:
                continue
            del self.waiting[index]
            base = self.base_of.get(index)
            jobs.append((index + 1, chosen, self.inherited(index), base[1] if base else None))
        return jobs

    def _facts(self, index: int, facts: ModelFacts) -> ModelFacts | None:
        """The facts in the loader's order, or None while that is not known yet."""
        base = self.base_of.get(index)
        if base is None:
            return facts
        own, child = self.batches.position[index], self.batches.position[base[0]]
        if own < 0 and child < 0:
            return None
        if child >= 0 and (own < 0 or child <= own):
            return facts  # the child was loaded first or with it: derived from the record
        return _as_read_back(facts)

    def inherited(self, index: int) -> list[Inherited]:
        """Licenses model `index` inherits, as `catalog.derive.store.read_inherited` reads.

        Generated lineage is a chain (one parent, always an earlier model), so the walk
        needs no cycle check; it stops at `MAX_DEPTH` as the SQL walk does.
        """
        found = []
        parent = self.parent[index]
        depth = 1
        while parent >= 0 and depth <= MAX_DEPTH:
            slug = self.slugs[self.license[parent]]
            found.append(Inherited(slug, self.refs[parent], depth, resolved=True))
            parent = self.parent[parent]
            depth += 1
        return found


def _as_read_back(facts: ModelFacts) -> ModelFacts:
    """Facts in the order `store.read_facts` returns them (tags, tasks, formats sorted)."""
    return dataclasses.replace(
        facts,
        tags=tuple(sorted(facts.tags)),
        tasks=tuple(sorted(facts.tasks)),
        formats=tuple(sorted(facts.formats, key=lambda f: f.slug)),
    )


def derive_rows(jobs: Sequence[Job]) -> tuple[list[tuple[Any, ...]], list[tuple[int, str]]]:
    """Derive models (in a worker process): `model_derivations` rows and usage pairs.

    The license class and usages are slugs; the writer turns them into ids.
    """
    rows: list[tuple[Any, ...]] = []
    usages: list[tuple[int, str]] = []
    for mid, facts, inherited, base_of in jobs:
        d = derive(facts, inherited, base_of)
        lic = d.license
        rows.append(
            (
                mid,
                d.usage["feature-extraction"].value,
                d.usage["fine-tuning"].value,
                d.usage["zero-shot"].value,
                d.memory_bytes,
                lic.license_class,
                list(lic.licenses),
                lic.conflict,
                lic.commercial_use,
                json_text(d.evidence_json()),
            )
        )
        usages.extend((mid, u) for u in dict.fromkeys(d.usages))
    return rows, usages
