"""The update/condition builder of storage: what DynamoDB receives (expected strings written out by hand)."""

import pytest

from invoicing.storage.expressions import Update


def test_clauses_and_placeholders_come_out_in_dynamodb_syntax():
    update = (Update().set("status", "paid").set_path(("settings", "locale"), "de").add("n", 2)
              .remove("render_error").when_equal("version", 3).when_missing("canceled_by"))
    assert update.kwargs() == {
        "UpdateExpression": "SET #n0 = :v0, #n1.#n2 = :v1 ADD #n3 :v2 REMOVE #n4",
        "ConditionExpression": "(#n5 = :v3) AND (attribute_not_exists(#n6))",
        "ExpressionAttributeNames": {"#n0": "status", "#n1": "settings", "#n2": "locale", "#n3": "n",
                                     "#n4": "render_error", "#n5": "version", "#n6": "canceled_by"},
        "ExpressionAttributeValues": {":v0": "paid", ":v1": "de", ":v2": 2, ":v3": 3},
    }


def test_a_name_used_twice_shares_its_placeholder_and_zero_amounts_are_not_added():
    update = Update().append("invoice_numbers", ["A-1"]).add_all({"l:en": 1, "c": 0, "n": 1})
    assert update.update_expression == "SET #n0 = list_append(if_not_exists(#n0, :v0), :v1) ADD #n1 :v2, #n2 :v3"
    assert update.names == {"#n0": "invoice_numbers", "#n1": "l:en", "#n2": "n"}
    assert "ConditionExpression" not in update.kwargs()


def test_a_written_out_condition_keeps_its_placeholders_and_may_not_take_generated_ones():
    update = Update().set("a", 1).when("content_version = :cv", cv=2)
    assert update.kwargs()["ConditionExpression"] == "content_version = :cv"
    assert update.values == {":v0": 1, ":cv": 2}
    with pytest.raises(ValueError, match="placeholder :v1 is taken"):
        Update().when("x = :v1", v1=1)


def test_the_builder_drives_real_updates(aws):
    from invoicing.errors import Conflict
    from invoicing.storage import dynamo

    key = {"PK": "P", "SK": "S"}
    dynamo.put({**key, "version": 1, "render_error": "x", "settings": {"a": "1"}})
    written = dynamo.apply_if(key, Update().set("version", 2).add("n", 5).remove("render_error")
                              .remove_path(("settings", "a")).when_equal("version", 1))
    assert written == {**key, "version": 2, "n": 5, "settings": {}}
    assert dynamo.apply_if(key, Update().set("version", 3).when_equal("version", 1)) is None
    with pytest.raises(Conflict):
        dynamo.apply(key, Update().set("n", 0).when_missing("version"))
