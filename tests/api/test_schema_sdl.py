"""The checked-in SDL must match the live schema."""

from __future__ import annotations

from api.export_schema import SDL_PATH, sdl


def test_exported_schema_is_current() -> None:
    assert SDL_PATH.read_text() == sdl(), (
        "api/schema.graphql is out of date: run `python -m api.export_schema`"
    )


def test_contract_names_are_in_the_schema() -> None:
    text = sdl()
    for name in (
        "models(filter: ModelFilter",
        "model(id: ID",
        "compare(ids: [ID!]",
        "stats(rows: FacetField!",
        "harvestRuns(platform: String",
        "facets(fields: [FacetField!]!, limit: Int! = 20): [Facet!]!",
        "derivatives(relation: String = null, first: Int! = 20): ModelConnection!",
        "PARAMETER_RANGE",
    ):
        assert name in text, name
