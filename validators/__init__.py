"""The checks: named rules over the model, each with its finding code."""
