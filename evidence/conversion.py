"""DOCX and XLSX to PDF through LibreOffice (``soffice --headless --convert-to pdf``).

One converter per process: a lock lets one soffice run at a time here, and the
``pdf`` worker queue gives the parallelism (run as many worker processes on that queue
as there are cores). Each process keeps its own LibreOffice profile directory
(``/tmp/fasu-lo-<pid>-<n>``), so two converters never share one; a profile left by a
conversion that was killed is thrown away and the next one starts fresh (``n`` + 1).
Each run has a time limit; on timeout the whole process group is killed, so no stray
soffice is left behind. The output must exist and open with pikepdf.

``convert_many`` converts several files in one soffice run (start-up, ~0.9 s, paid once
per batch instead of per file); the limit is the per-file limit times the count, and a
file without a usable output is converted again alone, once.

Fonts: ``fontconfig/fasu-cjk.conf`` maps 宋体/仿宋/楷体 to Noto Serif CJK SC and
黑体/微软雅黑 to Noto Sans CJK SC; soffice runs with ``FONTCONFIG_FILE`` pointing at a
generated file that includes the system ``fonts.conf`` and then ours.

Where soffice is missing, ``ConversionUnavailable`` says so; nothing else depends on it.
"""

from __future__ import annotations

import atexit
import io
import itertools
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from django.conf import settings

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONVERTIBLE = {DOCX_TYPE: ".docx", XLSX_TYPE: ".xlsx"}
UNAVAILABLE_MESSAGE = "PDF 转换不可用"

FONTCONFIG_DIR = Path(__file__).resolve().parent / "fontconfig"
SYSTEM_FONTS_CONF = "/etc/fonts/fonts.conf"
DEFAULT_TIMEOUT_SECONDS = 120

# None: found on PATH (or at LibreOffice's usual places); tests point it at a missing file.
SOFFICE_PATH: str | None = None
_SOFFICE_FALLBACKS = ("/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice")

_lock = threading.Lock()
_profile_numbers = itertools.count()
_profile: Path | None = None


class ConversionUnavailable(Exception):
    """LibreOffice is not installed here, so DOCX and XLSX cannot become PDF."""


class ConversionFailed(Exception):
    """LibreOffice ran but gave no usable PDF (timed out, crashed, or wrote nothing readable)."""


@dataclass(frozen=True)
class Converted:
    pdf: bytes
    page_count: int


def soffice_path() -> str | None:
    """The soffice executable to use, or None when LibreOffice is not installed."""
    if SOFFICE_PATH is not None:
        return SOFFICE_PATH if os.access(SOFFICE_PATH, os.X_OK) else None
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    return next((path for path in _SOFFICE_FALLBACKS if os.access(path, os.X_OK)), None)


def conversion_available() -> bool:
    return soffice_path() is not None


def timeout_seconds() -> float:
    return float(getattr(settings, "EVIDENCE_CONVERT_SECONDS", DEFAULT_TIMEOUT_SECONDS))


def profile_prefix() -> str:
    """The start of this process's profile directory names (for finding its soffice processes)."""
    return str(Path(tempfile.gettempdir()) / f"fasu-lo-{os.getpid()}-")


def _current_profile() -> Path:
    global _profile
    if _profile is None:
        _profile = Path(f"{profile_prefix()}{next(_profile_numbers)}")
        _profile.mkdir(mode=0o700, parents=True, exist_ok=True)
        (_profile / "fonts.conf").write_text(fontconfig_file_text(), encoding="utf-8")
    return _profile


def _discard_profile() -> None:
    global _profile
    if _profile is not None:
        shutil.rmtree(_profile, ignore_errors=True)
        _profile = None


atexit.register(_discard_profile)


def fontconfig_file_text() -> str:
    """A fonts.conf that includes the system configuration and then Fasu's CJK mapping."""
    ours = FONTCONFIG_DIR / "fasu-cjk.conf"
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        f'  <include ignore_missing="yes">{SYSTEM_FONTS_CONF}</include>\n'
        f"  <include>{ours}</include>\n</fontconfig>\n"
    )


def convert_to_pdf(data: bytes, content_type: str, *, timeout: float | None = None) -> Converted:
    """Convert one DOCX or XLSX (its bytes) to PDF; raise ``ConversionUnavailable`` or ``ConversionFailed``."""
    if content_type not in CONVERTIBLE:
        raise ConversionFailed(f"{content_type} is not converted to PDF")
    soffice = soffice_path()
    if soffice is None:
        raise ConversionUnavailable(f"{UNAVAILABLE_MESSAGE}：未安装 LibreOffice（找不到 soffice）")
    limit = timeout_seconds() if timeout is None else timeout
    with _lock:
        profile = _current_profile()
        with tempfile.TemporaryDirectory(prefix="fasu-convert-") as work:
            source = Path(work) / f"evidence{CONVERTIBLE[content_type]}"
            source.write_bytes(data)
            outdir = Path(work) / "out"
            outdir.mkdir()
            _soffice(soffice, profile, [source], outdir, limit)
            pdf = _checked_output(outdir / "evidence.pdf").read_bytes()
    return Converted(pdf=pdf, page_count=_page_count(pdf))


def _soffice(
    soffice: str, profile: Path, sources: list[Path], outdir: Path, limit: float, *, on_started=None
) -> None:
    """One soffice run converting ``sources`` into ``outdir`` (call with ``_lock`` held).

    ``on_started(source)`` is called with each source's path as soffice starts on it.
    """
    command = [
        soffice,
        "--headless",
        "--norestore",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to",
        "pdf",
        "--outdir",
        str(outdir),
        *map(str, sources),
    ]
    env = {**os.environ, "FONTCONFIG_FILE": str(profile / "fonts.conf"), "HOME": str(profile)}
    _run(command, env=env, limit=limit, on_started=on_started)


def _checked_output(target: Path) -> Path:
    if not target.is_file() or target.stat().st_size == 0:
        raise ConversionFailed("LibreOffice 未生成 PDF")
    return target


def _page_count(pdf: bytes) -> int:
    """The PDF's page count; ``ConversionFailed`` when it does not open or has no pages."""
    try:
        with pikepdf.open(io.BytesIO(pdf)) as opened:
            pages = len(opened.pages)
    except pikepdf.PdfError as exc:
        raise ConversionFailed(f"LibreOffice 生成的 PDF 无法打开：{exc}") from None
    if pages == 0:
        raise ConversionFailed("LibreOffice 生成的 PDF 没有页面")
    return pages


def convert_many(
    paths: list[str | Path],
    *,
    outdir: str | Path | None = None,
    timeout: float | None = None,
    on_ready: Callable[[Path, Path | ConversionFailed], None] | None = None,
) -> dict[Path, Path | ConversionFailed]:
    """Convert several DOCX/XLSX files (``.docx``/``.xlsx`` paths) to PDF in one soffice run.

    ``on_ready(path, result)``, when given, is called for each input as soon as its PDF is
    written (soffice announces each file as it starts it, so the one before is done),
    while soffice goes on with the rest: a caller can store the first documents of a
    long run before the last are converted. It runs in the calling thread.

    Returns, for each input path (as a ``Path``), the path of its checked PDF in
    ``outdir`` (named ``<stem>.pdf``, a new temporary directory when not given; the caller
    removes it) or the ``ConversionFailed`` that says why it has none. The time limit is
    the per-file limit times the number of files. A file whose output is missing or does
    not open is converted again alone, once, with the per-file limit, so one bad file
    never fails the others. Raises ``ConversionUnavailable`` where soffice is missing.
    """
    sources = list(dict.fromkeys(Path(path) for path in paths))
    results: dict[Path, Path | ConversionFailed] = {}
    reported: set[Path] = set()

    def report(path: Path, result) -> None:
        results[path] = result
        if on_ready is not None and path not in reported:
            reported.add(path)
            on_ready(path, result)

    if not sources:
        return results
    soffice = soffice_path()
    if soffice is None:
        raise ConversionUnavailable(f"{UNAVAILABLE_MESSAGE}：未安装 LibreOffice（找不到 soffice）")
    limit = timeout_seconds() if timeout is None else timeout
    outdir = Path(outdir) if outdir is not None else Path(tempfile.mkdtemp(prefix="fasu-converted-"))
    outdir.mkdir(parents=True, exist_ok=True)
    suffixes = set(CONVERTIBLE.values())
    wanted = []
    for path in sources:
        if path.suffix.lower() not in suffixes or not path.is_file():
            report(path, ConversionFailed(f"{path.name} 不是可转换的 DOCX 或 XLSX 文件"))
        else:
            wanted.append(path)
    with _lock, tempfile.TemporaryDirectory(prefix="fasu-convert-") as work:
        # Numbered copies: two inputs with one stem (a.docx, a.xlsx) never share an output name.
        staged = {}
        for number, path in enumerate(wanted):
            copy = Path(work) / f"{number:05d}{path.suffix.lower()}"
            shutil.copyfile(path, copy)
            staged[path] = copy
        batch_out = Path(work) / "out"
        batch_out.mkdir()
        batch_error: ConversionFailed | None = None
        by_copy = {str(copy): path for path, copy in staged.items()}
        started: list[Path] = []

        def announced(source: str) -> None:
            # soffice names a file as it starts on it: the one before it is finished.
            if started:
                _report_collected(started[-1], staged[started[-1]], batch_out, outdir, report)
            started.append(by_copy[source])

        if staged:
            try:
                _soffice(
                    soffice,
                    _current_profile(),
                    list(staged.values()),
                    batch_out,
                    limit * len(staged),
                    on_started=announced if on_ready is not None else None,
                )
            except ConversionFailed as exc:
                batch_error = exc
        for path, copy in staged.items():
            if path in reported:
                continue
            try:
                results[path] = _collect(batch_out / f"{copy.stem}.pdf", outdir / f"{path.stem}.pdf")
                report(path, results[path])
                continue
            except ConversionFailed as exc:
                first = batch_error or exc
            if len(staged) == 1:
                report(path, first)
                continue
            alone = Path(work) / f"alone-{copy.stem}"
            alone.mkdir()
            try:  # the retry, alone
                _soffice(soffice, _current_profile(), [copy], alone, limit)
                report(path, _collect(alone / f"{copy.stem}.pdf", outdir / f"{path.stem}.pdf"))
            except ConversionFailed as exc:
                report(path, exc)
    return {Path(path): results[Path(path)] for path in paths}


def _report_collected(path: Path, copy: Path, batch_out: Path, outdir: Path, report) -> None:
    """Report a file soffice has finished; a bad output is left for the retry after the run."""
    try:
        collected = _collect(batch_out / f"{copy.stem}.pdf", outdir / f"{path.stem}.pdf")
    except ConversionFailed:
        return
    report(path, collected)


def _collect(produced: Path, target: Path) -> Path:
    """Check soffice's output and move it to ``target``; ``ConversionFailed`` when unusable."""
    _page_count(_checked_output(produced).read_bytes())
    if target.exists():  # two inputs with one stem: keep both
        target = target.with_name(f"{target.stem}-{produced.stem}.pdf")
    shutil.move(produced, target)
    return target


# soffice's line for each file it starts: "convert /dir/00001.docx -> /out/00001.pdf using filter : …"
_STARTED = re.compile(r"^convert (.+?) -> .+ using filter")


def _run(command: list[str], *, env: dict, limit: float, on_started=None) -> None:
    """Run soffice in its own process group; on timeout kill the group and drop the profile."""
    process = subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        if on_started is None:
            output, _ = process.communicate(timeout=limit)
        else:
            output = _follow(process, limit=limit, on_started=on_started)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        _discard_profile()
        raise ConversionFailed(f"PDF 转换超时（超过 {limit:g} 秒），已终止 LibreOffice") from None
    except BaseException:
        _kill_group(process)
        _discard_profile()
        raise
    finally:
        # soffice.bin may outlive the launcher it was started by; nothing of the group stays.
        _kill_group(process, only_leftovers=True)
    if process.returncode != 0:
        _discard_profile()
        tail = output.decode("utf-8", "replace").strip()[-500:]
        raise ConversionFailed(f"LibreOffice 退出码 {process.returncode}：{tail}")


def _follow(process: subprocess.Popen, *, limit: float, on_started) -> bytes:
    """Read soffice's output line by line, calling ``on_started`` per file, within ``limit``."""
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        _kill_group(process, only_leftovers=True)

    timer = threading.Timer(limit, expire)
    timer.start()
    lines = []
    try:
        for raw in process.stdout:
            lines.append(raw)
            found = _STARTED.match(raw.decode("utf-8", "replace").strip())
            if found and not expired.is_set():
                on_started(found.group(1))
        process.wait()
    finally:
        timer.cancel()
    if expired.is_set():
        raise subprocess.TimeoutExpired(process.args, limit)
    return b"".join(lines)


def _kill_group(process: subprocess.Popen, *, only_leftovers: bool = False) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if not only_leftovers:
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            pass
