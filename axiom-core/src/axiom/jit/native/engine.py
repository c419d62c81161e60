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


# --- the disk cache of machine code ------------------------------------------------------------
#
# An entry is the machine code of one native module, as llvmlite's code generator emitted
# it for this CPU, under <home>/cache/native/<key>.bin where key = sha256(IR text, llvmlite
# version, CPU). The IR text is a function of the unit's bytecode, the types it was
# specialised on and the constants it read, so equal IR is equal code. A second run makes
# the same IR (jit/native/lower.py is plain Python on llvmlite.ir) and loads the entry
# into executable memory itself: llvmlite's compiler (llvmlite.binding, and the LLVM
# library behind it) is not imported at all.
#
# Only code that needs no relocation once loaded is cached: the object file's .text and
# read-only data (float constants), linked into one position-independent block
# (text_of_object applies the PC-relative relocations between them); native code calls
# libm and CPython through the context words for this reason. Anything else (writable
# data, an absolute address) is compiled in memory by MCJIT on every run.
#
# Integrity, as for .axc (ARCHITECTURE.md §6): the file is read without following
# symlinks, only when regular and under a size cap; it starts with a magic and a format
# version, names the IR hash, llvmlite version and CPU it was made for, and ends with the
# sha256 of everything before it. A truncated, flipped, foreign (another llvmlite or CPU)
# or mismatched entry is ignored and rebuilt, never executed.

MAGIC = b"AXNC"
FORMAT = 2  # 2: code linked with its read-only data
MAX_ENTRY = 64 * 1024 * 1024
_IDENTITY: list[bytes] = []


def identity() -> bytes:
    """The llvmlite version and the CPU (name and features), without importing llvmlite's
    compiler (llvmlite's package itself is cheap, and llvmlite.ir is imported already)."""
    if not _IDENTITY:
        import llvmlite
        _IDENTITY.append(f"llvmlite {llvmlite.__version__}\ncpu {_cpu()}".encode())
    return _IDENTITY[0]


def _cpu() -> str:
    import hashlib
    import platform
    text = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            seen = set()
            for line in f:
                key = line.split(":", 1)[0].strip()
                if key in ("vendor_id", "model name", "flags", "Features", "CPU implementer",
                           "CPU part", "CPU variant", "cpu family", "model", "stepping") and key not in seen:
                    seen.add(key)
                    text += line
    except OSError:
        pass
    return f"{platform.machine()} {hashlib.sha256(text.encode()).hexdigest()[:32]}" if text else ""


def entry_path(ir_text: str) -> tuple[str, bytes] | None:
    """Where the entry for `ir_text` lives, and the IR's hash; None when the CPU cannot be
    identified (nothing is cached then)."""
    import hashlib
    ident = identity()
    if ident.endswith(b"cpu "):
        return None
    from ... import conf
    ir_hash = hashlib.sha256(ir_text.encode()).digest()
    name = hashlib.sha256(ir_hash + b"\0" + ident).hexdigest()
    return conf.cache_file(f"native/{name}.bin"), ir_hash


def pack(ir_hash: bytes, ident: bytes, entry: int, code: bytes) -> bytes:
    import hashlib
    import struct
    body = (MAGIC + struct.pack("<II", FORMAT, len(ident)) + ident + ir_hash
            + struct.pack("<QQ", entry, len(code)) + code)
    return body + hashlib.sha256(body).digest()


def unpack(data: bytes, ir_hash: bytes, ident: bytes) -> tuple[int, bytes] | None:
    """(entry offset, code) of a sound entry made for `ir_hash` on `ident`, else None."""
    import hashlib
    import struct
    if len(data) < 4 + 8 + 32 + 16 + 32 or data[:4] != MAGIC:
        return None
    body, check = data[:-32], data[-32:]
    if hashlib.sha256(body).digest() != check:
        return None
    fmt, n = struct.unpack_from("<II", body, 4)
    k = 12
    if fmt != FORMAT or body[k:k + n] != ident:
        return None
    k += n
    if body[k:k + 32] != ir_hash:
        return None
    k += 32
    entry, size = struct.unpack_from("<QQ", body, k)
    k += 16
    code = body[k:]
    if len(code) != size or not entry < size:
        return None
    return entry, code


def load_cached(ir_text: str) -> int | None:
    """The address of `axiom_entry` from a sound cache entry, or None."""
    where = entry_path(ir_text)
    if where is None:
        return None
    from ... import conf
    try:
        data = conf.read_regular(where[0], MAX_ENTRY)
    except OSError:
        return None
    found = unpack(data, where[1], identity())
    if found is None:
        return None
    return map_code(found[1]) + found[0]


def text_of_object(obj: bytes) -> tuple[int, bytes] | None:
    """(offset of axiom_entry, code) of an ELF object, linked into one position-independent
    block: its .text, then its read-only data (the constant pools of float code), with the
    PC-relative relocations between them applied (x86-64's R_X86_64_PC32 and PLT32). None
    when the object needs anything else: writable data, a symbol outside it, an absolute
    relocation, another machine (only an object that needs no relocation at all is taken
    there)."""
    import struct
    if obj[:4] != b"\x7fELF" or obj[4] != 2 or obj[5] != 1:  # 64-bit little-endian ELF only
        return None
    machine, = struct.unpack_from("<H", obj, 0x12)
    shoff, = struct.unpack_from("<Q", obj, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", obj, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", obj, shoff + i * shentsize) for i in range(shnum)]

    def name(table: int, at: int) -> bytes:
        start = sections[table][4] + at
        return obj[start:obj.index(b"\0", start)]

    placed: dict[int, int] = {}  # section -> its offset in the block
    block = bytearray()
    relas = []
    symtab = None
    for i, (sname, stype, flags, _, off, size, link, info, align, _) in enumerate(sections):
        if stype == 9:  # SHT_REL: not made by LLVM for x86-64
            return None
        if stype == 4:
            relas.append((off, size, link, info))
        if stype == 2:
            symtab = (off, size, link)
        if flags & 2 and size:  # SHF_ALLOC
            title = name(shstrndx, sname)
            if stype != 1 or flags & 1 or not (title.startswith(b".text") or title.startswith(b".rodata")):
                return None  # writable, uninitialised or other data: not cached
            at = -len(block) % max(align, 1)
            block += b"\0" * at
            placed[i] = len(block)
            block += obj[off:off + size]
    if not placed or symtab is None:
        return None
    soff, ssize, slink = symtab
    symbols = [struct.unpack_from("<IBBHQQ", obj, k) for k in range(soff, soff + ssize, 24)]
    for off, size, _, target in relas:
        if target not in placed:
            if sections[target][2] & 2:  # a relocation of allocated code or data not placed
                return None
            continue  # of debug or other sections that are not loaded
        if machine != 62:  # EM_X86_64: relocations are applied on x86-64 only
            return None
        for k in range(off, off + size, 24):
            r_offset, r_info, addend = struct.unpack_from("<QQq", obj, k)
            kind, sym = r_info & 0xFFFFFFFF, r_info >> 32
            if kind not in (2, 4):  # R_X86_64_PC32, R_X86_64_PLT32
                return None
            _, _, _, shndx, value, _ = symbols[sym]
            if shndx not in placed:
                return None
            where = placed[target] + r_offset
            delta = placed[shndx] + value + addend - where
            if not -(1 << 31) <= delta < (1 << 31):
                return None
            struct.pack_into("<i", block, where, delta)
    for st_name, _, _, shndx, value, _ in symbols:
        if shndx in placed and name(slink, st_name) == b"axiom_entry":
            return placed[shndx] + value, bytes(block)
    return None


def map_code(code: bytes) -> int:
    """`code` copied into memory of its own, made executable (read and execute, not write)."""
    import mmap
    size = max(len(code), 1)
    m = mmap.mmap(-1, size, prot=mmap.PROT_READ | mmap.PROT_WRITE)
    m.write(code)
    buf = (ctypes.c_char * size).from_buffer(m)
    addr = ctypes.addressof(buf)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    if libc.mprotect(addr, size, mmap.PROT_READ | mmap.PROT_EXEC) != 0:
        raise OSError(ctypes.get_errno(), "mprotect failed")
    _KEEP.append((m, buf))
    return addr


def compile_and_cache(ir_text: str, use_cache: bool, look: bool = True) -> int:
    """The address of `axiom_entry`: from the cache (when `look`), or compiled (and cached
    when the code needs no relocation)."""
    if use_cache and look:
        addr = load_cached(ir_text)
        if addr is not None:
            return addr
    mod = optimise(ir_text)
    obj = target_machine().emit_object(mod)
    found = text_of_object(obj)
    where = entry_path(ir_text) if found is not None else None
    if found is None or where is None:
        return load_jit(mod, ["axiom_entry"])["axiom_entry"]
    if use_cache:
        from ... import conf
        conf.write_atomic(where[0], pack(where[1], identity(), found[0], found[1]))
    return map_code(found[1]) + found[0]
