"""requirements.lock pins what pyproject.toml asks for, and it is what is installed."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parents[1]
EXTRAS = ("test", "dev")  # the extras scripts/setup installs


@dataclass(frozen=True)
class Pin:
    requirement: Requirement
    hashes: int

    @property
    def version(self) -> str:
        (spec,) = self.requirement.specifier
        assert spec.operator == "=="
        return spec.version


def _pins(lock: str = "requirements.lock") -> dict[str, Pin]:
    pins: dict[str, Pin] = {}
    current: Requirement | None = None
    for raw in (ROOT / lock).read_text().splitlines():
        line = raw.strip().removesuffix("\\").strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("--hash="):
            assert current is not None
            name = canonicalize_name(current.name)
            pins[name] = Pin(current, pins[name].hashes + 1)
            continue
        current = Requirement(line)
        pins[canonicalize_name(current.name)] = Pin(current, 0)
    return pins


def _wanted() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    return [
        Requirement(r) for r in [*project["dependencies"], *(r for e in EXTRAS for r in extras[e])]
    ]


def test_the_lock_pins_every_dependency_within_its_range() -> None:
    pins = _pins()
    for wanted in _wanted():
        pin = pins.get(canonicalize_name(wanted.name))
        assert pin is not None, f"{wanted.name} is not in requirements.lock: run scripts/lock"
        assert wanted.specifier.contains(pin.version, prereleases=True), (
            f"requirements.lock pins {wanted.name}=={pin.version} outside {wanted.specifier}"
        )
        # A dependency limited to some Pythons keeps that limit in the lock.
        if wanted.marker is not None:
            assert pin.requirement.marker is not None, f"{wanted.name} lost its marker"


def test_every_pin_has_hashes_and_the_installed_versions_are_the_locked_ones() -> None:
    for name, pin in _pins().items():
        assert pin.hashes > 0, f"{name} has no hash"
        marker = pin.requirement.marker
        if marker is not None and not marker.evaluate():
            continue  # not for this platform or Python
        assert metadata.version(name) == pin.version, f"{name}: run scripts/setup"


def test_the_image_lock_is_the_runtime_part_of_the_full_lock() -> None:
    """The Dockerfile installs requirements-runtime.lock: the same pins, every runtime
    dependency, none of the test or dev extras."""
    full, runtime = _pins(), _pins("requirements-runtime.lock")
    for name, pin in runtime.items():
        assert name in full, f"{name} is in the image lock only: run scripts/lock"
        assert pin.version == full[name].version, f"{name}: the two locks disagree"
        assert pin.hashes > 0, f"{name} has no hash"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for raw in project["dependencies"]:
        assert canonicalize_name(Requirement(raw).name) in runtime, f"{raw}: run scripts/lock"
    # Tools of the test and dev extras stay out of the image.
    assert not {"pytest", "playwright", "mypy", "ruff", "uv"} & set(runtime)
