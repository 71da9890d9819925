"""Error types of the mlpy test app."""
