"""Evidence records (存证记录): dataset hashes recorded in the transparency log."""
