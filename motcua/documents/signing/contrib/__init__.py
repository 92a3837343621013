"""Bundled signer backends."""
