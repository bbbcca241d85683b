"""GraphiQL served from our own static files (no CDN), and links that open a page's
equivalent GraphQL query in it."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from api.web.state import sidebar

GRAPHIQL_ASSETS = {
    "react": "vendor/react-18.2.0/react.production.min.js",
    "react_dom": "vendor/react-dom-18.2.0/react-dom.production.min.js",
    "graphiql_js": "vendor/graphiql-3.8.3/graphiql.min.js",
    "graphiql_css": "vendor/graphiql-3.8.3/graphiql.min.css",
    "init": "graphiql-init.js",
}

SEARCH_QUERY = """query Search(
  $filter: ModelFilter, $search: String, $sort: [ModelSort!], $after: String
) {
  models(filter: $filter, search: $search, sort: $sort, first: 20, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        ref name platform { slug } tasks { slug } formats { slug }
        parameters downloads likes license
        featureExtraction { value } fineTuning { value } zeroShot { value }
        memory { bytes label }
        effectiveLicense { licenseClass commercialUse } licenseConflict
      }
    }
    facets(fields: [%(facets)s], limit: 20) { field buckets { value label count } }
  }
}
"""

MODEL_QUERY = """query Model($ref: String!) {
  model(ref: $ref) {
    ref name author url license library parameters downloads likes createdAt lastModified
    platform { slug name } tasks { slug modality } modalities { slug }
    languages datasets tags
    formats { slug variants fileCount totalBytes }
    baseModels { relation parentRef }
    ancestors { depth relation model { ref } }
    derivatives(first: 20) { totalCount edges { node { ref } } }
    metrics { observedAt downloads likes }
    family { slug path }
    familyAssignment { method confidence evidence derivative }
    sameAs { method confidence model { ref platform { slug } } }
    featureExtraction { value decidedBy evidence { rule value strength detail } }
    fineTuning { value decidedBy evidence { rule value strength detail } }
    zeroShot { value decidedBy evidence { rule value strength detail } }
    memory { bytes label variants { format variant bytes method bitsPerWeight } }
    licenseClass licenseConflict
    effectiveLicense {
      licenses licenseClass commercialUse conflicts
      terms { license licenseClass sourceRef depth inCatalog }
    }
    provenance { field source path rule }
  }
}
"""

FAMILY_QUERY = """query Family($slug: String!) {
  family(slug: $slug) {
    slug name kind path modelCount
    parent { slug name }
    children { slug name modelCount }
    platforms { slug name }
    derivatives { platform relation models }
    models(first: 20, sort: [DOWNLOADS]) {
      edges { node { ref name platform { slug } formats { slug } downloads } }
    }
  }
  hubsByFormat: stats(filter: {families: [$slug]}, rows: PLATFORM, columns: FORMAT) {
    cells { row column count }
  }
}
"""

COMPARE_QUERY = """query Compare($refs: [String!]) {
  compare(refs: $refs) { models { ref name } rows { attribute label values differs } }
}
"""

HUBS_QUERY = """{
  platforms { slug name modelCount lastHarvest { status startedAt finishedAt counts } }
  harvestRuns(last: 20) { kind status startedAt finishedAt counts errorSummary }
}
"""


def search_query() -> str:
    """The search page's query, with the sidebar's facets."""
    fields = ", ".join(slot.field.upper() for slot in sidebar())
    return SEARCH_QUERY % {"facets": fields}


def graphiql_url(query: str, variables: dict[str, Any] | None = None) -> str:
    """A GraphiQL URL that opens with `query` and `variables` filled in (`q`, as a `query`
    parameter would run the query instead of opening GraphiQL)."""
    params = {"q": query}
    if variables:
        params["variables"] = json.dumps(variables, indent=2)
    return "/graphql?" + urlencode(params)
