"""Bundled demo snapshots: real public hub metadata that a catalog without internet can load.

`snapshot` finds and reads a hub's snapshot, `load` puts every hub's into the catalog
through the harvest pipeline (without counting as a harvest), `cli` is `catalog demo`,
and `build` rebuilds the snapshots of this repository's hubs from public samples.
"""
