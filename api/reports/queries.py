"""The GraphQL operations reports send (the same API any client calls)."""

from __future__ import annotations

COMPARE = """
query Compare($refs: [String!]!) {
  compare(refs: $refs) {
    models { ref name url platform { slug } }
    rows { attribute label values differs }
  }
}
"""

SEARCH_REFS = """
query Candidates($search: String!) {
  models(search: $search, first: 50) { edges { node { ref } } }
}
"""

LANDSCAPE = """
query Landscape($filter: ModelFilter, $top: Int!) {
  models(filter: $filter, sort: [DOWNLOADS], first: $top) {
    totalCount
    facets(fields: [PLATFORM, LICENSE, FORMAT], limit: 20) {
      field
      buckets { value label count }
    }
    licensed: facets(fields: [LICENSE], limit: 500) { buckets { count } }
    edges {
      node {
        ref name author url parameters downloads likes license
        platform { slug }
        formats { slug }
        featureExtraction { value } fineTuning { value } zeroShot { value }
        memory { bytes }
        effectiveLicense { licenses licenseClass }
      }
    }
  }
}
"""

COVERAGE = """
query Coverage($filter: ModelFilter) {
  models(filter: $filter, first: 0) { totalCount }
  platforms: stats(filter: $filter, rows: PLATFORM) { ...keys }
  formats: stats(filter: $filter, rows: FORMAT) { ...keys }
  modalities: stats(filter: $filter, rows: MODALITY) { ...keys }
  tasks: stats(filter: $filter, rows: TASK) { ...keys }
  platformFormat: stats(filter: $filter, rows: PLATFORM, columns: FORMAT) { ...cells }
  platformModality: stats(filter: $filter, rows: PLATFORM, columns: MODALITY) { ...cells }
  taskPlatform: stats(filter: $filter, rows: TASK, columns: PLATFORM) { ...cells }
}
fragment keys on PivotTable { rows { value label count } }
fragment cells on PivotTable { cells { row column count } }
"""

# The API caps aliases per operation; a few refs per request stay well inside it.
REFS_PER_QUERY = 20


def exists_query(count: int) -> str:
    """One operation asking for `count` models by ref (`$r0`, `$r1`, ... as `m0`, ...)."""
    params = ", ".join(f"$r{i}: String!" for i in range(count))
    fields = " ".join(f"m{i}: model(ref: $r{i}) {{ ref }}" for i in range(count))
    return f"query Exists({params}) {{ {fields} }}"


def history_query(count: int) -> str:
    """One operation asking for the download history of `count` models by ref."""
    params = ", ".join(f"$r{i}: String!" for i in range(count))
    fields = " ".join(
        f"m{i}: model(ref: $r{i}) {{ ref metrics(since: $since) {{ observedAt downloads }} }}"
        for i in range(count)
    )
    return f"query History($since: DateTime, {params}) {{ {fields} }}"
