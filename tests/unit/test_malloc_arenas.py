"""The local stack caps glibc's malloc arenas for its process (infra/invoicing_infra/local/stack.py)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from invoicing_infra.local import stack


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt(M_ARENA_MAX) is glibc's")
def test_glibc_accepts_the_arena_cap():
    # In a child process: the cap is process-wide and this test process keeps its own.
    code = "from invoicing_infra.local.stack import _limit_malloc_arenas as cap; print(cap(2), cap(1))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=stack.__file__.rsplit("/invoicing_infra/", 1)[0])
    assert result.stdout.split() == ["True", "True"]


def test_run_caps_the_arenas_before_it_starts_the_stack(monkeypatch):
    calls = []

    class Stop(Exception):
        pass

    def fake_stack(*args, **kwargs):
        calls.append("stack")
        raise Stop

    monkeypatch.setattr(stack, "_limit_malloc_arenas", lambda: calls.append("cap"))
    monkeypatch.setattr(stack, "LocalStack", fake_stack)
    with pytest.raises(Stop):
        stack.run()
    assert calls == ["cap", "stack"]
