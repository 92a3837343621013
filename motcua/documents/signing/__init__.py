"""PAdES signatures: pluggable signers, signing with a visible stamp, validation."""
