"""Pickups."""
