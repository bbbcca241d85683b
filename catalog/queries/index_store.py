"""Share one facet index between the API's worker processes through memory-mapped files.

Each worker used to build and hold its own copy of the index: memory grew with the
number of workers and every worker paid the build. With a store, the first worker to
notice a new catalog version builds the index (holding an exclusive file lock, so the
others wait instead of building too), warms the arrays every query needs, and publishes
it as a directory of `.npy` files; every worker then maps those files read-only, so the
pages are shared through the page cache (counted once, however many workers map them).

A snapshot is written under a temporary name and renamed into place, then named in the
`current` file (also replaced atomically), so a reader sees a whole snapshot or none.
Old snapshots are unlinked once two newer ones exist: a worker still mapping one keeps
its pages until it lets go of that index (unlinking a mapped file is safe on POSIX).

The directory is the server's own temporary one, removed at shutdown, unless
`CATALOG_INDEX_DIR` names one that outlives it: a restarted server then maps the last
snapshot and patches it from the change log (`index_delta`) instead of rebuilding.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import logging
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from catalog.queries.facet_index import FacetIndex

log = logging.getLogger(__name__)

KEEP = 2  # snapshots kept: the current one and the one a slow reader may still be opening
# The layout of a saved index; a snapshot of another layout (an older release's, in a
# directory that outlives the server) is rebuilt, never unpickled into the wrong shape.
FORMAT = "facet-index/5"  # 5: text postings layered (main, stale rows, overlay)


@dataclasses.dataclass(frozen=True, slots=True)
class _ArrayRef:
    """Stands for array number `n` of a snapshot in its pickled skeleton."""

    n: int


_BRANCH = object()  # what a leaf function returns for a value that is not its leaf
# Lists of these hold no array: kept whole (a vocabulary's values and labels run to a
# million strings at 3M models; walking them one by one took seconds per publish).
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _walk(value: Any, leaf: Callable[[Any], Any]) -> Any:
    """A copy of `value` (through dicts, lists, tuples and dataclasses) with each value
    that `leaf` maps to something other than `_BRANCH` replaced by that."""
    swapped = leaf(value)
    if swapped is not _BRANCH:
        return swapped
    if isinstance(value, dict):
        return {key: _walk(item, leaf) for key, item in value.items()}
    if isinstance(value, list | tuple):
        if _SCALARS.issuperset(map(type, value)):
            return value
        return type(value)(_walk(item, leaf) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return type(value)(**{f.name: _walk(getattr(value, f.name), leaf) for f in fields})
    return value


def _mapped_file(array: np.ndarray) -> str | None:
    """The `.npy` file `array` is the whole mapping of, if it is one (an array a patched
    index kept from the snapshot it was patched from)."""
    source = array.base
    if not isinstance(source, np.memmap) or not source.filename:
        return None
    same = source.shape == array.shape and source.dtype == array.dtype
    if not same or source.ctypes.data != array.ctypes.data:
        return None
    return str(source.filename)


def save_index(index: FacetIndex, directory: Path) -> None:
    """Write `index` (its lazily computed arrays included) as `directory`, atomically.

    An array that is a whole file of another snapshot (kept by a patch) is hard-linked,
    not written again: publishing a patched index costs what the patch changed.
    """
    arrays: list[np.ndarray] = []

    def to_ref(value: Any) -> Any:
        if not isinstance(value, np.ndarray):
            return _BRANCH
        arrays.append(value)
        return _ArrayRef(len(arrays) - 1)

    skeleton = _walk(index, to_ref)
    partial = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    try:
        for n, array in enumerate(arrays):
            _write_array(array, partial / f"{n}.npy")
        with (partial / "skeleton.pickle").open("wb") as out:
            pickle.dump(skeleton, out, protocol=pickle.HIGHEST_PROTOCOL)
        # Apart, so a reader can tell a stale snapshot without unpickling the whole index.
        with (partial / "version.pickle").open("wb") as out:
            pickle.dump((FORMAT, index.version), out, protocol=pickle.HIGHEST_PROTOCOL)
        partial.rename(directory)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _write_array(array: np.ndarray, path: Path) -> None:
    linked = _mapped_file(array)
    if linked is not None:
        with contextlib.suppress(OSError):  # e.g. gone already: write it instead
            os.link(linked, path)
            return
    np.save(path, np.ascontiguousarray(array), allow_pickle=False)


def saved_version(directory: Path) -> tuple[Any, ...] | None:
    """The catalog version a saved index was built at; None for another layout."""
    with (directory / "version.pickle").open("rb") as source:
        saved = pickle.load(source)  # noqa: S301 - our own file
    if not isinstance(saved, tuple) or len(saved) != 2 or saved[0] != FORMAT:
        return None
    version: tuple[Any, ...] = saved[1]
    return version


def load_index(directory: Path) -> FacetIndex:
    """Map a saved index read-only (arrays are shared with every process mapping it)."""
    with (directory / "skeleton.pickle").open("rb") as source:
        skeleton = pickle.load(source)  # noqa: S301 - written by this module, in our own dir

    def mapped(value: Any) -> Any:
        if not isinstance(value, _ArrayRef):
            return _BRANCH
        # A plain ndarray view of the mapping: np.memmap's subclass overhead is not wanted
        # on every slice of a hot path.
        path = directory / f"{value.n}.npy"
        return np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))

    index = _walk(skeleton, mapped)
    assert isinstance(index, FacetIndex)
    return index


def snapshot_bytes(directory: Path) -> int:
    """Size of a saved index's arrays on disk (what the workers share)."""
    return sum(path.stat().st_size for path in directory.glob("*.npy"))


class IndexStore:
    """A directory where one process builds the index and every process maps it."""

    def __init__(self, root: Path | str) -> None:
        """Use `root` (created if missing) for snapshots and the build lock."""
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def obtain(
        self, read_version: Callable[[], tuple[Any, ...]], build: Callable[[], FacetIndex]
    ) -> FacetIndex:
        """The index of the catalog's current version: mapped if a process has published
        it, else built here (one builder at a time), published, then mapped."""
        published = self._published(read_version())
        if published is not None:
            return published
        with self._build_lock():
            # Another process may have published while this one waited for the lock.
            published = self._published(read_version())
            if published is not None:
                return published
            index = build()
            try:
                return self._publish(index)
            except OSError as exc:  # e.g. a full disk: serve unshared rather than not at all
                log.warning("facet index not shared between workers: %s", exc)
                return index

    def replace(self, index: FacetIndex) -> FacetIndex | None:
        """Publish `index` in place of the published snapshot of the same version (the
        same answers, laid out anew: a folded text overlay); None, publishing nothing,
        when a newer version was published meanwhile."""
        with self._build_lock():
            name = self._current_name()
            if name is None or saved_version(self.root / name) != index.version:
                return None
            return self._publish(index)

    def latest(self) -> FacetIndex | None:
        """The index published last, whatever its version (a base to patch from)."""
        return self._current(lambda saved: True)

    def _published(self, version: tuple[Any, ...]) -> FacetIndex | None:
        return self._current(lambda saved: saved == version)

    def _current(self, wanted: Callable[[tuple[Any, ...]], bool]) -> FacetIndex | None:
        """The published snapshot, mapped, if its layout is this code's and `wanted`
        accepts its version; None otherwise (or when it cannot be read)."""
        name = self._current_name()
        if name is None:
            return None
        try:
            saved = saved_version(self.root / name)
            if saved is None or not wanted(saved):
                return None
            return load_index(self.root / name)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
            log.warning("facet index snapshot %s unreadable; building a new one", name)
            return None

    def _publish(self, index: FacetIndex) -> FacetIndex:
        serial = 1 + max((_serial(p.name) for p in self.root.glob("snapshot-*")), default=0)
        name = f"snapshot-{serial:08d}"
        started = time.perf_counter()
        save_index(index, self.root / name)
        pointer = self.root / ".current.tmp"
        pointer.write_text(name)
        pointer.replace(self.root / "current")
        self._prune(serial)
        size = snapshot_bytes(self.root / name) >> 20
        took = time.perf_counter() - started
        log.info("facet index published as %s (%d MB of arrays, %.2fs)", name, size, took)
        return load_index(self.root / name)

    def _current_name(self) -> str | None:
        try:
            return (self.root / "current").read_text().strip() or None
        except FileNotFoundError:
            return None

    def _prune(self, newest: int) -> None:
        for path in self.root.glob("snapshot-*"):
            if _serial(path.name) <= newest - KEEP:
                shutil.rmtree(path, ignore_errors=True)

    @contextlib.contextmanager
    def _build_lock(self) -> Iterator[None]:
        # flock is released by the kernel if the holder dies: a killed builder never
        # leaves the others waiting forever.
        fd = os.open(self.root / "build.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def _serial(name: str) -> int:
    try:
        return int(name.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return 0


# Snapshots go to shared memory when it has room for several (publishing 1.2 GB there
# takes a fifth of the time it takes through a disk filesystem's page cache).
SHARED_MEMORY = Path("/dev/shm")  # noqa: S108 - only as mkdtemp's parent (a private 0700 dir)
SHARED_MEMORY_MIN_FREE = 8 << 30


def default_store_root() -> Path:
    """A fresh directory for one server's snapshots: in `$TMPDIR` when it is set, else in
    /dev/shm when it has 8 GiB free, else in the system's temporary directory.

    Containers give /dev/shm 64 MB by default, less than the index of a large catalog:
    then the temporary directory, whose files just written stay in the page cache,
    shared by every mapping (publishing costs more there).
    """
    return Path(tempfile.mkdtemp(prefix="model-catalog-index-", dir=_fast_temp_dir()))


def _fast_temp_dir() -> Path | None:
    if os.environ.get("TMPDIR"):
        return None  # the user chose where temporary files go
    try:
        stat = os.statvfs(SHARED_MEMORY)
    except OSError:
        return None
    roomy = stat.f_bavail * stat.f_frsize >= SHARED_MEMORY_MIN_FREE
    return SHARED_MEMORY if roomy and os.access(SHARED_MEMORY, os.W_OK) else None
