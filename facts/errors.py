"""The one error type for bad input (profiles, rule files, answers): the CLI prints it and exits 2."""
from __future__ import annotations


class InputError(ValueError):
    def __init__(self, file: str, line: int | None, message: str):
        self.file, self.line, self.message = file, line, message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")

    def __reduce__(self):
        # Rebuilt from its parts, so an error record can cross to a worker process and back.
        return type(self), (self.file, self.line, self.message)
