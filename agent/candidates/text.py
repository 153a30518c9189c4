"""Text cues: OCR lines that read the request's text ("the sign that says EXIT"), as the detection of the named
class holding the text ("the bus that says 22"), else the proposal holding it, else a box prompt on the
uniform-colour plate around it (or the text box itself)."""
from __future__ import annotations

from agent.candidates.category import WEAK_SCORE, detection_id, detector_category
from agent.candidates.record import Candidate, candidate
from tools.grounders.region_cues import containing_proposal, sign_box
from tools.masks import centre_inside
from tools.regions import Region
from tools.vocabulary import TEXT_NOUNS

MAX_TEXT_HITS = 3


def text_candidates(intent: dict, vision, runtime, turn: int) -> list[Candidate]:
    """Candidates for intent["text_cue"] (score 3 + OCR score), best OCR match first; [] without a cue."""
    cue = intent.get("text_cue")
    if not cue:
        return []
    w, h = vision.image.width, vision.image.height
    wants_holder = intent.get("category") not in (TEXT_NOUNS | {None})
    category = detector_category(intent, runtime) if wants_holder else None
    out: list[Candidate] = []
    for j, t in enumerate(runtime.read_text(vision, f'"{cue}"')[:MAX_TEXT_HITS]):
        read = f"OCR read '{t.text}' ({t.score:.2f})"
        detected = _detected_holder(t.box, category, vision, runtime) if category else None
        if detected is not None:  # "the bus that says 22": the bus whose box holds the text
            out.append(candidate(detected, 3.5 + t.score, [read, f"{detected.label} (detector {detected.score:.2f}) "
                                                                  "holds that text"], needs_mask=True,
                                 cid=detection_id(detected, vision, runtime), detector_score=round(float(detected.score), 4)))
            continue
        holder = containing_proposal(t.box, runtime.proposals(vision), w, h) if wants_holder else None
        if holder is not None:
            out.append(candidate(holder, 3.0 + t.score, [read, f"region {holder.id} contains that text"]))
            continue
        box, why = list(t.box), [read]
        if wants_holder:
            box = sign_box(t.box, vision.image.pixels)
            why.append("no region holds that text: box prompt on " +
                       ("the uniform-colour plate around it" if box != list(t.box) else "the text box"))
        out.append(candidate(Region(box=box, score=t.score, label=t.label, source=t.source, text=t.text,
                                    attributes=dict(t.attributes)), 3.0 + t.score, why, needs_mask=True,
                             cid=f"t{turn}:ocr{j}"))
    return out


def _detected_holder(text_box: list[float], category: str, vision, runtime) -> Region | None:
    """The most confident detection of `category` (score >= WEAK_SCORE) whose box holds the text line's centre."""
    holders = [d for d in runtime.detect_category(vision, category)
               if d.score >= WEAK_SCORE and centre_inside(d.box, text_box)]
    return max(holders, key=lambda d: float(d.score), default=None)
