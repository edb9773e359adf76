"""The conflict check's page setting is restored after the call, also on error."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from humansec.conflicts.pages import _switch, small_pages


def _current() -> bool:
    switch = _switch()
    assert switch is not None, "numpy has no madvise switch: small_pages does nothing"
    before = switch(True)
    switch(before)
    return before


def test_small_pages_turns_huge_pages_off_inside_and_restores_them() -> None:
    switch = _switch()
    assert switch is not None
    original = switch(True)
    try:
        with small_pages():
            assert _current() is False
            with small_pages():
                assert _current() is False
            assert _current() is False  # the inner block leaves the outer one's setting
            np.ones(1 << 20)  # arrays still work
        assert _current() is True
        with pytest.raises(RuntimeError), small_pages():
            raise RuntimeError("boom")
        assert _current() is True
    finally:
        switch(original)


def test_small_pages_gives_pyarrow_the_system_allocator_inside_and_restores_its_own() -> None:
    before = pa.default_memory_pool().backend_name
    with small_pages():
        assert pa.default_memory_pool().backend_name == "system"
        with small_pages():
            assert pa.default_memory_pool().backend_name == "system"
        assert pa.default_memory_pool().backend_name == "system"  # the outer block still holds
        taken = pa.array(["a", "b"]).take(pa.array([1, 1, 0]))  # buffers made in the block
    assert pa.default_memory_pool().backend_name == before
    assert taken.to_pylist() == ["b", "b", "a"]  # and still readable after it
    with pytest.raises(RuntimeError), small_pages():
        raise RuntimeError("boom")
    assert pa.default_memory_pool().backend_name == before
