"""`axiom mod info NAME` lists every function MODULES.md gives each of the 22 standard
modules, each with its signature and a one-line doc."""

from __future__ import annotations

import pytest

from support.axiom_run import cli

# The functions each module's row in MODULES.md lists (the contract; modules may add more).
FUNCTIONS = {
    "alg": ["add_edge", "bfs", "binary_search", "connected_components", "dfs", "dijkstra", "find", "graph_new", "quicksort", "topo_sort"],
    "ann": ["assert_type", "is_bool", "is_callable", "is_dict", "is_float", "is_int", "is_list", "is_nil", "is_str", "to_float", "to_int", "to_str", "typeof"],
    "aut": ["cancel_job", "cancel_watch", "next_runs", "notify_on_change", "schedule_cron", "wait", "watch_dir"],
    "clr": ["bold", "color_bg", "color_text", "hex", "italic", "palette_ansi", "rgb", "strip", "truecolor", "underline"],
    "col": ["concurrent_dict", "dict_get", "dict_has", "dict_items", "dict_keys", "dict_merge", "dict_new", "dict_remove", "dict_set", "dict_values", "list_chunk", "list_count", "list_flatten", "list_group_by", "list_unique", "list_zip", "set_add", "set_difference", "set_has", "set_intersection", "set_new", "set_remove", "set_union"],
    "con": ["barrier_new", "channel_close", "channel_create", "channel_recv", "channel_send", "channel_try_recv", "cluster_connect", "mutex_new", "parallel_map", "rwlock_new", "spawn_process", "spawn_task"],
    "csv": ["csv_filter", "csv_read", "csv_rows", "csv_to_json", "csv_write"],
    "dfm": ["df_columns", "df_filter", "df_from_dict", "df_from_list", "df_group_by", "df_head", "df_join", "df_read_csv", "df_read_parquet", "df_scan_csv", "df_scan_parquet", "df_select", "df_shape", "df_sort", "df_sql", "df_to_csv", "df_to_list", "df_to_parquet"],
    "env": ["env_all", "env_load_dotenv", "env_set", "env_unset", "env_var"],
    "git": ["git_add", "git_branch_list", "git_checkout", "git_clone", "git_commit", "git_diff", "git_init", "git_log", "git_pull", "git_push", "git_remote_add", "git_status"],
    "ioo": ["buffer_clear", "buffer_new", "buffer_read", "buffer_write", "file_append", "file_lines", "file_read", "file_read_bytes", "file_write", "pipe_open", "pipe_run", "stdin_lines", "stdin_read"],
    "jsn": ["json_parse", "json_pretty", "json_read", "json_stringify", "json_write"],
    "log": ["debug", "error", "info", "progress_bar", "progress_finish", "progress_update", "set_level", "spinner", "warn"],
    "mth": ["abs", "acos", "asin", "atan", "atan2", "ceil", "clamp", "cos", "exp", "factorial", "floor", "gcd", "hypot", "is_inf", "is_nan", "ln", "log", "log10", "pow", "round", "sin", "sqrt", "tan"],
    "num": ["arange", "det", "dot", "inv", "linspace", "matmul", "max", "mean", "min", "multiply", "ones", "random", "reshape", "shape", "solve", "std", "sum", "to_list", "transpose", "vector", "zeros"],
    "plt": ["add_line", "add_scatter", "figure", "plot_bar", "plot_histogram", "plot_line", "plot_save", "plot_scatter"],
    "pth": ["copy", "glob", "is_dir", "is_file", "list_dir", "mkdir", "path_basename", "path_dirname", "path_exists", "path_ext", "path_join", "path_resolve", "remove", "rename", "temp_dir", "walk_dir"],
    "str": ["chars", "contains", "ends_with", "join", "length", "lowercase", "pad_left", "pad_right", "regex_captures", "regex_find", "regex_find_all", "regex_match", "regex_replace", "regex_split", "repeat", "replace", "reverse", "split", "starts_with", "trim", "uppercase"],
    "sys": ["cpu_count", "disk_space", "memory_total", "memory_used", "pid", "platform", "process_list", "uptime"],
    "tim": ["benchmark", "format_date", "monotonic", "now", "now_iso", "parse_date", "sleep"],
    "tui": ["app_new", "app_quit", "app_running", "draw_frame", "input_handler", "layout_create", "poll", "render_text", "widget_list", "widget_panel", "widget_progress", "widget_table", "widget_text"],
    "web": ["css_select", "html_parse", "http_get", "http_get_all", "http_post"],
}


def test_every_standard_module_is_covered():
    assert len(FUNCTIONS) == 22


def doc_of(lines: list[str], fn: str) -> str | None:
    """The doc `axiom mod info` gives `fn`: in the column after its signature, or (when
    the signatures are too wide for two columns) on the line below, indented by 6 after
    any continuation lines of the signature (indented by 10)."""
    i = next((i for i, line in enumerate(lines) if line.startswith(f"  {fn}(")), None)
    if i is None:
        return None
    signature, gap, doc = lines[i].strip().partition("  ")  # the doc column follows two spaces
    if gap:
        return doc.strip()
    for line in lines[i + 1:]:
        if not line.startswith(" " * 10):
            return line[6:].strip() if line.startswith(" " * 6) and line[6] != " " else ""
    return ""


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_mod_info_lists_every_function_with_a_doc(name, tmp_path):
    p = cli(tmp_path, "mod", "info", name)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    for fn in FUNCTIONS[name]:
        doc = doc_of(lines, fn)
        assert doc is not None, f"{name}.{fn} is missing from axiom mod info"
        assert doc, f"{name}.{fn} has no one-line doc"
