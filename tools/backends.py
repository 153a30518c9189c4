"""The one backend registry: segmenters and grounders by name, built once per process and per options.

    segmenter("mobile_sam")                          # the embedded MobileSAM, shared
    segmenter("sam", path="/models/sam-vit-b")       # a user's model folder
    grounder("detector")                             # the embedded COCO-80 detector (NanoDet)
    grounder("proposals", segmenter=seg)             # region proposals over that segmenter, seeded by the shared
                                                     # detector's boxes, with the shared OCR reader
    grounders(DEFAULT_GROUNDERS, segmenter=seg)      # the embedded set; a default that cannot load is skipped

Everything that turns names into backends (the agent runtime, `AgentSystem`, `agent.chat`, the LangChain tools)
calls these, so each name means one thing and loads once.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Iterable

DEFAULT_SEGMENTER = "mobile_sam"
# The embedded grounders, in the order the agent consults them (detector first: category semantics).
DEFAULT_GROUNDERS: tuple[str, ...] = ("detector", "ocr", "proposals", "haar", "people")

_BUILT: dict[tuple, Any] = {}
_LOCK = threading.RLock()
_log = logging.getLogger(__name__)


def _key(kind: str, name: str, options: dict[str, Any]) -> tuple:
    return (kind, name, tuple(sorted((k, v if isinstance(v, (str, int, float, bool, type(None))) else id(v))
                                     for k, v in options.items())))


def segmenter(name: str = DEFAULT_SEGMENTER, **options: Any) -> Any:
    """A segmenter by name (tools.segmenters.build_segmenter), cached per name and options."""
    from tools.segmenters import build_segmenter

    options = {k: v for k, v in options.items() if v is not None}
    key = _key("segmenter", name, options)
    with _LOCK:
        if key not in _BUILT:
            _BUILT[key] = build_segmenter(name, **options)
        return _BUILT[key]


def grounder(name: str, segmenter: Any = None, **options: Any) -> Any:
    """A grounder by name (tools.grounders.build_grounder), cached per name and options. "proposals" is built
    over `segmenter` (the embedded one when None) and the shared OCR reader."""
    from tools.grounders import build_grounder

    name = name.strip().lower().replace("-", "_")
    options = {k: v for k, v in options.items() if v is not None}
    if name == "proposals":
        options["segmenter"] = segmenter if segmenter is not None else globals()["segmenter"]()
        options.setdefault("ocr", getattr(grounder("ocr"), "reader", None))
        options.setdefault("detector", _embedded_detector())
    key = _key("grounder", name, options)
    with _LOCK:
        if key not in _BUILT:
            _BUILT[key] = build_grounder(name, **options)
        return _BUILT[key]


def _embedded_detector() -> Any:
    """The shared embedded detector that seeds region proposals, or None when its weights are not fetched."""
    from tools.weights import MissingWeightsError

    try:
        return grounder("detector")
    except MissingWeightsError:
        return None


def grounders(names: Iterable[str | Any], segmenter: Any = None, path: str | None = None) -> list[Any]:
    """Grounder objects for names (objects pass through). A name that is one of DEFAULT_GROUNDERS and cannot be
    built (weights not fetched) is skipped with a one-line warning; any other failure raises."""
    from tools.grounders import GrounderError
    from tools.weights import MissingWeightsError

    out = []
    for g in names or ():
        if not isinstance(g, str):
            out.append(g)
            continue
        needs_path = g.replace("-", "_") in ("grounding_dino", "groundingdino", "owlv2", "owl")
        try:
            out.append(grounder(g, segmenter, **({"path": path} if needs_path else {})))
        except (GrounderError, MissingWeightsError) as exc:
            if g not in DEFAULT_GROUNDERS:
                raise
            _log.warning("grounder %s unavailable: %s", g, str(exc).strip().splitlines()[0])
    return out


def clear() -> None:
    """Forget every built backend (tests)."""
    with _LOCK:
        _BUILT.clear()
