"""Resolve relative file references inside a dataset folder, refusing anything that escapes it."""
from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath

from evals.errors import DatasetError


def safe_join(root: str | Path, relative: str, what: str = "path") -> Path:
    """root / relative, where `relative` must be a plain relative path that stays inside root.

    Rejects absolute paths ("/x.png", "C:\\x.png"), any ".." component and symlinks leading outside.
    """
    if not isinstance(relative, str) or not relative.strip():
        raise DatasetError(f"{what} must be a non-empty relative path, got {relative!r}")
    posix, windows = PurePosixPath(relative), PureWindowsPath(relative)
    if posix.is_absolute() or windows.is_absolute() or windows.drive or relative.startswith(("\\", "/")):
        raise DatasetError(f"{what} {relative!r} is absolute; paths must be relative to the dataset folder")
    parts = relative.replace("\\", "/").split("/")
    if ".." in parts:
        raise DatasetError(f"{what} {relative!r} contains '..'; paths must stay inside the dataset folder")
    root = Path(root).resolve()
    full = (root / relative.replace("\\", "/")).resolve()
    if full != root and root not in full.parents:
        raise DatasetError(f"{what} {relative!r} resolves outside the dataset folder")
    return full
