"""The GraphQL API at /graphql: one schema assembled from the features' GraphQL
modules (`schema.py`), served over HTTP with the limits a public endpoint needs."""
