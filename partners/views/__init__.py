"""Browser pages of the partners app, one module per audience."""
