"""Dash pages mounted on the Flask server: barometer (and later team, coordinator, research)."""
