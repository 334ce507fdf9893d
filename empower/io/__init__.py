"""Bulk import and export of field data (CSV, Excel, KoboToolbox)."""
