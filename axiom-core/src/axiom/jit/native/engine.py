"""Machine code for native units: llvmlite's code generator, once per process.

Pipeline position: after lower.py. Imports llvmlite (the first native compile pays for it).
"""

from __future__ import annotations

import ctypes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_TM: Any = None
_KEEP: list[Any] = []  # execution engines: their code lives as long as the process


def target_machine() -> Any:
    global _TM
    if _TM is None:
        import llvmlite.binding as llvm
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        target = llvm.Target.from_default_triple()
        _TM = target.create_target_machine(cpu=llvm.get_host_cpu_name(),
                                           features=llvm.get_host_cpu_features().flatten(),
                                           opt=3, reloc="pic", codemodel="small")
    return _TM


def optimise(ir_text: str) -> Any:
    """The module parsed, verified and optimised (IR passes at level 3, no fast-math)."""
    import llvmlite.binding as llvm
    tm = target_machine()
    mod = llvm.parse_assembly(ir_text)
    mod.verify()
    pto = llvm.create_pipeline_tuning_options(speed_level=3)
    pb = llvm.create_pass_builder(tm, pto)
    pb.getModulePassManager().run(mod, pb)
    return mod


def load_jit(mod: Any, names: list[str]) -> dict[str, int]:
    """Addresses of `names` in `mod`, compiled in memory by MCJIT."""
    import llvmlite.binding as llvm
    ee = llvm.create_mcjit_compiler(mod, target_machine())
    ee.finalize_object()
    _KEEP.append(ee)
    return {n: ee.get_function_address(n) for n in names}


def libm_addresses(names: tuple[str, ...]) -> list[int]:
    libc = ctypes.CDLL(None)
    out = []
    for n in names:
        out.append(ctypes.cast(getattr(libc, n), ctypes.c_void_p).value or 0)
    return out
