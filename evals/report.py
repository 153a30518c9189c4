"""Build report.json + report.md from the rows of a run's turns.jsonl.

report.json keys: counts, segmentation {overall, by_position, by_phenomenon, by_tag, by_dialogue_length}, text, focus,
target_agreement (per scored turn, where the dataset names the reference target), questions (turns with
expected answer keywords and the share answered), latency, failures,
notes, config, judge (when given), throughput (when the report follows a run: per worker dialogues, turns,
turns/s, busy/build/idle seconds). Only rows of the dataset's records are used.
"""
from __future__ import annotations

import json
import statistics
from collections import defaultdict
from pathlib import Path

from evals.metrics.intent import focus_agreement
from evals.metrics.segmentation import SegTally, grouped_segmentation
from evals.metrics.text import text_metrics


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def latency_summary(values: list[float]) -> dict:
    if not values:
        return {"turns": 0}
    return {"turns": len(values), "mean": statistics.fmean(values), "median": statistics.median(values),
            "p90": _percentile(values, 0.9), "max": max(values)}


def build_report(rows: list[dict], record_ids: list[str] | None = None, meteor: bool = True,
                 config: dict | None = None, notes: list[str] | None = None, judge: dict | None = None,
                 throughput: dict | None = None) -> dict:
    if record_ids is not None:
        wanted = set(record_ids)
        rows = [r for r in rows if r["record"] in wanted]
    turns = [r for r in rows if r.get("kind") == "turn" and not r.get("given")]
    first_questions: dict[str, str] = {}  # record -> its first human turn (given rows included)
    for r in sorted((r for r in rows if r.get("kind") == "turn"), key=lambda r: r.get("turn", 0), reverse=True):
        first_questions[r["record"]] = r.get("human") or ""
    failures = [r for r in rows if r.get("kind") == "failure"]
    scored = [r for r in turns if r.get("scored")]
    overall = SegTally()
    for r in scored:
        overall.add(r)
    by_position = grouped_segmentation(scored, lambda r: [f"scored turn {r['position']}"])
    by_tag = grouped_segmentation(scored, lambda r: list(r.get("tags") or []))
    by_phenomenon = grouped_segmentation(scored, lambda r: list(r.get("turn_tags") or []))
    by_turns = grouped_segmentation(scored, lambda r: [f"dialogue with {r['n_turns']} turns"])
    with_ref = [r for r in turns if r.get("reference") is not None]
    text = text_metrics([r.get("answer") or "" for r in with_ref], [r["reference"] for r in with_ref], meteor=meteor)
    focus_rows = [r for r in turns if r.get("closing") and r.get("focus")]
    agreements = [focus_agreement(r.get("target"), r["focus"]) for r in focus_rows]
    focus = {"dialogues": len(agreements)}
    if agreements:
        for key in ("token_f1", "head_match", "score"):
            focus[key] = statistics.fmean(a[key] for a in agreements)
        focus["no_target_named"] = sum(1 for r in focus_rows if not r.get("target"))
        # the naive baseline beside every run: all content words of the dialogue's first question as the target
        naive = [focus_agreement(first_questions.get(r["record"], ""), r["focus"]) for r in focus_rows]
        focus["first_question_baseline"] = {key: statistics.fmean(a[key] for a in naive)
                                            for key in ("token_f1", "head_match", "score")}
    named = [focus_agreement(r.get("target"), r["ref_target"]) for r in scored if r.get("ref_target")]
    target_agreement = {"turns": len(named)}
    if named:
        for key in ("token_f1", "head_match", "score"):
            target_agreement[key] = statistics.fmean(a[key] for a in named)
    asked = [r for r in turns if r.get("expected_answers")]
    questions = {"turns": len(asked), "answered": sum(1 for r in asked if r.get("answered"))}
    if asked:
        questions["share_answered"] = questions["answered"] / len(asked)
    latencies = [r["latency"] for r in turns if r.get("latency") is not None]
    stages: dict[str, list[float]] = defaultdict(list)
    for r in turns:
        for key, value in (r.get("timings") or {}).items():
            stages[key].append(value)
    records = {r["record"] for r in rows}
    report = {
        "counts": {
            "dialogues": len(records), "failed_dialogues": len({f["record"] for f in failures}),
            "turns": len(turns), "scored_turns": len(scored),
            "empty_predictions": sum(1 for r in scored if r.get("empty_prediction")),
            "scored_turns_in_failed_dialogues": sum(1 for r in scored if r.get("failed")),
            "lost_turns": sum(1 for r in turns if r.get("lost")),
            "planner_fallback_turns": sum(1 for r in turns if r.get("planner_fallback")),
            "text_only_dialogues": len({r["record"] for r in turns if not r.get("image")}),
        },
        "segmentation": {"overall": overall.summary(), "by_position": by_position, "by_tag": by_tag,
                         "by_phenomenon": by_phenomenon,
                         "by_dialogue_length": by_turns},
        "text": text,
        "focus": focus,
        "target_agreement": target_agreement,
        "questions": questions,
        "latency": {"per_turn": latency_summary(latencies),
                    "stages_mean": {k: statistics.fmean(v) for k, v in sorted(stages.items())}},
        "failures": [{"record": f["record"], "turn": f.get("turn"), "error": f["error"]} for f in failures],
        "notes": list(notes or []) + ([text["meteor_note"]] if text.get("meteor_note") else []),
        "config": config or {},
    }
    if judge is not None:
        report["judge"] = judge
    if throughput is not None and throughput.get("workers"):
        report["throughput"] = throughput
    return report


def _fmt(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def _seg_table(groups: dict[str, dict], title: str) -> list[str]:
    lines = [f"### {title}", "", "| group | turns | CIoU | gIoU | P | R | F1 | IoU>=0.5 | empty |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, s in groups.items():
        if not s.get("turns"):
            continue
        lines.append(f"| {name} | {s['turns']} | {_fmt(s['ciou'])} | {_fmt(s['giou'])} | {_fmt(s['precision'])} | "
                     f"{_fmt(s['recall'])} | {_fmt(s['f1'])} | {_fmt(s['iou_at_0.5'])} | {s['empty_predictions']} |")
    return lines + [""]


def _throughput_lines(speed: dict) -> list[str]:
    lines = [f"## Throughput of this invocation ({speed['executor']} executor)", "",
             f"{speed['dialogues']} dialogues, {speed['turns']} turns in {speed['wall_s']:.1f} s"
             + (f" ({speed['startup_s']:.1f} s of it starting Ray and building the actors' systems)"
                if speed.get("startup_s") is not None else "")
             + f": {_fmt(speed.get('turns_per_s'))} turns/s", ""]
    if speed.get("replaced_workers") or speed.get("rerun_dialogues"):
        lines += [f"workers re-created: {speed.get('replaced_workers', 0)}; dialogues rerun after losing their "
                  f"worker: {', '.join(speed.get('rerun_dialogues') or []) or 'none'}", ""]
    lines += ["| worker | host | dialogues | turns | turns/s | turns/s busy | build s | busy s | idle s |",
              "|---|---|---|---|---|---|---|---|---|"]
    for w in speed["workers"]:
        build = "n/a" if w.get("build_s") is None else f"{w['build_s']:.1f}"
        lines.append(f"| {w['worker']} | {w.get('host') or '?'} | {w['dialogues']} | {w['turns']} | "
                     f"{_fmt(w.get('turns_per_s'))} | {_fmt(w.get('busy_turns_per_s'))} | {build} | "
                     f"{w['busy_s']:.1f} | {w['idle_s']:.1f} |")
    return lines + ["", "turns/s: over the invocation's wall time; busy: over the worker's time in dialogues; "
                        "idle s = wall - build - busy (waiting for work or for the driver).", ""]


def render_markdown(report: dict) -> str:
    cfg = report.get("config") or {}
    lines = [f"# Evaluation report: {cfg.get('system', '?')} on {cfg.get('data', '?')}", ""]
    lines += [f"- {k.replace('_', ' ')}: {v}" for k, v in report["counts"].items()]
    if cfg:
        lines.append(f"- configuration: `{json.dumps(cfg, sort_keys=True)}`")
    lines.append("")
    seg = report["segmentation"]
    if seg["overall"].get("turns"):
        lines += ["## Segmentation", ""]
        lines += _seg_table({"overall": seg["overall"]}, "Overall")
        lines += _seg_table(seg["by_position"], "By scored-turn position")
        if seg["by_phenomenon"]:
            lines += _seg_table(seg["by_phenomenon"], "By phenomenon of the scored turn itself")
        lines += _seg_table(seg["by_tag"], "By dialogue tag (any turn of the dialogue)")
        lines += _seg_table(seg["by_dialogue_length"], "By dialogue length")
    text = report["text"]
    lines += ["## Text (against the reference answers, all turns)", "",
              "| pairs | BLEU-1 | BLEU-4 | ROUGE-L | METEOR | Dist-1 | Dist-2 |", "|---|---|---|---|---|---|---|",
              f"| {text['pairs']} | {_fmt(text.get('bleu1'))} | {_fmt(text.get('bleu4'))} | {_fmt(text.get('rouge_l'))} | "
              f"{_fmt(text.get('meteor'))} | {_fmt(text['dist1'])} | {_fmt(text['dist2'])} |", ""]
    focus = report["focus"]
    if focus.get("dialogues"):
        lines += ["## Focus agreement (target named at the closing turn vs `focus`)", "",
                  f"dialogues {focus['dialogues']}, token F1 {_fmt(focus['token_f1'])}, head-noun match "
                  f"{_fmt(focus['head_match'])}, score {_fmt(focus['score'])}, no target named {focus['no_target_named']}", ""]
        naive = focus.get("first_question_baseline")
        if naive:
            lines += [f"naive baseline (all content words of the first question) on the same dialogues: token F1 "
                      f"{_fmt(naive['token_f1'])}, head-noun match {_fmt(naive['head_match'])}, score "
                      f"{_fmt(naive['score'])}", ""]
    named = report.get("target_agreement") or {}
    if named.get("turns"):
        lines += ["## Target agreement (target named at each scored turn vs the reference target phrase)", "",
                  f"turns {named['turns']}, token F1 {_fmt(named['token_f1'])}, head-noun match "
                  f"{_fmt(named['head_match'])}, score {_fmt(named['score'])}", ""]
    asked = report.get("questions") or {}
    if asked.get("turns"):
        lines += ["## Questions (the reply holds an expected answer keyword)", "",
                  f"{asked['answered']} of {asked['turns']} answered ({asked['share_answered']:.2f})", ""]
    judge = report.get("judge")
    if judge:
        lines += ["## LLM judge", "", f"`{json.dumps(judge.get('summary', judge), sort_keys=True)}`", ""]
    lat = report["latency"]["per_turn"]
    if lat.get("turns"):
        lines += ["## Latency per turn (seconds)", "",
                  f"mean {lat['mean']:.3f}, median {lat['median']:.3f}, p90 {lat['p90']:.3f}, max {lat['max']:.3f} "
                  f"over {lat['turns']} turns", ""]
        stages = report["latency"]["stages_mean"]
        if stages:
            lines += ["stage means: " + ", ".join(f"{k} {v:.3f}" for k, v in stages.items()), ""]
    speed = report.get("throughput")
    if speed:
        lines += _throughput_lines(speed)
    if report["failures"]:
        lines += [f"## Failures ({len(report['failures'])})", ""]
        lines += [f"- `{f['record']}` turn {f['turn']}: {f['error']}" for f in report["failures"][:100]]
        lines.append("")
    if report["notes"]:
        lines += ["## Notes", ""] + [f"- {n}" for n in report["notes"]] + [""]
    return "\n".join(lines)


def write_report(report: dict, out_dir: str | Path) -> tuple[Path, Path]:
    out = Path(out_dir)
    json_path, md_path = out / "report.json", out / "report.md"
    json_path.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    md_path.write_text(render_markdown(report), encoding="utf-8")
    return json_path, md_path
