// GraphiQL for the catalog, from our own copies of React and GraphiQL (no CDN).
// `?q=...&variables=...` open with a query filled in (the explorer's "As GraphQL"
// links); edits are kept in the URL so that a query can be shared.
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var EXAMPLE =
    "# The model catalog's GraphQL API. Ctrl-Enter runs a query; Ctrl-Space completes.\n" +
    "# The Docs button lists every type and field.\n" +
    "{\n" +
    "  models(search: \"bert\", first: 5) {\n" +
    "    totalCount\n" +
    "    edges { node { ref name downloads formats { slug } } }\n" +
    "    facets(fields: [PLATFORM, FORMAT]) { field buckets { value count } }\n" +
    "  }\n" +
    "}\n";

  function remember(key, value) {
    if (value) {
      params.set(key, value);
    } else {
      params.delete(key);
    }
    history.replaceState(null, "", "?" + params.toString());
  }

  var fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: EXAMPLE,
      query: params.get("q") || undefined,
      variables: params.get("variables") || undefined,
      defaultEditorToolsVisibility: Boolean(params.get("variables")),
      onEditQuery: function (value) { remember("q", value); },
      onEditVariables: function (value) { remember("variables", value); },
    })
  );
})();
