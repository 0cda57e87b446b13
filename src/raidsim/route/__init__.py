"""Routes and stages: readers, resampling, curvature, seeded synthetic terrain."""
