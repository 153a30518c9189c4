"""Which runtime runs MobileSAM: ONNX Runtime on CPU by default, torch on a GPU or when asked.

The option is called `segmenter_runtime` wherever a system or command line takes it (RUNTIME_OPTION: AgentSystem,
`python -m evals.run --opt segmenter_runtime=torch`, `python -m tools.segment --segmenter-runtime torch`,
`python -m agent.chat --segmenter-runtime torch`) and `runtime` on the segmenter itself
(`build_segmenter("mobile_sam", runtime="torch")`). Values: RUNTIMES.
"""
from __future__ import annotations

import logging
from pathlib import Path

RUNTIME_OPTION = "segmenter_runtime"
RUNTIMES = ("auto", "onnx", "torch")  # auto: onnx on CPU, torch on a CUDA device

_log = logging.getLogger("tools.segmenters")


def resolve_runtime(runtime: str | None, device: str) -> str:
    """'onnx' or 'torch' for the asked runtime (None = 'auto') on `device`; ValueError for unknown names."""
    runtime = (runtime or "auto").strip().lower()
    if runtime not in RUNTIMES:
        raise ValueError(f"unknown segmenter runtime {runtime!r}; known: {', '.join(RUNTIMES)}")
    if runtime == "auto":
        return "torch" if str(device).startswith("cuda") else "onnx"
    if runtime == "onnx" and not str(device).startswith("cpu"):
        raise ValueError(f"segmenter runtime 'onnx' runs on the CPU only, not on device {device!r}")
    return runtime


def segmenter_options(segmenter: str, runtime: str | None) -> dict:
    """Keyword arguments for build_segmenter(segmenter, ...) that ask for `runtime` (None: the default). The other
    segmenters run on torch only: "auto"/"torch" add nothing for them, "onnx" raises UnknownSegmenterError."""
    if runtime is None:
        return {}
    if runtime.strip().lower() not in RUNTIMES:
        raise ValueError(f"unknown {RUNTIME_OPTION} {runtime!r}; known: {', '.join(RUNTIMES)}")
    if segmenter == "mobile_sam":
        return {"runtime": runtime}
    if runtime.strip().lower() == "onnx":
        from tools.segmenters import UnknownSegmenterError

        raise UnknownSegmenterError(f"{RUNTIME_OPTION}=onnx exists for mobile_sam only, not {segmenter!r}")
    return {}


def checkpoint_sha256(path: str | Path) -> str:
    """The checkpoint's sha256: the registry's digest for the (verified) embedded file, else hashed."""
    from tools.weights import WEIGHTS, cache_dir
    from tools.weights.store import sha256_file

    spec = WEIGHTS["mobile_sam"]
    path = Path(path).resolve()
    if path == (cache_dir() / spec.filename).resolve():
        return spec.sha256
    return sha256_file(path)


def load_onnx(encoder, decoder, checkpoint: str | Path, num_threads: int | None, required: bool):
    """An OrtSam over the (exported once) ONNX files of this checkpoint, or None after one warning line when
    onnxruntime, onnx or the export fails and `required` is False (the caller keeps torch)."""
    try:
        from tools.segmenters.onnx_export import ensure_onnx
        from tools.segmenters.ort_sam import OrtSam

        folder = ensure_onnx(encoder, decoder, checkpoint_sha256(checkpoint), log=_log.warning)
        return OrtSam(folder, num_threads=num_threads)
    except Exception as exc:  # ImportError, export or session errors: torch still works
        reason = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
        if required:
            raise RuntimeError(f"MobileSAM on ONNX Runtime failed ({reason})") from exc
        _log.warning("MobileSAM: ONNX Runtime unavailable (%s); running on torch", reason)
        return None
