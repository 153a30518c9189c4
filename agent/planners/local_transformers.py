"""`LocalTransformersPlanner`: a Planner running a transformers model from a local folder (no hub).

    LocalTransformersPlanner("/models/Qwen2.5-1.5B-Instruct")            # text LLM + its chat template
    LocalTransformersPlanner("/models/Qwen2.5-VL-3B-Instruct")           # VLM: the image goes with the turn
    LocalTransformersPlanner("/models/gguf", gguf_file="x.Q4_K_M.gguf")  # GGUF (dequantized on load)
    LocalTransformersPlanner("/models/gguf/x.Q4_K_M.gguf")               # same, path of the file itself
    LocalTransformersPlanner("qwen2.5-coder-0.5b")                       # an embedded LLM by name (weight store)

A VLM is recognised from its config (a `vision_config` and a model type with an image-text-to-text
class); it loads with AutoProcessor + AutoModelForImageTextToText, other models with AutoTokenizer +
AutoModelForCausalLM. Everything loads with local_files_only=True, on the GPU when one is available
(bfloat16 there, float32 on CPU). Decoding is greedy; JSON replies stop at the first "}" (the parser
closes the object). Loading failures raise PlannerError with a one-line message naming the path.

Prefix caching (text models, on by default): the KV cache of recent prompts is kept
(agent.planners.prefix_cache), so a call prefills only the tokens after the longest prefix it shares with
an earlier prompt: the system text and worked examples after the first call, the earlier turns of the
dialogue on a follow-up turn. `last_call` records {"prompt_tokens", "reused_tokens", "new_tokens", "seconds"}
of the latest completion.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

from PIL import Image

from agent.json_types import JSONObject
from agent.planners.base import PlannerError
from agent.planners.chat_json import TASKS, ChatJSONPlanner
from agent.planners.prefix_cache import PromptCacheStore
from tools.weights.llm_folder import LLM_FOLDERS

FALLBACK_TEMPLATE = (
    "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}assistant: {% endif %}"
)


def _is_vlm(config: Any) -> bool:
    from transformers.models.auto.modeling_auto import MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES

    return hasattr(config, "vision_config") and config.model_type in MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES


EMBEDDED_LLMS = tuple(LLM_FOLDERS)  # names that resolve to the weight store's converted folders


def resolve_model_path(path: str | Path) -> Path:
    """A model folder / .gguf path as given, or the transformers folder of an embedded LLM named like
    "qwen2.5-coder-0.5b" (converted on first use); PlannerError naming the fetch command when it is missing."""
    from tools.weights.llm_folder import llm_folder
    from tools.weights.store import MissingWeightsError

    text = str(path)
    if text in EMBEDDED_LLMS and not Path(text).expanduser().exists():
        try:
            return llm_folder(text)
        except MissingWeightsError as exc:
            raise PlannerError(str(exc)) from None
    return Path(text).expanduser()


def _merge_system(messages: list[JSONObject]) -> list[JSONObject]:
    """For chat templates without a system role: fold the system text into the first user message."""
    if not messages or messages[0]["role"] != "system":
        return messages
    system, rest = messages[0]["content"], [dict(m) for m in messages[1:]]
    if rest and rest[0]["role"] == "user" and isinstance(rest[0]["content"], str):
        rest[0]["content"] = f"{system}\n\n{rest[0]['content']}"
        return rest
    return [{"role": "user", "content": system}, *rest]


class LocalTransformersPlanner(ChatJSONPlanner):
    """Planner over a local transformers model (see the module docstring)."""

    name = "local"

    def __init__(self, path: str | Path, gguf_file: str | None = None, device: str | None = None,
                 max_new_tokens: int = 256, max_retries: int = 1, dtype: Any = None,
                 vision: bool | None = None, progress: Callable[[str], None] | None = None,
                 few_shot: int | None = None, num_threads: int | None = None, prefix_cache: bool = True,
                 tasks: tuple[str, ...] | None = None) -> None:
        super().__init__()
        import torch

        embedded = str(path) in EMBEDDED_LLMS and not Path(str(path)).expanduser().exists()
        path = resolve_model_path(path)
        # An embedded CPU model interprets only: the agent's ranking picks regions and its composer writes the
        # answer (a select + answer call would triple a turn's latency here); a user's model does all three.
        self.tasks = tuple(tasks) if tasks is not None else (("interpret",) if embedded else TASKS)
        unknown = [t for t in self.tasks if t not in TASKS]
        if unknown:
            raise PlannerError(f"unknown planner task(s) {unknown}; choose from {', '.join(TASKS)}")
        if path.suffix.lower() == ".gguf" and gguf_file is None:
            path, gguf_file = path.parent, path.name
        if not path.is_dir():
            raise PlannerError(f"local planner model folder not found: {path}")
        if gguf_file and not (path / gguf_file).is_file():
            raise PlannerError(f"GGUF file not found: {path / gguf_file}")
        self.path, self.gguf_file = path, gguf_file
        self.max_new_tokens = int(max_new_tokens)
        self.max_retries = int(max_retries)
        self.few_shot = few_shot
        self.prompt_caches = PromptCacheStore() if prefix_cache else None
        self.last_call: dict[str, float] = {}
        if num_threads:
            torch.set_num_threads(int(num_threads))  # process-wide: torch has no per-model setting
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.dtype = dtype or (torch.bfloat16 if self.device.startswith("cuda") else torch.float32)
        say = progress or (lambda _msg: None)
        t0 = time.perf_counter()
        say(f"loading local planner model from {self.where} ...")
        try:
            self._load()
        except (OSError, ValueError, KeyError, ImportError, RuntimeError) as exc:
            first = " ".join(str(exc).split())[:200]
            raise PlannerError(f"cannot load local planner model {self.where}: {type(exc).__name__}: {first}") from None
        self.vision = self.is_vlm if vision is None else bool(vision and self.is_vlm)
        self.load_seconds = time.perf_counter() - t0
        say(f"local planner ready ({'VLM' if self.is_vlm else 'text LLM'}, {self.device}, {self.load_seconds:.1f} s)")

    @property
    def where(self) -> str:
        return str(self.path / self.gguf_file) if self.gguf_file else str(self.path)

    def _load(self) -> None:
        from transformers import AutoConfig

        common: JSONObject = {"local_files_only": True}
        if self.gguf_file:
            common["gguf_file"] = self.gguf_file
        config = AutoConfig.from_pretrained(str(self.path), **common)
        self.is_vlm = _is_vlm(config)
        if self.is_vlm:
            from transformers import AutoModelForImageTextToText, AutoProcessor

            self.processor = AutoProcessor.from_pretrained(str(self.path), **common)
            self.tokenizer = getattr(self.processor, "tokenizer", self.processor)
            model_cls = AutoModelForImageTextToText
        else:
            from transformers import AutoModelForCausalLM, AutoTokenizer

            self.tokenizer = AutoTokenizer.from_pretrained(str(self.path), **common)
            self.processor = None
            model_cls = AutoModelForCausalLM
        self.model = model_cls.from_pretrained(str(self.path), dtype=self.dtype, **common).to(self.device).eval()
        if not getattr(self.tokenizer, "chat_template", None) and self.processor is None:
            self.tokenizer.chat_template = FALLBACK_TEMPLATE

    # -- rendering
    def _render(self, messages: list[JSONObject]) -> JSONObject:
        """Chat template -> model inputs (tensors on the device); retries without a system role."""
        target = self.processor if self.processor is not None else self.tokenizer
        kwargs = {"add_generation_prompt": True, "tokenize": True, "return_dict": True, "return_tensors": "pt"}
        try:
            inputs = target.apply_chat_template(messages, **kwargs)
        except Exception as exc:  # jinja TemplateError (e.g. "System role not supported") and kin
            if messages and messages[0]["role"] == "system":
                inputs = target.apply_chat_template(_merge_system(messages), **kwargs)
            else:
                raise PlannerError(f"chat template of {self.where} failed: {' '.join(str(exc).split())[:160]}") from None
        return {k: v.to(self.device) if hasattr(v, "to") else v for k, v in inputs.items()}

    def _with_image(self, messages: list[dict[str, str]], image: Image.Image | None) -> list[JSONObject]:
        if self.processor is None:
            return messages
        out: list[JSONObject] = [{"role": m["role"], "content": [{"type": "text", "text": m["content"]}]}
                                     for m in messages]
        if image is not None and self.vision:
            last_user = max(i for i, m in enumerate(out) if m["role"] == "user")
            out[last_user]["content"].insert(0, {"type": "image", "image": image})
        return out

    def _chat(self, messages: list[dict[str, str]], *, json_mode: bool, image: Image.Image | None,
              schema: JSONObject | None = None) -> str:
        import torch

        inputs = self._render(self._with_image(messages, image))
        prompt_len = int(inputs["input_ids"].shape[-1])
        gen: JSONObject = {"max_new_tokens": self.max_new_tokens, "do_sample": False}
        if json_mode:
            gen.update(stop_strings=["}"], tokenizer=self.tokenizer)
        pad = getattr(self.tokenizer, "pad_token_id", None)
        if pad is None:
            pad = getattr(self.tokenizer, "eos_token_id", None)
        if pad is not None:
            gen["pad_token_id"] = pad
        text_only = set(inputs) <= {"input_ids", "attention_mask"} and self.prompt_caches is not None
        ids = inputs["input_ids"][0]
        hit = self.prompt_caches.reusable(ids) if text_only else None
        if hit is not None:
            from transformers import DynamicCache

            gen["cache"] = hit.cache if hit.cache is not None else DynamicCache(config=self.model.config)
        t0 = time.perf_counter()
        try:
            with torch.inference_mode():
                output = self.model.generate(**inputs, **gen)
        except (RuntimeError, ValueError) as exc:
            raise PlannerError(f"local planner {self.where} failed to generate: "
                               f"{' '.join(str(exc).split())[:160]}") from None
        seconds = time.perf_counter() - t0
        if hit is not None:
            self.prompt_caches.store(ids, gen["cache"])
        new_tokens = int(output.shape[-1]) - prompt_len
        self.last_call = {"prompt_tokens": prompt_len, "reused_tokens": hit.reused if hit else 0,
                          "new_tokens": new_tokens, "seconds": seconds}
        return self.tokenizer.decode(output[0, prompt_len:], skip_special_tokens=True)
