"""reggi: deterministic US privacy obligations for a business and its third-party tools.

The public API, for programs and notebooks::

    import reggi
    r = reggi.Reggi()                                  # the shipped rule base, durable-rules engine
    findings = r.evaluate("profile.json", as_of="2026-11-26")   # a path, a dict or a Profile
    print(findings.to_json())                          # the bytes `reggi evaluate --format json` prints

``reggi.load_profile(path_or_dict)`` validates a profile (``reggi.InputError`` names the field
and what is allowed). ``Reggi`` and ``Findings`` objects pickle, so evaluations can run in
multiprocessing, Dask or Spark workers. Everything else (``reggi.engine``, ``reggi.facts``) is
internal and may change between versions.

reggi gives information about statutes, not legal advice.
"""
from __future__ import annotations

__all__ = ["Reggi", "Findings", "load_profile", "InputError", "__version__"]
__version__ = "0.1.0"


def __getattr__(name: str):
    # Lazy, so that `import reggi` (and the CLI's start-up) loads nothing it does not use.
    if name == "Reggi":
        from reggi.engine.service import Reggi
        return Reggi
    if name == "Findings":
        from reggi.engine.evaluate import Findings
        return Findings
    if name == "load_profile":
        from reggi.facts.reader import load_profile
        return load_profile
    if name == "InputError":
        from reggi.facts.errors import InputError
        return InputError
    raise AttributeError(f"module 'reggi' has no attribute {name!r}")
