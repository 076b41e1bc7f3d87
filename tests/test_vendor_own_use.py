"""The vendor's own use, split in two (CCPA § 7050(a)(3) vs. third-party use), and the older
single fact mapped onto the two."""
import pytest
from pydantic import ValidationError

from reggi.facts.profile import Tool


def tool(**facts):
    return Tool.model_validate({"name": "Chat", "kind": "live_chat", **facts})


def test_legacy_false_means_neither():
    t = tool(vendor_uses_data_for_own_purposes=False)
    assert (t.vendor_improves_own_service, t.vendor_uses_data_for_others) == (False, False)


def test_legacy_true_is_read_as_use_for_others():
    t = tool(vendor_uses_data_for_own_purposes=True)
    assert t.vendor_uses_data_for_others is True and t.vendor_improves_own_service is None


@pytest.mark.parametrize("improves, others, union", [
    (True, False, True), (False, True, True), (False, False, False), (None, False, None), (True, None, True)])
def test_legacy_is_derived_from_the_two(improves, others, union):
    t = tool(vendor_improves_own_service=improves, vendor_uses_data_for_others=others)
    assert t.vendor_uses_data_for_own_purposes is union


def test_contradiction_names_what_to_use():
    with pytest.raises(ValidationError) as err:
        tool(vendor_uses_data_for_own_purposes=False, vendor_improves_own_service=True)
    assert "leave it out and give vendor_improves_own_service and vendor_uses_data_for_others" in str(err.value)


def test_consistent_combination_is_accepted():
    t = tool(vendor_uses_data_for_own_purposes=True, vendor_improves_own_service=True, vendor_uses_data_for_others=False)
    assert t.vendor_uses_data_for_others is False
