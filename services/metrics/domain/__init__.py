"""The metrics service's pure domain: periods, formulas, the catalogue and reported values."""
