"""Browser pages for Inspraak: Django templates plus plain ES modules that speak the protocol."""
