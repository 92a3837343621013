"""Documents: the personal data store, digital signatures, certified copies, verification."""
