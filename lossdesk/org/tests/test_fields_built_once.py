"""FieldsBuiltOnce: fields built once per class, each serializer bound to copies of its own
(decision 0031)."""

from lossdesk.claims.api.serializers import AttachmentSerializer
from lossdesk.org.api.base import FieldsBuiltOnce


def test_each_serializer_binds_its_own_copies_and_reads_its_own_context():
    first = AttachmentSerializer(context={"request": "first"})
    second = AttachmentSerializer(context={"request": "second"})
    for name in ("download_url", "kind", "uploaded_by", "checks"):
        mine, theirs = first.fields[name], second.fields[name]
        assert mine is not theirs
        assert mine.parent is first and theirs.parent is second
        assert (mine.context["request"], theirs.context["request"]) == ("first", "second")
    # A field holding fields was copied whole: its children belong to the copy.
    assert first.fields["uploaded_by"].fields["full_name"].parent is first.fields["uploaded_by"]
    assert first.fields["checks"].child is not second.fields["checks"].child
    assert first.fields["checks"].child.context["request"] == "first"
    # The built fields themselves are never bound, so no copy inherits another's binding.
    built = FieldsBuiltOnce._built[AttachmentSerializer]
    assert all(getattr(field, "parent", None) is None for field in built.values())
    assert first.fields["download_url"].method_name == "get_download_url"
