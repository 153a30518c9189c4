"""Export a SAM-family image encoder and prompt decoder to ONNX once, into the weight store, atomically.

    folder = ensure_onnx(encoder, decoder, source_sha256, log=_log.info)

The folder is `cache_dir()/<prefix>-<sha256[:12]>-onnx-<exporter tag>` (e.g.
`mobile_sam-6dbb90523a35-onnx-torch2.13.0-ts-op17-v2`): the source checkpoint's digest and the torch version and
exporter are in its name, so a new checkpoint or a new torch exports anew. It holds `encoder.onnx` (input `image`
float (1, 3, S, S) -> `image_embeddings` (1, C, h, w)), `decoder.onnx` (tools.segmenters.onnx_decoder's signature)
and `manifest.json` (size and sha256 of each file). The folder appears whole (tools.atomic_folder) and each file
is checked against the manifest when it is loaded, so a partial or corrupted export is found and redone.
Concurrent processes take a file lock, so one exports and the others wait and reuse it.

Exporter: the TorchScript exporter (`dynamo=False`): it takes these models as they are (dynamic prompt counts
included, also N = 1 and P = 0), exports both in about 10 s where torch.export took minutes here, and needs
only `onnx`.
"""
from __future__ import annotations

import contextlib
import json
import warnings
from pathlib import Path
from typing import Callable, Iterator

import torch
from torch import nn

from tools.atomic_folder import atomic_folder
from tools.segmenters.onnx_decoder import INPUT_NAMES, OUTPUT_NAMES, SamOnnxDecoder, example_inputs
from tools.segmenters.sam_decoder import SamPromptDecoder
from tools.weights.digests import sha256_file

OPSET = 17
FORMAT = 2  # bump when the exported graphs change (2: the decoder in tools.segmenters.sam_decoder_fast's order)
FILES = ("encoder.onnx", "decoder.onnx")
MANIFEST = "manifest.json"


def exporter_tag() -> str:
    """'torch<version>-ts-op<opset>-v<format>': what made the files (a local build suffix such as '+cpu' dropped)."""
    return f"torch{torch.__version__.split('+')[0]}-ts-op{OPSET}-v{FORMAT}"


def onnx_folder(source_sha256: str, prefix: str = "mobile_sam", root: Path | None = None) -> Path:
    """Where the export of the checkpoint with this sha256 lives (default root: tools.weights.cache_dir())."""
    if root is None:
        from tools.weights import cache_dir

        root = cache_dir()
    return Path(root) / f"{prefix}-{source_sha256[:12]}-onnx-{exporter_tag()}"


def check_folder(folder: Path) -> str | None:
    """None when the folder holds a complete export matching its manifest, else why not (one line)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        return "not exported yet"
    except (OSError, ValueError) as exc:
        return f"unreadable manifest ({exc})"
    for name in FILES:
        entry, path = manifest.get("files", {}).get(name), folder / name
        if entry is None or not path.is_file():
            return f"{name} missing"
        if path.stat().st_size != entry["size"] or sha256_file(path) != entry["sha256"]:
            return f"{name} does not match its manifest (partial or corrupted)"
    return None


def export_encoder(encoder: nn.Module, path: Path, image_size: int = 1024) -> None:
    """image float (1, 3, S, S) -> image_embeddings; the batch axis is fixed at 1."""
    x = torch.zeros(1, 3, image_size, image_size)
    _export(encoder.eval(), (x,), path, ["image"], ["image_embeddings"], None)


def export_decoder(decoder: SamPromptDecoder, path: Path) -> None:
    """tools.segmenters.onnx_decoder's signature; prompt count, points per prompt and mask count are dynamic."""
    axes = {"coords": {0: "n", 1: "p"}, "labels": {0: "n", 1: "p"}, "mask_input": {0: "m"},
            "low_res_logits": {0: "n"}, "iou": {0: "n"}}
    _export(SamOnnxDecoder(decoder), example_inputs(decoder), path, list(INPUT_NAMES), list(OUTPUT_NAMES), axes)


def _export(model: nn.Module, args: tuple, path: Path, inputs: list[str], outputs: list[str], axes) -> None:
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and tracer notes
        torch.onnx.export(model, args, str(path), dynamo=False, opset_version=OPSET, input_names=inputs,
                          output_names=outputs, dynamic_axes=axes, do_constant_folding=True)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock beside `folder` (no-op where fcntl is missing)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows: no lock; atomic_folder still keeps the folder whole
        yield
        return
    with open(folder.with_name(f".{folder.name}.lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_onnx(encoder: nn.Module, decoder: SamPromptDecoder, source_sha256: str, prefix: str = "mobile_sam",
                root: Path | None = None, log: Callable[[str], None] = print) -> Path:
    """The checked export folder of this checkpoint; exports it first when absent, partial or corrupted."""
    folder = onnx_folder(source_sha256, prefix, root)
    if check_folder(folder) is None:
        return folder
    with _locked(folder):
        why = check_folder(folder)  # another process may have exported it while we waited
        if why is None:
            return folder
        log(f"exporting {prefix} to ONNX ({why}) into {folder} ...")
        with atomic_folder(folder) as tmp:
            export_encoder(encoder, tmp / FILES[0], decoder.input_image_size)
            export_decoder(decoder, tmp / FILES[1])
            files = {name: {"size": (tmp / name).stat().st_size, "sha256": sha256_file(tmp / name)} for name in FILES}
            meta = {"source_sha256": source_sha256, "exporter": exporter_tag(), "files": files}
            (tmp / MANIFEST).write_text(json.dumps(meta, indent=1))
        if (why := check_folder(folder)) is not None:
            raise RuntimeError(f"ONNX export into {folder} failed its own check: {why}")
    return folder
