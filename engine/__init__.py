"""reggi's engine: rule files → validated rule base → forward chaining → findings."""

__version__ = "0.1.0"
