"""The `catalog` command line."""
