"""reggi's engine: rule files → validated rule base → forward chaining → findings."""
