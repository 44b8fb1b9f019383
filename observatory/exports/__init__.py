"""Research exports and frozen editions: what leaves the observatory as files."""
