"""The registered hubs: entry points of the `model_catalog.hubs` group, slug -> Harvester.

A hub registers with one line in its package's `pyproject.toml`:

    [project.entry-points."model_catalog.hubs"]
    onnx-model-zoo = "harvesters.onnx_zoo.harvester:OnnxZooHarvester"

The entry point's name is the platform slug (listing hubs imports none of them); its
class carries the same slug as `name` plus its display name, home URL and default
schedules, which the catalog learns from here: platform rows (`sync_platforms`) and
schedules (`default_schedules`). A hub that fails to load is reported, not fatal to
the others.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Mapping
from importlib.metadata import EntryPoint, entry_points

from sqlalchemy import Connection, Engine

from catalog.errors import CatalogError
from catalog.seed import upsert_platforms
from catalog.vocab import PlatformInfo, is_platform_slug
from harvesters.base import Harvester

GROUP = "model_catalog.hubs"
log = logging.getLogger(__name__)


class UnknownPlatformError(KeyError):
    """No harvester is registered under that name."""

    def __str__(self) -> str:
        return f"unknown platform {self.args[0]!r}; known: {', '.join(slugs())}"


class HubPluginError(CatalogError):
    """A registered hub cannot be loaded (import error, wrong class, mismatched slug)."""


@functools.cache
def _entry_points() -> dict[str, EntryPoint]:
    found: dict[str, EntryPoint] = {}
    for entry in entry_points(group=GROUP):
        if entry.name in found and found[entry.name].value != entry.value:
            log.warning(
                "hub %r is registered twice (%s and %s): using the first",
                entry.name,
                found[entry.name].value,
                entry.value,
            )
            continue
        found.setdefault(entry.name, entry)
    if not found:
        # Entry points come from installed metadata: a source tree that was never
        # installed (or an environment from before they existed) has none.
        log.warning("no hub is registered (%s): install the project (scripts/setup)", GROUP)
    return found


def slugs() -> list[str]:
    """Slugs of every registered hub, sorted (no hub is imported)."""
    return sorted(_entry_points())


@functools.cache
def harvester_class(platform: str) -> type[Harvester]:
    """The harvester class registered for `platform`.

    Raises:
        UnknownPlatformError: nothing is registered under that slug.
        HubPluginError: the hub's entry point does not load a valid harvester class.
    """
    entry = _entry_points().get(platform)
    if entry is None:
        raise UnknownPlatformError(platform)
    where = f"hub plug-in {platform!r} ({entry.value})"
    try:
        cls = entry.load()
    except Exception as exc:
        raise HubPluginError(f"{where} failed to load: {type(exc).__name__}: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, Harvester)):
        raise HubPluginError(f"{where} is not a harvesters.base.Harvester subclass")
    problems = _class_problems(cls, platform)
    if problems:
        raise HubPluginError(f"{where}: {'; '.join(problems)}")
    return cls


def _class_problems(cls: type[Harvester], platform: str) -> list[str]:
    problems = []
    if getattr(cls, "name", None) != platform:
        problems.append(f"its class names the platform {getattr(cls, 'name', None)!r}")
    if not is_platform_slug(platform):
        problems.append("the slug must be lower-case letters, digits and '-'")
    for attribute in ("display_name", "home_url"):
        if not isinstance(getattr(cls, attribute, None), str):
            problems.append(f"its class lacks the {attribute} attribute")
    return problems


def harvester_classes() -> dict[str, type[Harvester]]:
    """Every hub that loads, by slug; a broken one is logged and left out."""
    classes = {}
    for platform in slugs():
        try:
            classes[platform] = harvester_class(platform)
        except HubPluginError as exc:
            log.warning("%s", exc)
    return classes


def platform_info(harvester: Harvester | type[Harvester]) -> PlatformInfo:
    """The platform row of a hub (slug, display name, home URL)."""
    return PlatformInfo(harvester.name, harvester.display_name, harvester.home_url)


def default_schedules() -> dict[str, Mapping[str, str]]:
    """The default schedules of every hub that loads, by slug."""
    return {platform: cls.schedules for platform, cls in harvester_classes().items()}


def sync_platforms(conn: Connection, extra: Iterable[Harvester] = ()) -> None:
    """Write the platform row of every registered hub (and of `extra` harvesters).

    Idempotent, and rows that already match are not rewritten: runs at every harvest
    and scheduler start. The caller commits.
    """
    hubs: list[Harvester | type[Harvester]] = [*harvester_classes().values(), *extra]
    upsert_platforms(conn, [platform_info(hub) for hub in hubs])


def write_platform_rows(engine: Engine) -> None:
    """`sync_platforms` in a transaction of its own (after `catalog db upgrade`, at start-up)."""
    with engine.begin() as conn:
        sync_platforms(conn)
