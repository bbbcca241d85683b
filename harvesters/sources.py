"""Open a hub source given as a URL, a local .tar.gz, a directory or a file.

Archive hubs (TF Hub, PyTorch Hub) and the ONNX manifest accept the same kinds of
location so that air-gapped mirrors work: an `http(s)://` URL is downloaded into a
temporary file; `file://` URLs and plain paths are read where they are. Archives are
read member by member in memory, never extracted, and members with unsafe names
(absolute, `..`, links, devices) are skipped and reported, so a hostile tarball cannot
write anywhere. A tarball that cannot be read ends the run with a sentence that says
what to fix.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
import tempfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse

from pydantic import Field

from harvesters.base import FatalHarvestError, FetchContext, HarvesterConfig, Page, RawRecord
from harvesters.http import HttpClient, RetryPolicy

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")
MAX_MEMBER_BYTES = 8 * 1024 * 1024  # a doc page is a few kB; anything this big is not one

Problem = tuple[str, str]


class SourceConfig(HarvesterConfig):
    """Options shared by the hubs that read one document (archive, manifest, API)."""

    page_size: int = Field(
        default=100, ge=1, le=1000, description="Records per page handed to the runner."
    )
    http_attempts: int = Field(
        default=6, ge=1, le=20, description="Tries per HTTP request before giving up."
    )
    http_timeout: float = Field(
        default=120.0, gt=0, description="Seconds one HTTP request may take."
    )


def http_client(config: SourceConfig, headers: dict[str, str] | None = None) -> HttpClient:
    """A retrying client with the attempts and timeout of `config`."""
    policy = RetryPolicy(attempts=config.http_attempts, timeout=config.http_timeout)
    return HttpClient(headers=headers, policy=policy)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file of a source: its path relative to the source root, and its bytes."""

    path: str
    data: bytes

    @property
    def text(self) -> str:
        """The content as text (UTF-8; undecodable bytes become U+FFFD)."""
        return self.data.decode("utf-8", errors="replace")


@dataclass(slots=True)
class SourceFiles:
    """The files read from a source and the problems met while reading them."""

    files: list[SourceFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def is_url(location: str) -> bool:
    """Whether `location` is an HTTP(S) URL (else it is a local path or `file://`)."""
    return location.startswith(("http://", "https://"))


@contextmanager
def local_copy(
    location: str, *, what: str, setting: str, client: HttpClient | None = None
) -> Iterator[Path]:
    """Yield a local path holding the source: URLs are downloaded to a temporary file.

    Args:
        location: URL, `file://` URL, or local path (file or directory).
        what: What the source is, for messages ("TF Hub archive").
        setting: The environment variable that sets `location`, for messages.
        client: HTTP client for downloads (one with default retries if None).

    Raises:
        FatalHarvestError: the URL cannot be fetched or the path does not exist.
    """
    if not is_url(location):
        path = _local_path(location)
        if not path.exists():
            raise FatalHarvestError(
                f"The {what} at {location} does not exist: set {setting} to a URL, "
                "a local file or a directory."
            )
        yield path
        return
    owned = client is None
    http = client or HttpClient()
    try:
        with tempfile.TemporaryDirectory(prefix="catalog-source-") as tmp:
            dest = Path(tmp) / _download_name(location)
            try:
                http.download(location, dest)
            except FatalHarvestError as exc:
                raise FatalHarvestError(
                    f"The {what} could not be downloaded ({exc}): check {setting} and the "
                    "network, or point it at a local copy.",
                    status=exc.status,
                ) from exc
            yield dest
    finally:
        if owned:
            http.close()


def _local_path(location: str) -> Path:
    if location.startswith("file://"):
        return Path(unquote(urlparse(location).path))
    return Path(location).expanduser()


def _download_name(url: str) -> str:
    name = PurePosixPath(urlparse(url).path).name
    # Keep a recognisable suffix: GitHub archive URLs end in ".tar.gz" already.
    return name if name and len(name) < 200 else "source"


def read_files(
    path: Path, *, what: str, setting: str, suffixes: Sequence[str] = (".md",)
) -> SourceFiles:
    """Read the files of a directory, a tarball or a single file whose names end in `suffixes`.

    A tarball is recognised by its name or its content; a GitHub archive's top-level
    directory (`repo-branch/`) is stripped, as is any single directory every file
    shares.

    Raises:
        FatalHarvestError: a tarball that cannot be read (truncated, corrupt, not one).
    """
    if path.is_dir():
        found = _read_directory(path, suffixes)
    elif path.name.lower().endswith(ARCHIVE_SUFFIXES) or _looks_like_tar(path):
        found = _read_tarball(path, what=what, setting=setting, suffixes=suffixes)
    else:
        found = SourceFiles([SourceFile(path.name, path.read_bytes())])
    found.files = _strip_common_root(found.files)
    found.files.sort(key=lambda f: f.path)
    return found


def fetch_files(
    location: str,
    config: SourceConfig,
    *,
    what: str,
    setting: str,
    suffixes: Sequence[str] = (".md",),
) -> SourceFiles:
    """Download `location` if it is a URL (else read it in place) and read its files.

    The archive hubs' whole I/O: a `local_copy` with a retrying client from `config`,
    then `read_files`; the client and any temporary download are gone on return.

    Raises:
        FatalHarvestError: the source is unreachable or unreadable (the message names
            `setting`).
    """
    client = http_client(config)
    try:
        with local_copy(location, what=what, setting=setting, client=client) as path:
            return read_files(path, what=what, setting=setting, suffixes=suffixes)
    finally:
        client.close()


def _looks_like_tar(path: Path) -> bool:
    try:
        return tarfile.is_tarfile(path)
    except OSError:
        return False


def _read_directory(root: Path, suffixes: Sequence[str]) -> SourceFiles:
    found = SourceFiles()
    for dirpath, dirnames, filenames in os.walk(root):  # does not follow directory links
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for filename in sorted(filenames):
            full = Path(dirpath) / filename
            rel = full.relative_to(root).as_posix()
            if not filename.lower().endswith(tuple(suffixes)):
                continue
            if full.is_symlink():
                found.problems.append((rel, "skipped: a symbolic link"))
                continue
            if full.stat().st_size > MAX_MEMBER_BYTES:
                found.problems.append((rel, f"skipped: larger than {MAX_MEMBER_BYTES} bytes"))
                continue
            found.files.append(SourceFile(rel, full.read_bytes()))
    return found


def _read_tarball(path: Path, *, what: str, setting: str, suffixes: Sequence[str]) -> SourceFiles:
    found = SourceFiles()
    try:
        with tarfile.open(path, mode="r:*") as archive:
            for member in archive:
                _read_member(archive, member, suffixes, found)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise FatalHarvestError(
            f"The {what} at {path.name} is not a readable .tar.gz archive "
            f"({type(exc).__name__}: {exc}): download it again, or set {setting} to a "
            "directory holding the extracted files."
        ) from exc
    return found


def _read_member(
    archive: tarfile.TarFile, member: tarfile.TarInfo, suffixes: Sequence[str], found: SourceFiles
) -> None:
    if not member.name.lower().endswith(tuple(suffixes)):
        return
    name = safe_member_name(member.name)
    if name is None:
        found.problems.append((member.name, "skipped: unsafe path in archive"))
        return
    if not member.isfile():
        found.problems.append((name, "skipped: not a regular file (link or device)"))
        return
    if member.size > MAX_MEMBER_BYTES:
        found.problems.append((name, f"skipped: larger than {MAX_MEMBER_BYTES} bytes"))
        return
    handle = archive.extractfile(member)
    if handle is not None:
        found.files.append(SourceFile(name, handle.read()))


def safe_member_name(name: str) -> str | None:
    """The member's name as a relative POSIX path, or None when it could escape a root."""
    if not name or "\x00" in name or "\\" in name:
        return None
    pure = PurePosixPath(name)
    if pure.is_absolute() or any(part == ".." for part in pure.parts):
        return None
    parts = [part for part in pure.parts if part != "."]
    return "/".join(parts) if parts else None


def _strip_common_root(files: list[SourceFile]) -> list[SourceFile]:
    if not files or any("/" not in f.path for f in files):
        return files
    roots = {f.path.split("/", 1)[0] for f in files}
    if len(roots) != 1:
        return files
    return [SourceFile(f.path.split("/", 1)[1], f.data) for f in files]


def paginate(
    records: Sequence[RawRecord],
    ctx: FetchContext,
    *,
    page_size: int,
    problems: Sequence[Problem] = (),
) -> Iterator[Page]:
    """Cut records read in one go into pages with `{"offset": n, "digest": ...}` checkpoints.

    The digest identifies the list of ids, so a checkpoint taken on an older archive
    restarts from the beginning instead of skipping the wrong records. The last page of
    an exhausted source has checkpoint None; a run cut short by `ctx.limit` ends with an
    offset checkpoint (the source was not exhausted). Source-level problems ride on the
    first page.
    """
    digest = _digest(records)
    start = _resume_offset(ctx.resume, digest, len(records))
    end = len(records) if ctx.limit is None else min(len(records), start + max(ctx.limit, 0))
    if start >= end:
        yield Page(
            [], None if end >= len(records) else {"offset": end, "digest": digest}, list(problems)
        )
        return
    for low in range(start, end, page_size):
        high = min(low + page_size, end)
        checkpoint = None if high >= len(records) else {"offset": high, "digest": digest}
        yield Page(list(records[low:high]), checkpoint, list(problems) if low == start else [])


def _digest(records: Sequence[RawRecord]) -> str:
    ids = "\n".join(r.external_id or "" for r in records)
    return hashlib.sha256(ids.encode("utf-8", errors="replace")).hexdigest()[:16]


def _resume_offset(resume: object, digest: str, total: int) -> int:
    if not isinstance(resume, Mapping) or resume.get("digest") != digest:
        return 0
    offset = resume.get("offset")
    if isinstance(offset, int) and 0 <= offset <= total:
        return offset
    return 0
