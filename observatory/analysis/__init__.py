"""The automatic analysis a team receives: indicators, their changes, and the plain-French text."""
