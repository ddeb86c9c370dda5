"""The policy: tactics as ordered rules of `FIELD OP VALUE` conditions, plus holds; loaded, validated, evaluated."""
