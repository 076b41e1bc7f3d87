"""Profile paths: ``business.<field>``, ``states.<CODE>.<field>``, ``tools.<name>.<field>``.

One addressing scheme for scenario overrides, questionnaire answers and open questions."""
from __future__ import annotations

from reggi.facts.vocabulary import StateCode


def split(path: str) -> tuple[str, str | None, str]:
    """(section, item key or None, field). Tool names may contain dots: the field is the last part."""
    section, _, rest = path.partition(".")
    if section in ("states", "tools"):
        item, _, name = rest.rpartition(".")
        if not item or not name:
            raise KeyError(f"{path!r}: use {section}.<{'code' if section == 'states' else 'name'}>.<field>")
        return section, item, name
    if section == "business" and rest:
        return section, None, rest
    raise KeyError(f"{path!r}: a path starts with business., states.<code>. or tools.<name>.")


def field_of(path: str) -> tuple[str, str]:
    """The vocabulary field a path names, and where (a state's or a tool's name) for display."""
    section, item, name = split(path)
    if section == "states":
        return f"state.{name}", StateCode(item).label if item in StateCode.values() else item
    if section == "tools":
        return f"tool.{name}", item
    return f"business.{name}", ""


def _target(data: dict, section: str, item: str | None, create: bool) -> dict:
    if section == "business":
        return data.setdefault("business", {}) if create else data.get("business", {})
    key = "code" if section == "states" else "name"
    for entry in data.get(section, []):
        if entry.get(key) == item:
            return entry
    raise KeyError(f"no {section[:-1]} {item!r} in the profile")


def set_path(data: dict, path: str, value) -> None:
    section, item, name = split(path)
    _target(data, section, item, create=True)[name] = value


def unset_path(data: dict, path: str) -> None:
    section, item, name = split(path)
    _target(data, section, item, create=True).pop(name, None)


def has_path(data: dict, path: str) -> bool:
    """Whether the profile says anything for the path, null (don't know) included."""
    section, item, name = split(path)
    try:
        return name in _target(data, section, item, create=False)
    except KeyError:
        return False
