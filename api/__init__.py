"""The GraphQL API: strawberry schema, DataLoaders and the ASGI app."""
