"""The web app: multi-turn segmentation chat in the browser (Gradio 6), `python -m agent.web [IMAGE]`.

One idea per module:
  cli.py         command line (agent.chat's planner / segmenter / grounder flags), launch on loopback
  loader.py      models load once per process in the background; the page shows their progress
  uploads.py     upload checks (size, pixels), a persistent copy of each image, the demo images
  references.py  "the mask from turn 2" in a typed turn
  controller.py  the conversations (one agent.session.Session each) and what each action does to them
  view.py        one turn as the page shows it: overlay, explanation, evidence, timing
  strip.py       the strip of earlier turns (thumbnails with their masks)
  (downloads: the current mask as PNG and COCO RLE JSON, the conversation as JSON: agent.turn_files)
  errors.py      any failure as one line for the page, never a stack trace
  handlers.py    Gradio event functions: controller results -> component updates, progress while waiting
  layout.py      the Blocks layout and its event wiring
Only handlers.py, layout.py and cli.py import gradio; the rest is plain Python (tests and the benchmark use it).
"""
