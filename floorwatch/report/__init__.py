"""The shift report: one self-contained HTML page per floor, site or team (docs/manager-guide.md)."""
