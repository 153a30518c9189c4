"""`atomic_folder(target)`: write a whole folder so that a kill never leaves half of one.

    with atomic_folder(Path("runs/x/checkpoint")) as tmp:
        (tmp / "weights.safetensors").write_bytes(...)

The block writes into a fresh temp folder beside `target` (same file system). When it ends normally the temp folder
(mode 0755) takes `target`'s name: an existing `target` is first moved aside and removed after, so there is always
one complete folder under that name or the old one. When the block raises, the temp folder is removed and `target`
is untouched.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def atomic_folder(target: str | Path) -> Iterator[Path]:
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-"))
    try:
        yield tmp
        os.chmod(tmp, 0o755)
        old = target.with_name(f".{target.name}-old")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
