"""HTTP plumbing shared by the four services: app factory, error mapping, health routes."""
