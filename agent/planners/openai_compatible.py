"""`OpenAICompatiblePlanner`: a Planner backed by any OpenAI-compatible chat endpoint.

Works with vLLM, Ollama, llama.cpp server, `transformers serve` and hosted APIs. Settings come from
the arguments, else the environment:
  PIXELRIST_PLANNER_URL   base URL, e.g. http://127.0.0.1:8000/v1 ("/v1" is added when the path is empty)
  PIXELRIST_PLANNER_MODEL model name (default: the first model the endpoint lists at /v1/models)
  OPENAI_API_KEY          API key (local servers accept any; "none" is sent when unset)

JSON is requested with `response_format` json_schema, falling back to json_object and then to the
prompt alone when the server rejects the field. The JSON replies (Intent, {"ids": [...]}) hold no nested
object, so by default generation stops at the first "}" (small models otherwise ramble on until
max_tokens; the parser closes the object). With `vision` on, the image goes with the last user
message as a base64 JPEG data URL (vision=None guesses from the model name). Endpoint down, timeout,
HTTP errors and junk after retries raise `PlannerError` with one line naming the URL; a busy server (HTTP 429 /
503) is retried with backoff first, and requests in flight are bounded per process (agent.planners.request_pool).
"""
from __future__ import annotations

import base64
import os
import re
from urllib.parse import urlparse

from PIL import Image

from agent.json_types import JSONObject
from agent.planners.base import PlannerError
from agent.planners.chat_json import ChatJSONPlanner, jpeg_bytes
from agent.planners.request_pool import send

URL_ENV = "PIXELRIST_PLANNER_URL"
MODEL_ENV = "PIXELRIST_PLANNER_MODEL"
KEY_ENV = "OPENAI_API_KEY"
OPENAI_URL = "https://api.openai.com/v1"
_VISION_NAMES = re.compile(r"(^|[^a-z])(vl|vision|llava|gpt-4o|gpt-4\.1|gpt-5|gemma-?3|pixtral|moondream|"
                           r"smolvlm|idefics|minicpm-v|internvl|qwen2\.5-?vl|qwen3-?vl|llama-?4)", re.I)
FORMAT_MODES = ("json_schema", "json_object", "prompt")


def normalize_base_url(url: str) -> str:
    """'http://host:8000' -> 'http://host:8000/v1'; other paths are kept (trailing '/' removed)."""
    url = url.strip().rstrip("/")
    parsed = urlparse(url)
    if not parsed.scheme or not parsed.netloc:
        raise PlannerError(f"planner URL {url!r} is not an http(s) URL like http://127.0.0.1:8000/v1")
    return url + "/v1" if parsed.path in ("", "/") else url


def guess_vision(model: str) -> bool:
    """True when the model name looks like a vision-language model."""
    return bool(_VISION_NAMES.search(model or ""))


class OpenAICompatiblePlanner(ChatJSONPlanner):
    """Planner over an OpenAI-compatible /chat/completions endpoint (see the module docstring)."""

    name = "openai"

    def __init__(self, base_url: str | None = None, model: str | None = None, api_key: str | None = None,
                 timeout: float = 30, max_retries: int = 2, vision: bool | None = None,
                 temperature: float = 0.0, max_tokens: int = 200, stop_at_brace: bool = True,
                 few_shot: int | None = None, busy_retries: int = 4) -> None:
        super().__init__()
        import openai

        url = base_url or os.environ.get(URL_ENV)
        key = api_key or os.environ.get(KEY_ENV)
        if not url and not key:
            raise PlannerError(f"no planner endpoint: pass --planner-url / base_url or set ${URL_ENV} "
                               f"(or ${KEY_ENV} for {OPENAI_URL})")
        self.base_url = normalize_base_url(url or OPENAI_URL)
        self.timeout = float(timeout)
        self.max_retries = int(max_retries)
        self.busy_retries = int(busy_retries)
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.stop_at_brace = stop_at_brace
        self.few_shot = few_shot
        self._openai = openai
        # Retries are ours: malformed output is re-asked, HTTP 429/503 backed off (agent.planners.request_pool);
        # other transport errors fail fast with a clear message.
        self.client = openai.OpenAI(base_url=self.base_url, api_key=key or "none", timeout=self.timeout,
                                    max_retries=0)
        self.model = model or os.environ.get(MODEL_ENV) or self._first_listed_model()
        self.vision = guess_vision(self.model) if vision is None else bool(vision)
        self.format_mode = FORMAT_MODES[0]

    @property
    def where(self) -> str:
        return self.base_url

    def _busy_status(self, exc: Exception) -> tuple[int | None, str | None]:
        """(HTTP status, Retry-After header) of an API status error, else (None, None)."""
        if isinstance(exc, self._openai.APIStatusError):
            return exc.status_code, exc.response.headers.get("retry-after")
        return None, None

    def _fail(self, exc: Exception) -> PlannerError:
        openai = self._openai
        if isinstance(exc, openai.APITimeoutError):
            why = f"timed out after {self.timeout:g} s"
        elif isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__ or exc.__context__
            why = "unreachable (" + (" ".join(str(cause).split())[:120] if cause else "connection failed") + ")"
        elif isinstance(exc, openai.APIStatusError):
            why = f"answered HTTP {exc.status_code}: {' '.join(str(exc.message).split())[:160]}"
        else:
            why = f"failed: {type(exc).__name__}: {' '.join(str(exc).split())[:160]}"
        return PlannerError(f"planner endpoint {self.base_url} {why}")

    def check(self) -> None:
        """Raise PlannerError now when the endpoint cannot be reached (a 404 on /models counts as reachable)."""
        try:
            self.client.models.list()
        except self._openai.NotFoundError:
            return
        except self._openai.OpenAIError as exc:
            raise self._fail(exc) from None

    def _first_listed_model(self) -> str:
        try:
            models = self.client.models.list()
            first = next(iter(models.data), None)
        except self._openai.OpenAIError as exc:
            raise self._fail(exc) from None
        if first is None:
            raise PlannerError(f"planner endpoint {self.base_url} lists no models; pass --planner-model")
        return first.id

    def _payload(self, messages: list[dict[str, str]], image: Image.Image | None) -> list[JSONObject]:
        out: list[JSONObject] = [dict(m) for m in messages]
        if image is not None and self.vision:
            last_user = max(i for i, m in enumerate(out) if m["role"] == "user")
            url = "data:image/jpeg;base64," + base64.b64encode(jpeg_bytes(image)).decode("ascii")
            out[last_user]["content"] = [{"type": "text", "text": out[last_user]["content"]},
                                         {"type": "image_url", "image_url": {"url": url}}]
        return out

    def _response_format(self, schema: JSONObject | None) -> JSONObject | None:
        if self.format_mode == "json_schema" and schema is not None:
            return {"type": "json_schema", "json_schema": {"name": "reply", "schema": schema}}
        if self.format_mode == "json_schema":
            return {"type": "json_object"}
        if self.format_mode == "json_object":
            return {"type": "json_object"}
        return None

    def _chat(self, messages: list[dict[str, str]], *, json_mode: bool, image: Image.Image | None,
              schema: JSONObject | None = None) -> str:
        openai = self._openai
        while True:
            kwargs: JSONObject = {"model": self.model, "messages": self._payload(messages, image),
                                      "temperature": self.temperature, "max_tokens": self.max_tokens}
            fmt = self._response_format(schema) if json_mode else None
            if fmt:
                kwargs["response_format"] = fmt
            if json_mode and self.stop_at_brace:
                kwargs["stop"] = ["}"]
            try:
                response = send(lambda: self.client.chat.completions.create(**kwargs), self._busy_status,
                                busy_retries=self.busy_retries)
            except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
                text = str(exc).lower()
                if fmt and ("response_format" in text or "json" in text or "schema" in text) \
                        and self.format_mode != "prompt":
                    self.format_mode = FORMAT_MODES[FORMAT_MODES.index(self.format_mode) + 1]
                    continue
                if image is not None and self.vision and ("image" in text or "vision" in text):
                    self.vision = False  # the model cannot take images: go on text-only
                    continue
                raise self._fail(exc) from None
            except openai.OpenAIError as exc:
                raise self._fail(exc) from None
            choices = getattr(response, "choices", None) or []
            if not choices:
                raise PlannerError(f"planner endpoint {self.base_url} returned no choices")
            message = choices[0].message
            return (message.content or "") if message is not None else ""
