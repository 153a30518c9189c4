"""`AgentSystem`: the agent behind the `tools.system.System` interface that evals drive.

    system = AgentSystem(planner="rule")            # embedded MobileSAM + COCO detector + OCR + proposals + Haar
    AgentSystem(segmenter_runtime="torch")          # MobileSAM on torch (default: ONNX Runtime on CPU);
                                                    # evals: --opt segmenter_runtime=torch
    conv = system.start("photo.jpg")                # or start(None) for text-only dialogues
    result = conv.ask("segment the red mug")        # -> TurnResult

Heavy backends are built once per AgentSystem and shared by every conversation it starts; the
checkpoints go to an in-memory SQLite database unless db_path is given.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from agent.planners import build_planner
from agent.session import Session
from tools import backends
from tools.backends import DEFAULT_GROUNDERS
from tools.images import ImageInput
from tools.segmenters.runtime import segmenter_options


class AgentSystem:
    name = "agent"

    def __init__(self, planner: str | Any = "rule", segmenter: str | Any | None = "mobile_sam",
                 grounders=DEFAULT_GROUNDERS, db_path: str | Path | None = ":memory:",
                 out_dir: str | Path | None = None, progress: Callable[[str], None] | None = None,
                 segmenter_runtime: str | None = None, **planner_kw):
        self.planner = build_planner(planner, **planner_kw) if isinstance(planner, str) else planner
        self.name = f"agent[{getattr(self.planner, 'name', 'custom')}]"
        self._segmenter_spec, self._grounder_spec = segmenter, tuple(grounders or ())
        # tools.segmenters.runtime: checked now, applied when the backends load
        self._segmenter_options = segmenter_options(segmenter, segmenter_runtime) if isinstance(segmenter, str) else {}
        self._vision: tuple[Any, list[Any]] | None = None
        self.db_path, self.out_dir, self.progress = db_path, out_dir, progress

    def _backends(self) -> tuple[Any, list[Any]]:
        if self._vision is None:
            spec = self._segmenter_spec
            seg = backends.segmenter(spec, **self._segmenter_options) if isinstance(spec, str) else spec
            self._vision = (seg, backends.grounders(self._grounder_spec, seg))
        return self._vision

    def start(self, image: ImageInput | None) -> Session:
        seg, grounders = self._backends() if image is not None else (None, [])
        return Session(image, planner=self.planner, segmenter=seg, grounders=grounders, db_path=self.db_path,
                       out_dir=self.out_dir, progress=self.progress)
