"""Pictures in the demo: survey photos (a car in a street with its damage ringed, the plate
and a camera time stamp, each photo framed differently) and scanned-looking documents, drawn
with Pillow from the demo's random generator."""

from __future__ import annotations

import random
from datetime import datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont, ImageOps

from lossdesk.claims.models import Case
from lossdesk.claims.photos import nearest_in_other_cases, prepare_photo

if TYPE_CHECKING:
    from lossdesk.demo.plans import CasePlan

FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)
SKY = ((176, 196, 222), (200, 210, 220), (150, 170, 190), (215, 222, 228))
ROAD = ((90, 90, 95), (110, 108, 104), (70, 72, 78))
TRUNK = (95, 72, 50)
PAINT = (
    (190, 30, 45),
    (240, 240, 240),
    (30, 30, 35),
    (40, 80, 160),
    (150, 150, 155),
    (200, 170, 60),
)


@cache
def _font(size: int):
    """A CJK font when the machine has one (Debian: fonts-noto-cjk); Pillow's own otherwise
    (Chinese characters then show as boxes, which is fine for demo pictures)."""
    for path in FONT_FILES:
        if not Path(path).exists():
            continue
        for index in range(5):
            try:
                font = ImageFont.truetype(path, size, index=index)
            except OSError:
                break
            if "SC" in " ".join(font.getname()) or path.endswith(("hei.ttc", "PingFang.ttc")):
                return font
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def distinct_photo(case: Case, rng: random.Random, **drawing) -> SimpleUploadedFile:
    """demo_photo, drawn again while another case holds a near-duplicate of it (the
    perceptual hash and search of an upload, claims.photos). The drawings are random, and
    now and then two cases' photos came out alike and the demo showed a false finding. A
    redraw uses the case's own generator, so the shared one's sequence stays as it was."""
    upload = demo_photo(rng, **drawing)
    redraw = random.Random(f"{case.case_no}-{drawing['index']}")
    for _attempt in range(10):
        phash = prepare_photo(upload.read(), lambda exif: []).phash
        upload.seek(0)
        if nearest_in_other_cases(phash, case.pk) is None:
            break
        upload = demo_photo(redraw, **drawing)
    return upload


def demo_photo(
    rng: random.Random,
    *,
    plate: str,
    zone: str,
    new_energy: bool,
    when: datetime,
    caption: str,
    index: int,
    total: int,
) -> SimpleUploadedFile:
    """A small JPEG that looks like a survey photo: a car outline with the damage ringed,
    the plate and a camera time stamp. The scene (street, car size and place) and the
    framing (zoom, aim, side) are each photo's own, as a hand-held camera's would be, so
    the near-duplicate search does not take every demo case's photos for one another."""
    width, height = 480, 360
    scene_w, scene_h = 800, 600
    horizon = rng.randint(280, 380)
    image = Image.new("RGB", (scene_w, scene_h), rng.choice(SKY))
    draw = ImageDraw.Draw(image)
    x = rng.randint(-60, 0)
    while x < scene_w:  # buildings and trees along the street
        w, h = rng.randint(40, 150), rng.randint(40, 240)
        if rng.random() < 0.3:
            green = (rng.randint(40, 80), rng.randint(95, 145), rng.randint(40, 80))
            draw.rectangle((x + w // 2 - 5, horizon - h // 2, x + w // 2 + 5, horizon), fill=TRUNK)
            draw.ellipse((x, horizon - h, x + w, horizon - h + w), fill=green)
        else:
            grey = rng.randint(95, 205)
            draw.rectangle((x, horizon - h, x + w, horizon), fill=(grey, grey, grey + 12))
        x += w + rng.randint(0, 70)
    draw.rectangle((0, horizon, scene_w, scene_h), fill=rng.choice(ROAD))
    lane = rng.randint(horizon + 150, scene_h - 20)
    for x in range(rng.randint(0, 60), scene_w, 110):
        draw.rectangle((x, lane, x + 55, lane + 7), fill=(235, 235, 235))

    scale = rng.uniform(0.8, 1.35)
    left = rng.randint(20, max(21, int(scene_w - 340 * scale) - 20))
    top = horizon + rng.randint(10, 90) - int(80 * scale)

    def at(dx: float, dy: float) -> tuple[int, int]:
        """A point of the car (body 340 × 80 from its top-left corner) in the scene."""
        return (int(left + dx * scale), int(top + dy * scale))

    colour = PAINT[sum(map(ord, plate)) % len(PAINT)]  # the same car in every photo
    outline = (25, 25, 25)
    draw.polygon([at(75, 0), at(120, -58), at(215, -58), at(280, 0)], fill=colour, outline=outline)
    draw.polygon([at(92, -4), at(126, -48), at(210, -48), at(262, -4)], fill=(175, 205, 225))
    draw.line((at(160, -50), at(160, -2)), fill=colour, width=max(3, int(6 * scale)))
    body = (*at(0, 0), *at(340, 80))
    draw.rounded_rectangle(body, radius=int(22 * scale), fill=colour, outline=outline, width=3)
    for cx in (72, 268):
        draw.ellipse((*at(cx - 33, 48), *at(cx + 33, 114)), fill=(35, 35, 35))
        draw.ellipse((*at(cx - 14, 67), *at(cx + 14, 95)), fill=(170, 170, 170))
    if zone == "flood":
        water = Image.new("RGB", (scene_w, scene_h - horizon), (60, 90, 120))
        flooded = image.crop((0, horizon, scene_w, scene_h))
        image.paste(Image.blend(flooded, water, 0.55), (0, horizon))
        draw = ImageDraw.Draw(image)
        aim = at(170, 40)
    else:
        dx = {"front": 305, "rear": 35}.get(zone, 170 + rng.randint(-60, 60))
        aim = at(dx, rng.randint(15, 45))
        ring = (aim[0] - 40 * scale, aim[1] - 30 * scale, aim[0] + 40 * scale, aim[1] + 30 * scale)
        draw.ellipse(ring, outline=(225, 20, 20), width=4)
        for _ in range(4):
            draw.line(
                (
                    (aim[0] + rng.randint(-25, 25), aim[1] + rng.randint(-18, 18)),
                    (aim[0] + rng.randint(-25, 25), aim[1] + rng.randint(-18, 18)),
                ),
                fill=(60, 60, 60),
                width=2,
            )
    # The framing: the first photo shows the whole scene, the others move in on the damage.
    frame_w = rng.randint(560, 760) if index == 1 else rng.randint(320, 600)
    frame_h = frame_w * height // width
    cx = (scene_w // 2 + rng.randint(-80, 80)) if index == 1 else aim[0] + rng.randint(-90, 90)
    cy = (scene_h // 2 + rng.randint(-40, 40)) if index == 1 else aim[1] + rng.randint(-60, 60)
    x0 = min(max(cx - frame_w // 2, 0), scene_w - frame_w)
    y0 = min(max(cy - frame_h // 2, 0), scene_h - frame_h)
    image = image.crop((x0, y0, x0 + frame_w, y0 + frame_h)).resize((width, height))
    if rng.random() < 0.5:
        image = ImageOps.mirror(image)  # photographed from the other side
    draw = ImageDraw.Draw(image)
    plate_bg, plate_fg = (
        ((90, 190, 110), (0, 0, 0)) if new_energy else ((20, 70, 170), (255, 255, 255))
    )
    draw.rounded_rectangle(
        (12, 12, 200, 50), radius=5, fill=plate_bg, outline=(240, 240, 240), width=2
    )
    draw.text((22, 15), plate, font=_font(24), fill=plate_fg)
    stamp = f"{when:%Y-%m-%d %H:%M:%S}"
    draw.text((width - 210, height - 30), stamp, font=_font(17), fill=(255, 210, 0))
    draw.text((12, height - 30), f"{caption} {index}/{total}", font=_font(17), fill=(255, 255, 255))
    buffer = BytesIO()
    image.save(buffer, format="JPEG", quality=72)
    return SimpleUploadedFile(
        f"IMG_{when:%Y%m%d_%H%M%S}_{index}.jpg", buffer.getvalue(), content_type="image/jpeg"
    )


def demo_document(rng: random.Random, title: str, plan: CasePlan) -> SimpleUploadedFile:
    """A scanned-looking page for a supplied document (资料补充)."""
    image = Image.new("RGB", (420, 560), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((15, 15, 405, 545), outline=(120, 120, 120), width=2)
    draw.text((40, 40), title, font=_font(26), fill=(20, 20, 20))
    rows = (
        f"车牌号：{plan.vehicles[0].plate}",
        f"车辆识别代号：{plan.vehicles[0].vin}",
        f"出险地点：{plan.place[:14]}",
        f"委托方：{plan.insurer.short_name}",
    )
    for i, row in enumerate(rows):
        draw.text((40, 110 + 40 * i), row, font=_font(16), fill=(40, 40, 40))
    for y in range(300, 500, 24):
        draw.line((40, y, 40 + rng.randint(200, 340), y), fill=(170, 170, 170), width=2)
    draw.ellipse((280, 440, 380, 540), outline=(200, 30, 30), width=3)
    buffer = BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return SimpleUploadedFile(f"{title}扫描件.jpg", buffer.getvalue(), content_type="image/jpeg")
