"""Balances."""
