"""evals: datasets (PRIST + dialogue records + synthetic generator), metrics, LLM judge, resumable runner, reports.

Entry points: `python -m evals.run ...`, `python -m evals.synth ...`; see evals/README.md.
Public API: evals.datasets.load_dataset, evals.runner.run_eval, evals.report.build_report/write_report,
evals.contact_sheet.write_contact_sheet, evals.systems.build_system, evals.judge.Judge/judge_rows,
evals.synth.write_split/generate_record/check_disjoint, evals.metrics.*.
"""
