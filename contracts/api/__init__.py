"""The services' HTTP request bodies and answers, declared once for the service and its clients."""
