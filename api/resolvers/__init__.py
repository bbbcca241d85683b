"""Resolvers: thin glue from GraphQL arguments to `catalog.queries` and back to types."""
