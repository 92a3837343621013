"""The staff workspace (interface layer): work queues, the online inbox, the dossier page."""
