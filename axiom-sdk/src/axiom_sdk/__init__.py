"""axiom_sdk: what an Axiom module author needs, and the value types the core shares.

    from axiom_sdk import Module
    module = Module("mth", summary="Math: trigonometry and constants")

    @module.export
    def sqrt(x: float) -> float:
        '''Square root of x.'''

Public surface only; the parts live in `_values.py` (value types, typeof, display),
`_convert.py` (Python <-> Axiom conversions), `_module.py` (Module, exports),
`_processes.py` (work in other processes: shipping values, starting workers),
`errors.py`, `hookspecs.py` (pluggy; import it explicitly) and `testing.py`.
"""

from ._convert import check_int, to_axiom, to_data, to_float, to_int
from ._module import (
    API_VERSION,
    CAPABILITIES,
    BoundMethod,
    Constant,
    Export,
    Module,
    Run,
    bounded_wait,
    capability_check,
    current_run,
    host_function,
    io_error,
    memory_check,
    os_error_reason,
    require,
    script_position,
    spawn_thread,
    time_left,
    time_waited,
)
from ._values import (
    INT_MAX,
    INT_MIN,
    BoundedList,
    Class,
    ForeignInfo,
    Function,
    Instance,
    Iterator,
    Range,
    Set,
    display,
    equal,
    truthy,
    typeof,
)
from .errors import KINDS, AxiomError, error

__version__ = "0.1.0"

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._processes import (
        is_script_function,
        job_runner,
        read_frame,
        ship,
        unship,
        worker_setup,
        write_frame,
        write_output,
    )
    from ._protocol import AxiomModule
    from ._urls import is_url, open_url

# Loaded at first use, not by `import axiom_sdk` (a run that starts no process and opens
# no URL does not pay for them at start-up): name -> its module
_LAZY = {"AxiomModule": "_protocol", "is_url": "_urls", "open_url": "_urls",
         **dict.fromkeys(("is_script_function", "job_runner", "read_frame", "ship", "unship",
                          "worker_setup", "write_frame", "write_output"), "_processes")}


def __getattr__(name: str) -> object:
    part = _LAZY.get(name)
    if part is None:
        raise AttributeError(f"module 'axiom_sdk' has no attribute {name!r}")
    import sys
    __import__(f"{__name__}.{part}")
    value = getattr(sys.modules[f"{__name__}.{part}"], name)
    globals()[name] = value
    return value

__all__ = [
    "API_VERSION", "CAPABILITIES", "INT_MAX", "INT_MIN", "KINDS",
    "AxiomError", "AxiomModule", "BoundMethod", "BoundedList", "Class", "Constant", "Export",
    "ForeignInfo", "Function", "Instance", "Iterator", "Module", "Range", "Run", "Set",
    "bounded_wait", "capability_check", "check_int", "current_run", "host_function", "io_error", "is_url", "memory_check", "open_url", "os_error_reason", "script_position", "spawn_thread", "time_left", "time_waited", "display", "equal", "error", "require",
    "is_script_function", "job_runner", "read_frame", "ship", "unship", "worker_setup",
    "write_frame", "write_output", "to_axiom", "to_data",
    "to_float", "to_int", "truthy", "typeof",
]
