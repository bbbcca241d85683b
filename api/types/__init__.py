"""GraphQL types, one module per type family."""
