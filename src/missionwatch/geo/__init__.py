"""Offline geography shared by the brief's maps and the dashboard: country outlines."""
