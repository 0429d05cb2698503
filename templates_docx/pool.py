"""The render pool: child processes that run templates under memory and time limits.

A thread cannot be stopped inside C code, a child process can (DESIGN.md). Each child
caps its address space (``RENDER_MEMORY_MB``) and keeps its own cache of compiled
templates, so a batch sends a template's bytes to a child once. The parent waits at
most ``RENDER_SECONDS`` for an answer; a child that overruns is killed and replaced,
and the caller gets ``RenderFailed`` with the reason while the worker carries on.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
from dataclasses import dataclass

from django.conf import settings


class RenderFailed(Exception):
    """A render that ended in an error, a timeout or an exhausted memory limit (message in Chinese)."""


@dataclass
class _Child:
    process: multiprocessing.Process
    connection: object
    known: set


def _child_main(connection, memory_bytes: int) -> None:
    import resource

    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError

    from templates_docx import rendering

    templates: dict[str, bytes] = {}
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        digest, data, context = message
        if data is not None:
            templates[digest] = data
        try:
            rendered = rendering.render_docx(templates[digest], context)
            connection.send(("ok", rendered.docx, rendered.missing))
        except MemoryError:
            connection.send(("memory", "", []))
            return  # a process that ran out of memory is not trusted with the next render
        except SecurityError as exc:
            connection.send(("error", f"模板执行了不允许的操作：{exc}", []))
        except rendering.TemplateRefused as exc:
            connection.send(("error", "；".join(exc.problems), []))
        except TemplateError as exc:
            connection.send(("error", f"模板错误：{exc}", []))
        except Exception as exc:  # the template's fault, reported; the child stays usable
            connection.send(("error", f"生成失败：{exc.__class__.__name__}: {exc}", []))


class RenderPool:
    """Up to ``size`` children, started on first use and shared by the process's threads."""

    def __init__(self, *, size: int, memory_mb: int, seconds: float):
        self.size = size
        self.memory_bytes = memory_mb * 1024 * 1024
        self.seconds = seconds
        self._idle: queue.LifoQueue[_Child] = queue.LifoQueue()
        self._started = 0
        self._lock = threading.Lock()
        self._context = multiprocessing.get_context("spawn")

    def _start(self) -> _Child:
        parent_end, child_end = self._context.Pipe()
        process = self._context.Process(
            target=_child_main, args=(child_end, self.memory_bytes), daemon=True, name="fasu-render"
        )
        process.start()
        child_end.close()
        return _Child(process=process, connection=parent_end, known=set())

    def _acquire(self) -> _Child:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            start = self._started < self.size
            if start:
                self._started += 1
        if start:
            try:
                return self._start()
            except BaseException:
                with self._lock:
                    self._started -= 1
                raise
        return self._idle.get()

    def _discard(self, child: _Child) -> None:
        child.process.kill()
        child.process.join(5)
        child.connection.close()
        with self._lock:
            self._started -= 1

    def render(self, *, template: bytes, digest: str, context: dict) -> tuple[bytes, list[str]]:
        """The DOCX and its missing elements; raises ``RenderFailed``."""
        child = self._acquire()
        try:
            child.connection.send((digest, None if digest in child.known else template, context))
            child.known.add(digest)
            if not child.connection.poll(self.seconds):
                self._discard(child)
                child = None
                raise RenderFailed(f"生成超时（超过 {self.seconds:g} 秒），模板可能含有失控的循环")
            status, payload, missing = child.connection.recv()
            if status == "memory":  # the child exits after a MemoryError
                self._discard(child)
                child = None
        except (EOFError, OSError, BrokenPipeError):
            if child is not None:
                self._discard(child)
                child = None
            raise RenderFailed("生成进程意外退出（可能超出内存限制）") from None
        except BaseException:
            if child is not None:
                self._discard(child)
                child = None
            raise
        finally:
            if child is not None and child.process.is_alive():
                self._idle.put(child)
            elif child is not None:
                self._discard(child)
        if status == "memory":
            raise RenderFailed(f"生成超出内存限制（{self.memory_bytes // 1024 // 1024} MB）")
        if status != "ok":
            raise RenderFailed(payload)
        return payload, missing

    def close(self) -> None:
        while True:
            try:
                child = self._idle.get_nowait()
            except queue.Empty:
                return
            self._discard(child)


_POOL: RenderPool | None = None
_POOL_PID = 0
_POOL_LOCK = threading.Lock()


def render_pool() -> RenderPool:
    """This process's pool (a forked worker process gets a pool of its own)."""
    global _POOL, _POOL_PID
    with _POOL_LOCK:
        if _POOL is None or _POOL_PID != os.getpid():
            _POOL = RenderPool(
                size=settings.RENDER_PROCESSES,
                memory_mb=settings.RENDER_MEMORY_MB,
                seconds=settings.RENDER_SECONDS,
            )
            _POOL_PID = os.getpid()
        return _POOL
