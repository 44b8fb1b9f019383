"""Tests of observatory.places."""
