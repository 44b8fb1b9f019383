"""Tests of observatory.territories."""
