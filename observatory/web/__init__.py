"""HTTP concerns shared by every blueprint: the request's runtime, headers, sessions, logs."""
