"""pth on real folders, called as scripts call it."""

import os
import shutil
import tempfile
import tracemalloc

import pytest

from axiom_pth import module
from axiom_sdk import AxiomError, Iterator
from axiom_sdk.testing import call, raises, rerun_where_file_modes_bind


def err(name, *args, **kwargs):
    e = raises(module, name, *args, **kwargs)
    return e.kind, e.message


def make(tmp_path, files):
    for rel in files:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(rel)


# --- walk_dir ----------------------------------------------------------------------------

def test_walk_dir_yields_file_paths_sorted(tmp_path):
    make(tmp_path, ["b.txt", "a/z.txt", "a/b/c.txt", "a-b.txt", "a.txt", "c/d/e/f.txt"])
    (tmp_path / "empty").mkdir()
    it = call(module, "walk_dir", str(tmp_path))
    assert type(it) is Iterator
    got = list(it)
    assert got == [str(tmp_path / r) for r in
                   ["a-b.txt", "a.txt", "a/b/c.txt", "a/z.txt", "b.txt", "c/d/e/f.txt"]]
    assert got == sorted(got)


def test_walk_dir_reports_an_unreadable_folder_and_goes_on(tmp_path, request, capfd):
    if rerun_where_file_modes_bind(request):
        return
    for name in ("a/1.txt", "b/secret/2.txt", "b/3.txt", "c/4.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    locked = tmp_path / "b" / "secret"
    os.chmod(locked, 0)
    try:
        got = list(call(module, "walk_dir", str(tmp_path)))
        assert got == [str(tmp_path / n) for n in ("a/1.txt", "b/3.txt", "c/4.txt")]
        assert capfd.readouterr().err == f"pth.walk_dir: skipped {locked}: permission denied\n"
        it = call(module, "walk_dir", str(tmp_path), on_error="raise")
        assert next(it) == str(tmp_path / "a" / "1.txt")
        with pytest.raises(AxiomError) as e:
            list(it)
        assert (e.value.kind, e.value.message) == (
            "IOError", f"pth.walk_dir: {locked}: permission denied")
        e2 = raises(module, "walk_dir", str(tmp_path), on_error="stop")
        assert (e2.kind, e2.message) == (
            "ValueError", "pth.walk_dir: on_error must be \"skip\" or \"raise\", got 'stop'")
    finally:
        os.chmod(locked, 0o755)


def test_walk_dir_keeps_a_relative_root(tmp_path, monkeypatch):
    make(tmp_path, ["d/x.txt", "d/y/z.txt"])
    monkeypatch.chdir(tmp_path)
    assert list(call(module, "walk_dir", "d")) == ["d/x.txt", "d/y/z.txt"]


def test_walk_dir_never_follows_a_symlink_loop(tmp_path):
    make(tmp_path, ["a/f.txt"])
    (tmp_path / "a" / "loop").symlink_to(tmp_path)  # a -> .. -> a -> ...
    (tmp_path / "a" / "self").symlink_to(tmp_path / "a")
    (tmp_path / "link.txt").symlink_to(tmp_path / "a" / "f.txt")
    (tmp_path / "dangling").symlink_to(tmp_path / "missing")
    assert list(call(module, "walk_dir", str(tmp_path))) == [
        str(tmp_path / "a" / "f.txt"), str(tmp_path / "link.txt")]


def _tree(root, folders=100, per=100):
    for d in range(folders):
        sub = root / f"d{d:03}"
        sub.mkdir()
        for f in range(per):
            (sub / f"f{f:03}.txt").write_bytes(b"")


def test_walk_dir_streams_a_tree_of_ten_thousand_files(tmp_path, monkeypatch):
    _tree(tmp_path)
    scanned = []
    real_scandir = os.scandir

    def counting_scandir(path):
        scanned.append(path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", counting_scandir)
    it = call(module, "walk_dir", str(tmp_path))
    first = [next(it) for _ in range(5)]
    assert first == [str(tmp_path / "d000" / f"f{i:03}.txt") for i in range(5)]
    assert len(scanned) == 2  # the top and the first folder, not the 100 others
    (tmp_path / "d099" / "late.txt").write_bytes(b"")  # made after the walk began
    rest = list(it)
    assert len(scanned) == 101
    assert len(first) + len(rest) == 10_001
    assert rest[-1] == str(tmp_path / "d099" / "late.txt")


def test_walk_dir_holds_one_folder_at_a_time(tmp_path):
    _tree(tmp_path)
    tracemalloc.start()
    try:
        it = call(module, "walk_dir", str(tmp_path))
        next(it)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200_000  # the 10,000 paths as a list would take over 1 MB
    assert sum(1 for _ in it) == 9_999


def test_walk_dir_errors(tmp_path):
    f = tmp_path / "f.txt"
    f.write_text("x")
    missing = str(tmp_path / "nope")
    assert err("walk_dir", missing) == ("IOError", f"pth.walk_dir: {missing}: no such file or directory")
    assert err("walk_dir", str(f)) == ("IOError", f"pth.walk_dir: {f}: not a directory")
    assert err("walk_dir", 5) == ("TypeError", "pth.walk_dir: argument 'path' expects str, got int")


def test_walk_dir_on_error_raise_names_an_unreadable_folder(tmp_path, request):
    if rerun_where_file_modes_bind(request):
        return
    make(tmp_path, ["a/x.txt", "b/y.txt"])
    os.chmod(tmp_path / "b", 0)
    it = call(module, "walk_dir", str(tmp_path), on_error="raise")
    assert next(it) == str(tmp_path / "a" / "x.txt")
    with pytest.raises(Exception) as info:
        next(it)
    assert (info.value.kind, info.value.message) == (
        "IOError", f"pth.walk_dir: {tmp_path / 'b'}: permission denied")
    os.chmod(tmp_path / "b", 0o700)


# --- looking -----------------------------------------------------------------------------

def test_list_dir_gives_sorted_names(tmp_path):
    make(tmp_path, ["b.txt", "a/x.txt", "C.txt", ".hidden"])
    assert call(module, "list_dir", str(tmp_path)) == [".hidden", "C.txt", "a", "b.txt"]
    assert call(module, "list_dir", str(tmp_path / "a")) == ["x.txt"]
    missing = str(tmp_path / "nope")
    assert err("list_dir", missing) == ("IOError", f"pth.list_dir: {missing}: no such file or directory")
    assert err("list_dir", str(tmp_path / "b.txt")) == (
        "IOError", f"pth.list_dir: {tmp_path / 'b.txt'}: not a directory")


def test_exists_is_file_is_dir(tmp_path):
    make(tmp_path, ["f.txt"])
    (tmp_path / "dangling").symlink_to(tmp_path / "missing")
    f, d = str(tmp_path / "f.txt"), str(tmp_path)
    assert [call(module, "path_exists", p) for p in (f, d, d + "/nope", d + "/dangling")] == \
        [True, True, False, False]
    assert [call(module, "is_file", p) for p in (f, d, d + "/nope")] == [True, False, False]
    assert [call(module, "is_dir", p) for p in (f, d, d + "/nope")] == [False, True, False]


def test_path_resolve(tmp_path, monkeypatch):
    real = tmp_path.resolve()
    (real / "sub").mkdir()
    (real / "link").symlink_to(real / "sub")
    monkeypatch.chdir(real)
    assert call(module, "path_resolve", "sub/../sub/./x") == str(real / "sub" / "x")
    assert call(module, "path_resolve", "link") == str(real / "sub")
    assert call(module, "path_resolve", ".") == str(real)


def test_glob_is_sorted_and_recursive(tmp_path):
    make(tmp_path, ["b.txt", "a.txt", "c.md", "s/d.txt", "s/t/e.txt", ".h.txt"])
    assert call(module, "glob", str(tmp_path / "*.txt")) == [str(tmp_path / n) for n in ("a.txt", "b.txt")]
    assert call(module, "glob", str(tmp_path / "**" / "*.txt")) == [
        str(tmp_path / n) for n in ("a.txt", "b.txt", "s/d.txt", "s/t/e.txt")]
    assert call(module, "glob", str(tmp_path / "?.md")) == [str(tmp_path / "c.md")]
    assert call(module, "glob", str(tmp_path / ".*.txt")) == [str(tmp_path / ".h.txt")]
    assert call(module, "glob", str(tmp_path / "nothing*")) == []


@pytest.mark.parametrize("pattern", [
    "**/*.txt", "**/t/*.txt", "s/**/*.txt", "**/?.txt", "**/[ab].*", "*/**/e.txt", "**/.h.txt",
    "**/s", "**/nothing",
])
def test_glob_with_two_stars_agrees_with_python_without_symlinks(tmp_path, monkeypatch, pattern):
    import glob as pyglob
    make(tmp_path, ["b.txt", "a.txt", "c.md", "s/d.txt", "s/t/e.txt", ".h.txt", ".hid/x.txt",
                    "s/.q/y.txt"])
    for base in (str(tmp_path), ""):
        if not base:
            monkeypatch.chdir(tmp_path)
        full = os.path.join(base, pattern) if base else pattern
        assert call(module, "glob", full) == sorted(pyglob.glob(full, recursive=True)), full


def test_glob_with_two_stars_never_enters_symlinked_folders(tmp_path):
    make(tmp_path, ["a/f.txt"])
    (tmp_path / "a" / "loop1").symlink_to(tmp_path)
    (tmp_path / "a" / "loop2").symlink_to(tmp_path / "a")  # Python's glob: 2**40 paths
    assert call(module, "glob", str(tmp_path / "**" / "*.txt")) == [str(tmp_path / "a" / "f.txt")]
    assert call(module, "glob", str(tmp_path / "a" / "**")) == [
        str(tmp_path / "a" / n) for n in ("f.txt", "loop1", "loop2")]
    # one level through a link is an ordinary match, as in a shell
    assert call(module, "glob", str(tmp_path / "a" / "loop2" / "*.txt")) == [
        str(tmp_path / "a" / "loop2" / "f.txt")]


# --- strings -----------------------------------------------------------------------------

@pytest.mark.parametrize("name, args, result", [
    ("path_join", ("a", "b", "c.txt"), "a/b/c.txt"),
    ("path_join", ("a/", "b"), "a/b"),
    ("path_join", ("a", "/abs", "x"), "/abs/x"),
    ("path_join", ("only",), "only"),
    ("path_basename", ("a/b.txt",), "b.txt"),
    ("path_basename", ("a/",), ""),
    ("path_basename", ("b.txt",), "b.txt"),
    ("path_dirname", ("a/b.txt",), "a"),
    ("path_dirname", ("/a/b/c",), "/a/b"),
    ("path_dirname", ("b.txt",), ""),
    ("path_ext", ("a/b.tar.gz",), ".gz"),
    ("path_ext", ("a/b",), ""),
    ("path_ext", (".bashrc",), ""),
    ("path_ext", ("a.d/b",), ""),
])
def test_string_functions(name, args, result):
    assert call(module, name, *args) == result


def test_string_function_errors():
    assert err("path_join") == ("TypeError", "pth.path_join: expected at least 1 argument, got 0")
    assert err("path_join", "a", 1) == ("TypeError", "pth.path_join: argument 'parts' expects str, got int")
    assert err("path_basename", "a\0b") == ("ValueError", "pth.path_basename: a path may not contain a NUL byte")


@pytest.mark.parametrize("name, args", [
    ("path_exists", ("a\0",)), ("list_dir", ("a\0",)), ("walk_dir", ("a\0",)), ("is_file", ("a\0",)),
    ("mkdir", ("a\0",)), ("remove", ("a\0",)), ("rename", ("a\0", "b")), ("copy", ("a", "b\0")),
    ("glob", ("*\0",)), ("path_resolve", ("a\0",)),
])
def test_a_nul_byte_in_a_path_is_a_value_error(name, args):
    assert err(name, *args) == ("ValueError", f"pth.{name}: a path may not contain a NUL byte")


# --- changing ----------------------------------------------------------------------------

def test_mkdir(tmp_path):
    deep = tmp_path / "a" / "b" / "c"
    assert call(module, "mkdir", str(deep)) is None
    assert deep.is_dir()
    call(module, "mkdir", str(deep))  # already there: fine with parents
    assert err("mkdir", str(deep), parents=False) == ("IOError", f"pth.mkdir: {deep}: already exists")
    other = tmp_path / "x" / "y"
    assert err("mkdir", str(other), parents=False) == ("IOError", f"pth.mkdir: {other}: no such file or directory")
    call(module, "mkdir", str(tmp_path / "x"), parents=False)
    assert (tmp_path / "x").is_dir()
    make(tmp_path, ["f"])
    assert err("mkdir", str(tmp_path / "f")) == ("IOError", f"pth.mkdir: {tmp_path / 'f'}: already exists")


def test_remove(tmp_path):
    make(tmp_path, ["f.txt", "full/a/b.txt"])
    (tmp_path / "empty").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "full")
    call(module, "remove", str(tmp_path / "f.txt"))
    call(module, "remove", str(tmp_path / "empty"))
    call(module, "remove", str(tmp_path / "link"))  # the link, not its target
    assert (tmp_path / "full" / "a" / "b.txt").exists()
    full = tmp_path / "full"
    assert err("remove", str(full)) == (
        "IOError", f"pth.remove: {full}: directory not empty (remove it with recursive=true)")
    call(module, "remove", str(full), recursive=True)
    assert os.listdir(tmp_path) == []
    missing = tmp_path / "nope"
    assert err("remove", str(missing)) == ("IOError", f"pth.remove: {missing}: no such file or directory")


def test_rename(tmp_path):
    make(tmp_path, ["a.txt", "b.txt", "d/x.txt"])
    call(module, "rename", str(tmp_path / "a.txt"), str(tmp_path / "c.txt"))
    assert sorted(os.listdir(tmp_path)) == ["b.txt", "c.txt", "d"]
    call(module, "rename", str(tmp_path / "c.txt"), str(tmp_path / "b.txt"))  # replaces b
    assert (tmp_path / "b.txt").read_text() == "a.txt"
    call(module, "rename", str(tmp_path / "d"), str(tmp_path / "e"))
    assert (tmp_path / "e" / "x.txt").read_text() == "d/x.txt"
    missing = tmp_path / "nope"
    assert err("rename", str(missing), str(tmp_path / "z")) == (
        "IOError", f"pth.rename: {missing}: no such file or directory")


def test_rename_across_file_systems(tmp_path):
    shm = "/dev/shm"
    if not os.path.isdir(shm) or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second file system to move to")
    make(tmp_path, ["t/a.txt", "t/s/b.txt"])
    dst = tempfile.mkdtemp(dir=shm)
    try:
        call(module, "rename", str(tmp_path / "t"), dst + "/t")
        assert not (tmp_path / "t").exists()
        assert open(dst + "/t/s/b.txt").read() == "t/s/b.txt"
    finally:
        shutil.rmtree(dst)


def test_copy_a_file(tmp_path):
    make(tmp_path, ["a.txt", "b.txt"])
    os.chmod(tmp_path / "a.txt", 0o640)
    call(module, "copy", str(tmp_path / "a.txt"), str(tmp_path / "c.txt"))
    assert (tmp_path / "c.txt").read_text() == "a.txt"
    assert os.stat(tmp_path / "c.txt").st_mode & 0o777 == 0o640
    call(module, "copy", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"))  # replaces
    assert (tmp_path / "b.txt").read_text() == "a.txt"
    (tmp_path / "dir").mkdir()
    assert err("copy", str(tmp_path / "a.txt"), str(tmp_path / "dir")) == (
        "IOError", f"pth.copy: {tmp_path / 'dir'}: is a directory")
    assert err("copy", str(tmp_path / "a.txt"), str(tmp_path / "a.txt")) == (
        "IOError", f"pth.copy: {tmp_path / 'a.txt'} and {tmp_path / 'a.txt'} are the same file")
    missing = tmp_path / "nope"
    assert err("copy", str(missing), str(tmp_path / "z")) == (
        "IOError", f"pth.copy: {missing}: no such file or directory")


def test_copy_a_tree(tmp_path):
    make(tmp_path, ["src/a.txt", "src/s/b.txt"])
    (tmp_path / "src" / "loop").symlink_to(tmp_path / "src")
    call(module, "copy", str(tmp_path / "src"), str(tmp_path / "dst"))
    assert (tmp_path / "dst" / "s" / "b.txt").read_text() == "src/s/b.txt"
    assert os.readlink(tmp_path / "dst" / "loop") == str(tmp_path / "src")
    assert err("copy", str(tmp_path / "src"), str(tmp_path / "dst")) == (
        "IOError", f"pth.copy: {tmp_path / 'dst'}: already exists")


def test_temp_dir():
    d = call(module, "temp_dir")
    try:
        assert os.path.isdir(d) and os.listdir(d) == []
        assert os.path.basename(d).startswith("axiom-")
        assert os.path.dirname(d) == tempfile.gettempdir()
    finally:
        os.rmdir(d)
    d = call(module, "temp_dir", prefix="mine-")
    os.rmdir(d)
    assert os.path.basename(d).startswith("mine-")
    assert err("temp_dir", prefix="a/b") == ("ValueError", "pth.temp_dir: the prefix may not contain a separator")


def test_capabilities_are_declared():
    needs = {n: module.get_symbol(n).needs for n in module.list_exports()}
    for n in ("walk_dir", "list_dir", "path_exists", "is_file", "is_dir", "path_resolve"):
        assert needs[n] == [("fs.read", "path")], n
    assert needs["glob"] == [("fs.read", "pattern")]
    assert needs["mkdir"] == [("fs.write", "path")] and needs["remove"] == [("fs.write", "path")]
    assert needs["rename"] == [("fs.write", "src"), ("fs.write", "dst")]
    assert needs["copy"] == [("fs.read", "src"), ("fs.write", "dst")]
    for n in ("path_join", "path_basename", "path_dirname", "path_ext"):
        assert needs[n] == [], n
    for n in module.list_exports():
        assert module.get_symbol(n).summary, n
