"""The province's indicator catalogue as shipped with the service."""
