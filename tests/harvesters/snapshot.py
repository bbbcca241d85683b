"""A comparable picture of a catalog's normalized content (no run ids or seen times)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

SNAPSHOT = text("""
select p.slug, m.external_id, m.name, a.slug, m.url, m.summary, m.description, l.slug,
  lib.slug, m.parameters, m.downloads, m.downloads_all_time, m.likes, m.trending_score,
  m.created_at, m.last_modified, m.gated, m.keywords, m.extra::text, m.removed_at is null,
  (select array_agg(t.slug order by t.slug) from model_tasks x join tasks t on t.id = x.task_id
    where x.model_id = m.id),
  (select array_agg(o.slug order by o.slug) from model_modalities x
    join modalities o on o.id = x.modality_id where x.model_id = m.id),
  (select array_agg(f.slug || ' ' || x.variants::text || ' ' || coalesce(x.file_count, -1)
    || ' ' || coalesce(x.total_bytes, -1) order by f.slug) from model_formats x
    join formats f on f.id = x.format_id where x.model_id = m.id),
  (select array_agg(g.code order by g.code) from model_languages x
    join languages g on g.id = x.language_id where x.model_id = m.id),
  (select array_agg(d.slug order by d.slug) from model_datasets x
    join datasets d on d.id = x.dataset_id where x.model_id = m.id),
  (select array_agg(g.name order by g.name) from model_tags x join tags g on g.id = x.tag_id
    where x.model_id = m.id),
  (select array_agg(x.parent_external_id || ' ' || x.relation || ' ' || (x.parent_id is not null)
    order by x.parent_external_id) from model_lineage x where x.child_id = m.id),
  (select array_agg(v.version order by v.version) from model_versions v where v.model_id = m.id)
from models m
join platforms p on p.id = m.platform_id
left join authors a on a.id = m.author_id
left join licenses l on l.id = m.license_id
left join libraries lib on lib.id = m.library_id
order by p.slug, m.external_id
""")


def catalog_snapshot(engine: Engine) -> list[tuple[Any, ...]]:
    """Every model with its values and associations, in a stable order."""
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(SNAPSHOT)]
