"""The weekly digest e-mail a team receives: what is new in its space, never a figure it could
not see there (docs/decisions/0022)."""
