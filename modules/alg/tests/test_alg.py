"""alg against the real rustworkx, through the SDK as scripts call it."""

import pytest

from axiom_alg import Graph, module
from axiom_sdk import AxiomError, display, typeof
from axiom_sdk.testing import ScriptFunction as Fn
from axiom_sdk.testing import call, raises


def graph(edges, directed=True):
    g = call(module, "graph_new", directed=directed)
    for e in edges:
        call(module, "add_edge", g, *e)
    return g


def exact(got, expected):
    assert got == expected
    assert [type(v) for v in _flat(got)] == [type(v) for v in _flat(expected)]


def _flat(x):
    if isinstance(x, dict):
        x = list(x.values())
    if isinstance(x, list):
        return [y for v in x for y in _flat(v)]
    return [x]


# --- sorting and searching ----------------------------------------------------------

@pytest.mark.parametrize("items, key, expected", [
    ([3, 1, 2], None, [1, 2, 3]),
    ([2.5, -1, 2], None, [-1, 2, 2.5]),
    (["pear", "apple", "fig"], None, ["apple", "fig", "pear"]),
    ([], None, []),
    ([[2, 1], [1, 5], [1, 2]], None, [[1, 2], [1, 5], [2, 1]]),
    (["ccc", "a", "bb", "dd"], Fn(len), ["a", "bb", "dd", "ccc"]),  # stable for equal keys
    ([1, 2, 3], Fn(lambda x: -x), [3, 2, 1]),
])
def test_quicksort(items, key, expected):
    before = list(items)
    exact(call(module, "quicksort", items, key=key), expected)
    assert items == before  # a new list


def test_quicksort_calls_key_once_per_item():
    seen = []
    call(module, "quicksort", [3, 1, 2], Fn(lambda x: seen.append(x) or x))
    assert seen == [3, 1, 2]


@pytest.mark.parametrize("items, target, expected", [
    ([5, 7, 9], 7, 1),
    ([5, 7, 9], 7.0, 1),
    ([5, 7, 9], 8, -1),
    (["a", [1], "b"], [1], 1),
    ([], 1, -1),
    ([1, 4, 6, 8], Fn(lambda x: x % 2 == 0), 1),
    ([1, 3], Fn(lambda x: x > 5), -1),
])
def test_find(items, target, expected):
    exact(call(module, "find", items, target), expected)


@pytest.mark.parametrize("items, x, expected", [
    ([1, 3, 5, 7, 9], 7, 3),
    ([1, 3, 5, 7, 9], 1, 0),
    ([1, 3, 5, 7, 9], 9, 4),
    ([1, 3, 5, 7, 9], 4, -1),
    ([1, 3, 5, 7, 9], 10, -1),
    ([1, 2, 2, 2, 3], 2, 1),
    (["a", "c", "e"], "c", 1),
    ([1.5, 2.5], 2.5, 1),
    ([], 3, -1),
])
def test_binary_search(items, x, expected):
    exact(call(module, "binary_search", items, x), expected)


def test_binary_search_is_logarithmic():
    class Counting(int):
        calls = 0

        def __lt__(self, other):
            Counting.calls += 1
            return int.__lt__(self, other)
    items = [Counting(i) for i in range(1 << 16)]
    assert call(module, "binary_search", items, 40000) == 40000
    assert Counting.calls <= 17


@pytest.mark.parametrize("name, args, kind, message", [
    ("quicksort", ([1, "a"],), "TypeError", "alg.quicksort: cannot compare int and str"),
    ("quicksort", ([None, 1],), "TypeError", "alg.quicksort: cannot order nil values"),
    ("quicksort", ([True, 1],), "TypeError", "alg.quicksort: cannot order bool values"),
    ("quicksort", ([{"a": 1}],), "TypeError", "alg.quicksort: cannot order dict values"),
    ("quicksort", ([[1], ["a"]],), "TypeError", "alg.quicksort: cannot compare the items of the lists"),
    ("quicksort", ("abc",), "TypeError", "alg.quicksort: argument 'list' expects list, got str"),
    ("quicksort", ([1], 5), "TypeError", "alg.quicksort: argument 'key' expects function, got int"),
    ("binary_search", ([1, 2], "a"), "TypeError", "alg.binary_search: cannot compare str with the list's items"),
    ("binary_search", ([1, 2], None), "TypeError", "alg.binary_search: cannot order nil values"),
    ("find", (5, 1), "TypeError", "alg.find: argument 'list' expects list, got int"),
])
def test_sort_and_search_errors(name, args, kind, message):
    err = raises(module, name, *args)
    assert (err.kind, err.message) == (kind, message)


def test_a_key_error_passes_through():
    def boom(x):
        raise AxiomError("ValueError", "bad item")
    err = raises(module, "quicksort", [1, 2], Fn(boom))
    assert (err.kind, err.message) == ("ValueError", "bad item")


# --- graphs ---------------------------------------------------------------------------

def test_graph_new_add_edge_and_display():
    g = call(module, "graph_new")
    assert typeof(g) == "graph" and g.directed is True
    assert call(module, "add_edge", g, "a", "b") is None
    call(module, "add_edge", g, "b", 3, 2.5)
    call(module, "add_node", g, "lonely")
    call(module, "add_node", g, "a")
    assert g.nodes() == ["a", "b", 3, "lonely"]
    exact(g.edges(), [["a", "b", 1], ["b", 3, 2.5]])
    assert display(g) == "<graph directed: 4 nodes, 2 edges>"
    u = call(module, "graph_new", False)
    assert u.directed is False and display(u) == "<graph undirected: 0 nodes, 0 edges>"


def test_add_edge_again_replaces_the_weight():
    g = graph([("a", "b", 5), ("a", "b", 2)])
    assert g.edges() == [["a", "b", 2]]
    u = graph([("a", "b", 5), ("b", "a", 3)], directed=False)
    assert u.edges() == [["a", "b", 3]]


ROADS = [("a", "b", 4), ("a", "c", 1), ("c", "b", 2), ("b", "d", 1), ("c", "d", 5), ("e", "a", 1)]


@pytest.mark.parametrize("g, start, goal, expected", [
    (ROADS, "a", "d", {"distance": 4, "path": ["a", "c", "b", "d"]}),
    (ROADS, "a", "a", {"distance": 0, "path": ["a"]}),
    (ROADS, "d", "a", {"distance": None, "path": []}),
    ([("a", "b", 1.5), ("b", "c", 1)], "a", "c", {"distance": 2.5, "path": ["a", "b", "c"]}),
    ([(1, 2, 3), (2, 3, 4), (1, 3, 10)], 1, 3, {"distance": 7, "path": [1, 2, 3]}),
    ({"a": {"b": 1, "c": 5}, "b": {"c": 1}}, "a", "c", {"distance": 2, "path": ["a", "b", "c"]}),
    ({"a": ["b"], "b": ["c"]}, "a", "c", {"distance": 2, "path": ["a", "b", "c"]}),
    ({"a": {"b": 0.5}, "c": {}}, "a", "c", {"distance": None, "path": []}),
])
def test_dijkstra(g, start, goal, expected):
    g = graph(g) if isinstance(g, list) else g
    got = call(module, "dijkstra", g, start, goal)
    exact(got, expected)
    assert list(got) == ["distance", "path"]


def test_dijkstra_on_an_undirected_graph_goes_both_ways():
    g = graph([("a", "b", 2), ("c", "b", 3)], directed=False)
    exact(call(module, "dijkstra", g, "c", "a"), {"distance": 5, "path": ["c", "b", "a"]})


TREE = [("a", "b"), ("a", "c"), ("b", "d"), ("c", "e"), ("b", "f"), ("d", "g")]


def test_bfs_and_dfs_visit_neighbours_in_the_order_added():
    g = graph(TREE)
    assert call(module, "bfs", g, "a") == ["a", "b", "c", "d", "f", "e", "g"]
    assert call(module, "dfs", g, "a") == ["a", "b", "d", "g", "f", "c", "e"]
    assert call(module, "bfs", g, "c") == ["c", "e"]
    assert call(module, "dfs", g, "g") == ["g"]


def test_traversals_on_dicts_and_undirected_graphs():
    cyclic = {"a": ["b"], "b": ["c", "a"], "c": ["a"]}
    assert call(module, "bfs", cyclic, "b") == ["b", "c", "a"]
    assert call(module, "dfs", cyclic, "a") == ["a", "b", "c"]
    u = graph([("x", "y"), ("z", "y")], directed=False)
    assert call(module, "bfs", u, "z") == ["z", "y", "x"]
    assert call(module, "dfs", u, "x") == ["x", "y", "z"]


def test_topo_sort():
    assert call(module, "topo_sort", graph(TREE)) == ["a", "b", "c", "d", "e", "f", "g"]
    dressing = {"socks": ["shoes"], "pants": ["shoes", "belt"], "shirt": ["belt"], "belt": [], "shoes": []}
    assert call(module, "topo_sort", dressing) == ["socks", "pants", "shoes", "shirt", "belt"]
    assert call(module, "topo_sort", graph([("c", "b"), ("b", "a")])) == ["c", "b", "a"]
    assert call(module, "topo_sort", {}) == []


def test_topo_sort_breaks_ties_by_the_order_added_past_ten_nodes():
    g = call(module, "graph_new")
    for i in range(12):
        call(module, "add_node", g, i)
    call(module, "add_edge", g, 11, 0)
    assert call(module, "topo_sort", g) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0]


def test_connected_components():
    g = graph([("a", "b"), ("c", "d"), ("e", "b"), ("d", "f")])
    call(module, "add_node", g, "z")
    assert call(module, "connected_components", g) == [["a", "b", "e"], ["c", "d", "f"], ["z"]]
    u = graph([(3, 1), (2, 4)], directed=False)
    assert call(module, "connected_components", u) == [[3, 1], [2, 4]]
    assert call(module, "connected_components", {"a": {"b": 1}, "c": {}}) == [["a", "b"], ["c"]]


@pytest.mark.parametrize("name, args, kind, message", [
    ("dijkstra", ({"a": {"b": -1}}, "a", "b"), "ValueError",
     'alg.dijkstra: negative edge weight -1 from "a" to "b" (Dijkstra needs weights >= 0)'),
    ("dijkstra", ({"a": {"b": 1}, "c": {2: -0.5}}, "a", "b"), "ValueError",
     'alg.dijkstra: negative edge weight -0.5 from "c" to 2 (Dijkstra needs weights >= 0)'),
    ("dijkstra", ({"a": {"b": 1}}, "a", "z"), "KeyError", 'alg.dijkstra: no node "z" in the graph'),
    ("dijkstra", ({"a": {"b": 1}}, 7, "a"), "KeyError", "alg.dijkstra: no node 7 in the graph"),
    ("dijkstra", ({"a": {"b": "1"}}, "a", "b"), "TypeError", "alg.dijkstra: edge weights must be numbers, got str"),
    ("dijkstra", ({"a": 5}, "a", "b"), "TypeError",
     "alg.dijkstra: the neighbours of a node must be a dict (name -> weight) or a list, got int"),
    ("dijkstra", ({1.5: {}}, "a", "b"), "TypeError", "alg.dijkstra: node names must be str or int, got float"),
    ("dijkstra", ([1], "a", "b"), "TypeError", "alg.dijkstra: argument 'g' expects graph or dict, got list"),
    ("bfs", ({"a": []}, "b"), "KeyError", 'alg.bfs: no node "b" in the graph'),
    ("dfs", ({"a": []}, None), "TypeError", "alg.dfs: argument 'start' expects str or int, got nil"),
    ("topo_sort", ({"a": ["b"], "b": ["c"], "c": ["a"]},), "ValueError", "alg.topo_sort: the graph has a cycle"),
    ("topo_sort", ({"a": ["a"]},), "ValueError", "alg.topo_sort: the graph has a cycle"),
    ("graph_new", ("yes",), "TypeError", "alg.graph_new: argument 'directed' expects bool, got str"),
])
def test_graph_errors(name, args, kind, message):
    err = raises(module, name, *args)
    assert (err.kind, err.message) == (kind, message)


def test_graph_errors_on_graph_values():
    g = graph([("a", "b", 2)], directed=False)
    err = raises(module, "topo_sort", g)
    assert (err.kind, err.message) == ("ValueError", "alg.topo_sort: needs a directed graph")
    err = raises(module, "add_edge", g, "a", "b", float("nan"))
    assert (err.kind, err.message) == ("ValueError", "alg.add_edge: weight must not be NaN")
    err = raises(module, "add_edge", g, "a", 1.5)
    assert (err.kind, err.message) == ("TypeError", "alg.add_edge: argument 'b' expects str or int, got float")
    err = raises(module, "add_edge", g, "a", "b", True)
    assert (err.kind, err.message) == ("TypeError", "alg.add_edge: argument 'weight' expects number, got bool")
    call(module, "add_edge", g, "b", "c", -3)
    err = raises(module, "dijkstra", g, "a", "b")
    assert err.message == 'alg.dijkstra: negative edge weight -3 from "b" to "c" (Dijkstra needs weights >= 0)'
    err = raises(module, "add_node", {"a": []}, "b")
    assert err.message == "alg.add_node: argument 'g' expects graph, got dict"


def test_graph_is_a_foreign_type_with_methods():
    info = Graph.__axiom_foreign__
    assert info.name == "graph" and set(info.methods) == {"nodes", "edges"}
    assert info.attrs == {"directed"}


def test_every_export_is_documented():
    for name in module.list_exports():
        sig, doc = module.describe(name)
        assert doc, name
