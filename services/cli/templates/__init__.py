"""The templates ``tinhso new service`` writes (``string.Template`` text; ``$$`` is a literal ``$``)."""
