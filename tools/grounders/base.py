"""The `Grounder` interface: find candidate regions for a query in an image."""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from tools.images import ImageInput
from tools.regions import Region


@runtime_checkable
class Grounder(Protocol):
    """ground(image, query) -> regions sorted by score, best first. Boxes in original image pixels."""

    name: str

    def ground(self, image: ImageInput, query: str) -> list[Region]:
        ...


class GrounderError(ValueError):
    """A grounder that cannot be built or run (missing model folder, bad query); the message is one line."""
