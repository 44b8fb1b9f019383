"""Tokens, roles and scopes: the only place that decodes a token."""
