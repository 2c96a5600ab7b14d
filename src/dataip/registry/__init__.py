"""The registry: applications, materials, samples, the review workflow, numbers."""
