"""floorwatch."""
