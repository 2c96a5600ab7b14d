"""Publication: what the public sees of the registry (publicity, announcements, objections)."""
