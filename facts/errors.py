"""The one error type for bad input (profiles, rule files, answers): the CLI prints it and exits 2."""
from __future__ import annotations


from pathlib import Path


def read_text(path: Path, name: str | None = None) -> str:
    """A text file that must be UTF-8; anything else is an input error naming it."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise InputError(name or str(path), None, f"not UTF-8 text (byte {err.start})") from None
    except OSError as err:
        raise InputError(name or str(path), None, f"cannot read: {err.strerror or err}") from None


class InputError(ValueError):
    def __init__(self, file: str, line: int | None, message: str):
        self.file, self.line, self.message = file, line, message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")

    def __reduce__(self):
        # Rebuilt from its parts, so an error record can cross to a worker process and back.
        return type(self), (self.file, self.line, self.message)
