"""Developer and CI tools that are not part of the platform (not in the wheel or the image)."""
