import io

import numpy as np
import pytest
from PIL import Image

from tools.images import ImageError, downscale_for_model, load_image


def _save(img: Image.Image, path, **kw):
    img.save(path, **kw)
    return path


def test_rgb_jpeg_png_webp_load_same_size(tmp_path):
    arr = (np.random.default_rng(0).random((40, 60, 3)) * 255).astype(np.uint8)
    for ext in ("png", "jpg", "webp"):
        path = _save(Image.fromarray(arr), tmp_path / f"a.{ext}")
        img = load_image(path)
        assert img.pixels.shape == (40, 60, 3) and img.pixels.dtype == np.uint8
        assert img.size == (60, 40)
    assert np.array_equal(load_image(tmp_path / "a.png").pixels, arr)


def test_grayscale_becomes_rgb(tmp_path):
    gray = np.tile(np.arange(50, dtype=np.uint8)[None], (30, 1))
    img = load_image(_save(Image.fromarray(gray, "L"), tmp_path / "g.png"))
    assert img.pixels.shape == (30, 50, 3)
    assert np.array_equal(img.pixels[:, :, 0], gray) and np.array_equal(img.pixels[:, :, 2], gray)


def test_rgba_composited_on_white(tmp_path):
    rgba = np.zeros((20, 20, 4), np.uint8)
    rgba[:, :10] = (255, 0, 0, 255)  # opaque red left, transparent right
    img = load_image(_save(Image.fromarray(rgba, "RGBA"), tmp_path / "t.png"))
    assert tuple(img.pixels[5, 2]) == (255, 0, 0)
    assert tuple(img.pixels[5, 15]) == (255, 255, 255)
    assert "alpha->white" in img.notes


def test_16bit_png_scaled_to_8bit(tmp_path):
    arr16 = np.full((16, 16), 65535, np.uint16)
    arr16[:8] = 32768
    path = tmp_path / "d.png"
    Image.fromarray(arr16).save(path)
    img = load_image(path)
    assert img.pixels.dtype == np.uint8
    assert img.pixels[12, 0, 0] == 255 and 126 <= img.pixels[2, 0, 0] <= 129


def test_exif_orientation_applied(tmp_path):
    arr = np.zeros((20, 40, 3), np.uint8)  # 40 wide, 20 tall
    arr[:, :5] = 255
    pil = Image.fromarray(arr)
    exif = pil.getexif()
    exif[0x0112] = 6  # rotate 90 CW on display
    path = tmp_path / "r.jpg"
    pil.save(path, exif=exif.tobytes(), quality=95)
    img = load_image(path)
    assert img.size == (20, 40)  # displayed upright: now 20 wide, 40 tall
    assert "exif-rotated" in img.notes


def test_bytes_array_and_pil_inputs_agree(tmp_path):
    arr = (np.random.default_rng(1).random((24, 24, 3)) * 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    a = load_image(buf.getvalue())
    b = load_image(arr)
    c = load_image(Image.fromarray(arr))
    assert a.sha256 == b.sha256 == c.sha256


def test_large_image_downscaled_for_model_only():
    arr = np.zeros((3000, 4000, 3), np.uint8)
    img = load_image(arr)
    small, factor = downscale_for_model(img, 1024)
    assert max(small.shape[:2]) == 1024 and abs(factor - 1024 / 4000) < 1e-6
    assert img.pixels.shape == (3000, 4000, 3)


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"this is not an image at all", "not an image"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "unreadable"),
    ],
)
def test_bad_files_one_line_error(tmp_path, content, expected):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(ImageError) as err:
        load_image(path)
    assert expected in str(err.value) and "\n" not in str(err.value)


def test_truncated_jpeg(tmp_path):
    arr = (np.random.default_rng(2).random((200, 200, 3)) * 255).astype(np.uint8)
    path = tmp_path / "full.jpg"
    Image.fromarray(arr).save(path)
    data = path.read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 3])
    with pytest.raises(ImageError, match="unreadable or truncated"):
        load_image(tmp_path / "cut.jpg")


def test_missing_folder_and_tiny(tmp_path):
    with pytest.raises(ImageError, match="no such file"):
        load_image(tmp_path / "nope.jpg")
    with pytest.raises(ImageError, match="folder"):
        load_image(tmp_path)
    with pytest.raises(ImageError, match="at least"):
        load_image(np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(ImageError, match="cannot load"):
        load_image(12345)
