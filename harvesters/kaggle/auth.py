"""Kaggle credentials, found the way the Kaggle SDK finds them; never printed.

Order: `KAGGLE_API_TOKEN` (bearer token); `KAGGLE_USERNAME` + `KAGGLE_KEY`; then, in the
config directory (`KAGGLE_CONFIG_DIR`, else `~/.kaggle`, else
`$XDG_CONFIG_HOME/kaggle`), an `access_token` file (bearer) or `kaggle.json`
(`{"username": ..., "key": ...}`). Messages name where a credential came from or which
variable to set, never a value.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from harvesters.base import FatalHarvestError

MISSING = (
    "Kaggle credentials are missing: set KAGGLE_API_TOKEN, or KAGGLE_USERNAME and KAGGLE_KEY, "
    "or put kaggle.json (from kaggle.com > Settings > API) in ~/.kaggle or in $KAGGLE_CONFIG_DIR."
)


@dataclass(frozen=True, slots=True)
class KaggleCredentials:
    """A credential and where it came from (`source` is safe to show; the secret is not)."""

    scheme: Literal["bearer", "basic"]
    source: str
    username: str | None = None
    secret: str = field(default="", repr=False)

    def headers(self) -> dict[str, str]:
        """The Authorization header the Kaggle API expects."""
        if self.scheme == "bearer":
            return {"Authorization": f"Bearer {self.secret}"}
        pair = f"{self.username}:{self.secret}".encode()
        return {"Authorization": f"Basic {base64.b64encode(pair).decode('ascii')}"}


def config_dirs(environ: Mapping[str, str], home: Path) -> list[Path]:
    """Directories searched for `access_token` and `kaggle.json`, in order."""
    if environ.get("KAGGLE_CONFIG_DIR"):
        return [Path(environ["KAGGLE_CONFIG_DIR"]).expanduser()]
    xdg = Path(environ.get("XDG_CONFIG_HOME") or home / ".config")
    return [home / ".kaggle", xdg / "kaggle"]


def load_credentials(environ: Mapping[str, str], home: Path) -> KaggleCredentials:
    """The first credential found (see the module docstring).

    Raises:
        FatalHarvestError: none found, only half of a username/key pair, or an
            unreadable kaggle.json; the message says what to set.
    """
    token = environ.get("KAGGLE_API_TOKEN", "").strip()
    if token:
        return KaggleCredentials("bearer", "KAGGLE_API_TOKEN", secret=token)
    username = environ.get("KAGGLE_USERNAME", "").strip()
    key = environ.get("KAGGLE_KEY", "").strip()
    if username and key:
        return KaggleCredentials("basic", "KAGGLE_USERNAME/KAGGLE_KEY", username, key)
    if username or key:
        have, lack = (
            ("KAGGLE_USERNAME", "KAGGLE_KEY") if username else ("KAGGLE_KEY", "KAGGLE_USERNAME")
        )
        raise FatalHarvestError(f"{have} is set but {lack} is not: set both, or KAGGLE_API_TOKEN.")
    for directory in config_dirs(environ, home):
        found = _from_directory(directory)
        if found is not None:
            return found
    raise FatalHarvestError(MISSING)


def _from_directory(directory: Path) -> KaggleCredentials | None:
    token_file = directory / "access_token"
    if token_file.is_file():
        token = token_file.read_text(encoding="utf-8", errors="replace").strip()
        if token:
            return KaggleCredentials("bearer", str(token_file), secret=token)
    path = directory / "kaggle.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        data = None
    username = data.get("username") if isinstance(data, dict) else None
    key = data.get("key") if isinstance(data, dict) else None
    if not (isinstance(username, str) and username and isinstance(key, str) and key):
        raise FatalHarvestError(
            f'{path} is not a Kaggle API token file (JSON with "username" and "key"): '
            "download a new one from kaggle.com > Settings > API."
        )
    return KaggleCredentials("basic", str(path), username, key)
