"""reggi's engine: rule files → validated rule base → forward chaining → findings."""

from reggi import __version__  # one version, kept in the package's __init__

__all__ = ["__version__"]
