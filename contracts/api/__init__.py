"""The internal HTTP APIs of the services: request bodies and answers, declared once for both sides."""
