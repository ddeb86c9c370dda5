"""Query results as pandas frames."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import CursorResult


def result_frame(result: CursorResult) -> pd.DataFrame:
    """Rows as plain tuples: pandas probes each SQLAlchemy Row for array attributes, which costs ~3x the query."""
    return pd.DataFrame([tuple(row) for row in result.fetchall()], columns=list(result.keys()))
