"""Identity providers shipped with motcua."""
