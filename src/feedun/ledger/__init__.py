"""Ledger import: read a spreadsheet, find its header, normalise rows, report rejects."""
