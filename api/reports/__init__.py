"""Comparison reports (`catalog report ...`): GraphQL client, report data, renderers.

The package is a client of the API: `client` runs GraphQL queries in process or over
HTTP, `build` turns their answers into plain report data (`data`), and the renderers
(`markdown`, `html`, `tables`) are pure functions from that data to text.
"""
