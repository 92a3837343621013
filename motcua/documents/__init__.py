"""Stored files (documents): the bytes of dossier components and results, checked and kept."""
