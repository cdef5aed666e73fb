"""The version the gateway reports, from the installed package metadata."""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("tinhso")
except PackageNotFoundError:  # running from a source tree that was never installed
    VERSION = "0+unknown"
