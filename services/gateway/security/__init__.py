"""Who may call the gateway: partners' API keys, external JWTs, scopes and rate limits."""
