"""Shared web interface (interface layer): layout, components, sign-in. Portal and workspace
use it; domain apps never import it."""
