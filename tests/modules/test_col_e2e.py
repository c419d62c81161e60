"""col end to end: a script's concurrent_dict updated from many host threads at once,
each calling back into the script (the way `con` tasks will)."""

from __future__ import annotations

import threading

from axiom.runtime import Runtime


def test_concurrent_dict_update_from_threads_running_script_callbacks():
    rt = Runtime()
    rt.eval("""
import col
let counts = col.concurrent_dict()
fn bump(key) { counts.update(key, |n| n + 1, 0) }
""")
    barrier = threading.Barrier(8)
    errors = []

    def work(i):
        try:
            barrier.wait()
            for _ in range(250):
                rt.call("bump", "hits")
                rt.call("bump", f"t{i}")
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert rt.eval('counts.get("hits")') == 2000
    assert rt.eval("counts.to_dict()") == {"hits": 2000, **{f"t{i}": 250 for i in range(8)}}
    rt.close()


def test_script_sees_col_values_as_plain_values():
    rt = Runtime()
    got = rt.eval("""
import col
let g = col.list_group_by([1, 2, 3, 4], |n| if n % 2 == 0 then "even" else "odd")
[typeof(g), g, col.list_count([1, 2, 3], |n| n > 1), typeof(col.set_new([1]))]
""")
    assert got == ["dict", {"odd": [1, 3], "even": [2, 4]}, 2, "set"]
    rt.close()
