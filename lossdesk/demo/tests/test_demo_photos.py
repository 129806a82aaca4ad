"""The demo's survey photos: drawn again while another case holds one like them, so the
demo shows no false near-duplicate finding whatever the day it is seeded on."""

import random

import pytest
from django.utils import timezone

from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import AttachmentKind, DocumentType
from lossdesk.claims.photos import nearest_in_other_cases, prepare_photo
from lossdesk.demo.photos import demo_photo, distinct_photo

pytestmark = pytest.mark.django_db


def near_another_case(upload, case):
    phash = prepare_photo(upload.read(), lambda exif: []).phash
    upload.seek(0)
    return nearest_in_other_cases(phash, case.pk)


def test_a_photo_like_another_cases_is_drawn_again(firm, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    drawing = {
        "plate": "浙A12345",
        "zone": "front",
        "new_energy": False,
        "when": timezone.localtime(),
        "caption": "损失照片",
        "index": 2,
        "total": 3,
    }
    first = firm.surveying_case()
    claims_services.do_add_attachment(
        first,
        demo_photo(random.Random(7), **drawing),
        kind=AttachmentKind.PHOTO,
        doc_type=DocumentType.DAMAGE_PHOTO,
        loss_item=None,
        actor=firm.zhangsan,
    )
    second = firm.surveying_case()

    # The same draw for the second case is the same picture: the first case's photo.
    assert near_another_case(demo_photo(random.Random(7), **drawing), second) is not None
    assert near_another_case(distinct_photo(second, random.Random(7), **drawing), second) is None
