"""Static files with the content hash in their URL, served with a year-long cache.

`/static/<digest>/<path>`: a changed file gets a new URL, so browsers may keep every
copy forever (`immutable`) and never serve a stale script or stylesheet. A URL with an
outdated digest is a 404 rather than other content under an old name.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

STATIC_DIR = Path(__file__).parent / "static"
PREFIX = "/static"
CACHE_FOREVER = "public, max-age=31536000, immutable"
DIGEST_LENGTH = 12


@dataclass(frozen=True, slots=True)
class Asset:
    """One static file: where it is and its content digest."""

    path: Path
    digest: str


class Assets:
    """Every file under a static directory, hashed once at start-up."""

    def __init__(self, root: Path = STATIC_DIR) -> None:
        """Hash every file under `root`."""
        self.root = root
        self.files: dict[str, Asset] = {}
        for path in sorted(root.rglob("*")):
            if path.is_file():
                name = path.relative_to(root).as_posix()
                digest = hashlib.sha256(path.read_bytes()).hexdigest()[:DIGEST_LENGTH]
                self.files[name] = Asset(path, digest)

    def url(self, name: str) -> str:
        """The versioned URL of a static file (`explorer.css`, `vendor/react-18.2.0/...`).

        Raises:
            KeyError: no such file (a template names a file that is not shipped).
        """
        return f"{PREFIX}/{self.files[name].digest}/{name}"

    async def serve(self, request: Request) -> Response:
        """The file named by the URL, if its digest is current."""
        name = request.path_params["name"]
        asset = self.files.get(name)
        if asset is None or asset.digest != request.path_params["digest"]:
            return PlainTextResponse("not found", status_code=404)
        media_type, _ = mimetypes.guess_type(name)
        if name.endswith(".js"):
            media_type = "text/javascript; charset=utf-8"
        return FileResponse(
            asset.path,
            media_type=media_type,
            headers={"Cache-Control": CACHE_FOREVER, "X-Content-Type-Options": "nosniff"},
        )
