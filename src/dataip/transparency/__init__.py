"""The transparency log: sequencing, checkpoints, tiles, proofs, time stamps, audit."""
