"""Axiom module `alg`: sorting, searching and graphs, the graphs on rustworkx.

A [graph] (from `graph_new`) holds a rustworkx graph whose nodes are named by strs or
ints: the names are kept in a `name -> node index` dict, and each node's payload is its
name. Every graph function also takes an adjacency dict, read as a directed graph:
`{"a": {"b": 1, "c": 2.5}}` (neighbour -> edge weight) or `{"a": ["b", "c"]}` (weight 1).

Decisions where the spec is silent:
- `quicksort` is named for the original design; it sorts with Python's own sort
  (Timsort: stable, never quadratic, faster than a quicksort written in Python). `key`
  is called once per item. Items (or keys) must all be numbers, all strs or all lists;
  anything else is a TypeError, as `<` in a script would give.
- `find(list, x)` compares with Axiom `==` (1 == 1.0); when x is a function it is a
  predicate and the first item for which it returns a truthy value wins.
  `binary_search` gives the index of the first item equal to x in an ascending list.
- Graphs are simple: adding an edge that exists (either direction, for an undirected
  graph) replaces its weight. Self-loops are allowed; weights are numbers.
- `bfs(g, start)` and `dfs(g, start)` list the nodes reachable from start (start first),
  breadth-first and depth-first (preorder); neighbours are visited in the order their
  edges were added. (rustworkx's own traversals visit the newest edge first.)
- `topo_sort` needs a directed graph; between nodes free to come in either order, the
  one added first comes first. A cycle is a ValueError.
- `connected_components` (weakly connected, for a directed graph) lists each component's
  nodes in the order they were added, components ordered by their first node.
- `dijkstra` rejects a negative (or NaN) weight anywhere in the graph with a ValueError,
  and returns the distance as the sum of the path's weights in their own type (an int
  when they are all ints; 0 when start is goal). A node that is not in the graph is a
  KeyError for every graph function.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import rustworkx as rx

from axiom_sdk import Function, Module, equal, truthy, typeof

module = Module("alg", summary="Algorithms: sorting, searching and graphs on rustworkx",
                title="Algorithms")

Name = str | int
Number = int | float


# --- sorting and searching ----------------------------------------------------------

def _order_kind(v: Any) -> str | None:
    """What a value sorts as: numbers with numbers, strs with strs, lists with lists."""
    t = type(v)
    if t is int or t is float:
        return "number"
    if t is str:
        return "str"
    if isinstance(v, list):
        return "list"
    return None


def _check_orderable(name: str, values: list[Any]) -> None:
    """Raise TypeError unless the values can be put in order against each other."""
    first = None
    for v in values:
        kind = _order_kind(v)
        if kind is None:
            raise module.error("TypeError", f"alg.{name}: cannot order {typeof(v)} values")
        if first is None:
            first = v
        elif kind != _order_kind(first):
            raise module.error("TypeError", f"alg.{name}: cannot compare {typeof(first)} and {typeof(v)}")


@module.export
def quicksort(list: list, key: Callable | None = None) -> list:  # parameter named as in the spec
    """A new list of the items in ascending order (of key(item) when key is given); stable."""
    items = list
    keys = items if key is None else [key(x) for x in items]
    _check_orderable("quicksort", keys)
    try:
        order = sorted(range(len(items)), key=keys.__getitem__)
    except TypeError:
        raise module.error("TypeError", "alg.quicksort: cannot compare the items of the lists") from None
    return [items[i] for i in order]


@module.export
def find(list: list, value_or_predicate: Any) -> int:  # parameter named as in the spec
    """The index of the first item equal to the value (or for which the function returns
    true), or -1."""
    items = list
    if isinstance(value_or_predicate, Function):
        test = value_or_predicate
        for i, x in enumerate(items):
            if truthy(test(x)):
                return i
        return -1
    for i, x in enumerate(items):
        if equal(x, value_or_predicate):
            return i
    return -1


@module.export
def binary_search(sorted: list, x: Any) -> int:  # parameter named as in the spec
    """The index of x in an ascending list (the first if repeated), or -1; O(log n)."""
    if _order_kind(x) is None:
        raise module.error("TypeError", f"alg.binary_search: cannot order {typeof(x)} values")
    try:
        i = bisect.bisect_left(sorted, x)
    except TypeError:
        raise module.error("TypeError", f"alg.binary_search: cannot compare {typeof(x)} with "
                                        "the list's items") from None
    return i if i < len(sorted) and equal(sorted[i], x) else -1


# --- graphs ---------------------------------------------------------------------------

def _show_graph(g: Graph) -> str:
    kind = "directed" if g.directed else "undirected"
    return f"<graph {kind}: {g.g.num_nodes()} nodes, {g.g.num_edges()} edges>"


@module.foreign_type("graph", attrs=["directed"], methods=["nodes", "edges"], display=_show_graph)
class Graph:
    """A simple graph over named nodes: a rustworkx graph and the name -> index dict."""

    __slots__ = ("g", "index", "directed")

    def __init__(self, directed: bool) -> None:
        self.directed = directed
        self.g: rx.PyDiGraph | rx.PyGraph = (rx.PyDiGraph(multigraph=False) if directed
                                             else rx.PyGraph(multigraph=False))
        self.index: dict[Any, int] = {}

    def node(self, name: Any) -> int:
        """The index of node `name`, added if new."""
        i = self.index.get(name)
        if i is None:
            i = self.index[name] = self.g.add_node(name)
        return i

    def nodes(self) -> list:
        """The node names, in the order they were added."""
        return list(self.index)

    def edges(self) -> list:
        """The edges as [from, to, weight] lists, in the order they were added."""
        g = self.g
        return [[g[s], g[t], w] for _, (s, t, w) in sorted(g.edge_index_map().items())]

    def __repr__(self) -> str:
        return _show_graph(self)


def _check_name(fname: str, name: Any) -> Any:
    if type(name) is not str and type(name) is not int:
        raise module.error("TypeError", f"alg.{fname}: node names must be str or int, got {typeof(name)}")
    return name


def _check_weight(fname: str, w: Any) -> Any:
    if type(w) is not int and type(w) is not float:
        raise module.error("TypeError", f"alg.{fname}: edge weights must be numbers, got {typeof(w)}")
    return w


def _from_dict(fname: str, adjacency: dict) -> Graph:
    """A directed Graph from `{"a": {"b": 1}}` or `{"a": ["b"]}`."""
    g = Graph(directed=True)
    for a, targets in adjacency.items():
        i = g.node(_check_name(fname, a))
        pairs: Iterable[tuple[Any, Any]]
        if isinstance(targets, dict):
            pairs = targets.items()
        elif isinstance(targets, list):
            pairs = ((b, 1) for b in targets)
        else:
            raise module.error("TypeError", f"alg.{fname}: the neighbours of a node must be a dict "
                                            f"(name -> weight) or a list, got {typeof(targets)}")
        for b, w in pairs:
            g.g.add_edge(i, g.node(_check_name(fname, b)), _check_weight(fname, w))
    return g


def _graph(fname: str, g: Graph | dict) -> Graph:
    return g if isinstance(g, Graph) else _from_dict(fname, g)


def _at(fname: str, g: Graph, name: Any) -> int:
    """The index of an existing node; KeyError if there is none of that name."""
    i = g.index.get(_check_name(fname, name))
    if i is None:
        shown = f'"{name}"' if type(name) is str else str(name)
        raise module.error("KeyError", f"alg.{fname}: no node {shown} in the graph")
    return i


@module.export
def graph_new(directed: bool = True) -> Graph:
    """A new empty graph, directed unless directed=false."""
    return Graph(directed)


@module.export
def add_node(g: Graph, name: Name) -> None:
    """Add a node with no edges (nothing happens if it exists)."""
    g.node(name)


@module.export
def add_edge(g: Graph, a: Name, b: Name, weight: Number = 1) -> None:
    """Add an edge from a to b (nodes added as needed); an existing edge gets the new weight."""
    if isinstance(weight, float) and math.isnan(weight):
        raise module.error("ValueError", "alg.add_edge: weight must not be NaN")
    g.g.add_edge(g.node(a), g.node(b), weight)


def _adjacency(g: Graph) -> list[list[int]]:
    """For each node index, its neighbours' indices in the order their edges were added."""
    adj: list[list[int]] = [[] for _ in range(g.g.num_nodes())]
    for _, (s, t, _) in sorted(g.g.edge_index_map().items()):
        adj[s].append(t)
        if not g.directed and s != t:
            adj[t].append(s)
    return adj


@module.export
def bfs(g: Graph | dict, start: Name) -> list:
    """The nodes reachable from start in breadth-first order (start first)."""
    graph = _graph("bfs", g)
    first = _at("bfs", graph, start)
    adj, seen, order, queue = _adjacency(graph), {first}, [], deque([first])
    while queue:
        i = queue.popleft()
        order.append(graph.g[i])
        for j in adj[i]:
            if j not in seen:
                seen.add(j)
                queue.append(j)
    return order


@module.export
def dfs(g: Graph | dict, start: Name) -> list:
    """The nodes reachable from start in depth-first preorder (start first)."""
    graph = _graph("dfs", g)
    first = _at("dfs", graph, start)
    adj, seen, order = _adjacency(graph), {first}, [graph.g[first]]
    stack: list[Iterator[int]] = [iter(adj[first])]
    while stack:
        j = next(stack[-1], None)
        if j is None:
            stack.pop()
        elif j not in seen:
            seen.add(j)
            order.append(graph.g[j])
            stack.append(iter(adj[j]))
    return order


@module.export
def topo_sort(g: Graph | dict) -> list:
    """The nodes ordered so every edge goes forward; a cycle is a ValueError."""
    graph = _graph("topo_sort", g)
    dag = graph.g
    if not isinstance(dag, rx.PyDiGraph):
        raise module.error("ValueError", "alg.topo_sort: needs a directed graph")
    if not rx.is_directed_acyclic_graph(dag):
        raise module.error("ValueError", "alg.topo_sort: the graph has a cycle")
    width = len(str(len(graph.index)))
    index = graph.index
    # rustworkx breaks ties by the smallest key: the zero-padded index = the order added
    return list(rx.lexicographical_topological_sort(dag, key=lambda name: f"{index[name]:0{width}d}"))


@module.export
def connected_components(g: Graph | dict) -> list:
    """The groups of nodes joined by edges (ignoring direction), as lists of names."""
    graph = _graph("connected_components", g)
    find_components: Callable[[Any], list[set[int]]] = (
        rx.weakly_connected_components if graph.directed else rx.connected_components)
    groups = sorted(sorted(c) for c in find_components(graph.g))
    return [[graph.g[i] for i in c] for c in groups]


def _check_no_negative(graph: Graph) -> None:
    g = graph.g
    for _, (s, t, w) in sorted(g.edge_index_map().items()):
        if w < 0 or (isinstance(w, float) and math.isnan(w)):
            what = "negative" if w < 0 else "NaN"
            raise module.error("ValueError", f"alg.dijkstra: {what} edge weight {w} from {_show(g[s])} "
                                             f"to {_show(g[t])} (Dijkstra needs weights >= 0)")


def _show(name: Any) -> str:
    return f'"{name}"' if type(name) is str else str(name)


@module.export
def dijkstra(g: Graph | dict, start: Name, goal: Name) -> dict:
    """The shortest path from start to goal: {"distance": d, "path": [names]}; distance nil
    and path [] when goal cannot be reached."""
    graph = _graph("dijkstra", g)
    src, dst = _at("dijkstra", graph, start), _at("dijkstra", graph, goal)
    _check_no_negative(graph)
    if src == dst:
        return {"distance": 0, "path": [graph.g[src]]}
    paths = rx.dijkstra_shortest_paths(graph.g, src, target=dst, weight_fn=float)
    if dst not in paths:
        return {"distance": None, "path": []}
    path = list(paths[dst])
    distance: int | float = 0
    for a, b in zip(path, path[1:]):
        distance += graph.g.get_edge_data(a, b)
    return {"distance": distance, "path": [graph.g[i] for i in path]}
