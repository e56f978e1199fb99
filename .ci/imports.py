#!/usr/bin/env python3
"""The crate's import graph, at the level of top-level modules and their direct submodules.

Reads every `src/**/*.rs` of the library (not `src/bin/`, whose files are crates of their own
and reach the library as `ecg_balance_lab::`), and draws an edge A -> B when code in module A
names a path into module B: `crate::…` paths, and `super::…` paths resolved to the module they
point at (inline `mod tests { … }` blocks are followed, so their `super::` is the file itself).
A module is cut to two levels: `src/dataset/augment/kernels.rs` is `dataset::augment`,
`src/training/mod.rs` is `training`; a path such as `crate::dataset::BeatSet` whose second
segment is not a module counts as a use of `dataset`. Items the crate root re-exports
(`crate::Record`) count as uses of the module that defines them (`record`). `lib.rs` itself,
the table of contents, draws no edges. Comments, doc comments and string literals are ignored.

Prints one edge a line (`A -> B`), then the number of modules and edges. Exits 1 and lists the
cycles (strongly connected components of more than one module) if there are any; 0 otherwise.

Usage: python3 .ci/imports.py [crate root, default: the folder above .ci]
"""

import re
import sys
from pathlib import Path

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def module_of(rel: Path) -> list[str]:
    """Module path of a file under src/: src/a/b.rs and src/a/b/mod.rs are ["a", "b"]."""
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "mod":
        parts = parts[:-1]
    if parts == ["lib"]:
        return []
    return parts


def strip_comments_and_strings(text: str) -> str:
    """Blanks out comments, string and char literals, keeping newlines and braces' positions."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    if text[i] == "\n":
                        out.append("\n")
                    i += 1
        elif c == "r" and re.match(r'r#*"', text[i:]) and (i == 0 or not re.match(r"\w", text[i - 1])):
            m = re.match(r'r(#*)"', text[i:])
            end = text.find('"' + m.group(1), i + len(m.group(0)))
            end = n if end < 0 else end + 1 + len(m.group(1))
            out.append('""' + "\n" * text.count("\n", i, end))
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j + 1
        elif c == "'":
            # A char literal ('a', '\n', '\u{1F600}') or a lifetime ('a): skip literals only.
            m = re.match(r"'(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'])'", text[i:])
            if m:
                out.append("' '")
                i += len(m.group(0))
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse_tree(text: str, i: int) -> tuple[list[list[str]], int]:
    """Paths of a use tree starting at text[i] (after a `::`): `a::b`, `{a, b::{c, d}}`, `*`."""
    text_len = len(text)

    def skip_ws(k: int) -> int:
        while k < text_len and text[k].isspace():
            k += 1
        return k

    i = skip_ws(i)
    if i < text_len and text[i] == "{":
        paths, i = [], i + 1
        while True:
            i = skip_ws(i)
            if i >= text_len or text[i] == "}":
                return paths, i + 1
            if text[i] == ",":
                i += 1
                continue
            sub, i = parse_tree(text, i)
            paths.extend(sub)
    m = re.match(IDENT + r"|\*", text[i:])
    if not m:
        return [[]], i
    head = m.group(0)
    i += len(head)
    j = skip_ws(i)
    if text.startswith("::", j):
        rest, k = parse_tree(text, j + 2)
        return [[head] + r for r in rest], k
    return [[head]], i


class Crate:
    def __init__(self, root: Path):
        self.src = root / "src"
        self.files = sorted(
            p for p in self.src.rglob("*.rs") if p.relative_to(self.src).parts[0] != "bin"
        )
        self.modules = {tuple(module_of(p.relative_to(self.src))) for p in self.files}
        self.reexports = self.root_reexports()

    def root_reexports(self) -> dict[str, tuple[str, ...]]:
        """`pub use a::b::{C, D}` in lib.rs: C and D live in module a::b."""
        lib = self.src / "lib.rs"
        out: dict[str, tuple[str, ...]] = {}
        if not lib.exists():
            return out
        text = strip_comments_and_strings(lib.read_text(encoding="utf-8"))
        for m in re.finditer(r"\bpub\s+use\s+", text):
            for path in parse_tree(text, m.end())[0]:
                path = [s for s in path if s not in ("crate", "self")]
                if len(path) >= 2:
                    out[path[-1]] = tuple(path[:-1])
        return out

    def node(self, path: list[str]) -> str | None:
        """The two-level module a crate-absolute path points into, or None for the root."""
        path = [s for s in path if s != "*"]
        if not path:
            return None
        if (path[0],) not in self.modules:
            target = self.reexports.get(path[0])
            if target is None:
                return None
            path = list(target) + path[1:]
        if len(path) >= 2 and tuple(path[:2]) in self.modules:
            return "::".join(path[:2])
        return path[0]

    def edges(self) -> set[tuple[str, str]]:
        edges = set()
        for file in self.files:
            rel = file.relative_to(self.src)
            here = module_of(rel)
            if not here:
                continue
            source = "::".join(here[:2])
            text = strip_comments_and_strings(file.read_text(encoding="utf-8"))
            # Inline modules: (name, brace depth at which it was opened).
            stack: list[tuple[str, int]] = []
            depth = 0
            token = re.compile(
                r"\bmod\s+(" + IDENT + r")\s*\{|[{}]|(?<![\w:])(crate|super)\s*::"
            )
            for m in token.finditer(text):
                s = m.group(0)
                if s == "{":
                    depth += 1
                elif s == "}":
                    depth -= 1
                    while stack and stack[-1][1] > depth:
                        stack.pop()
                elif m.group(1):
                    depth += 1
                    stack.append((m.group(1), depth))
                else:
                    scope = here + [name for name, _ in stack]
                    for path in parse_tree(text, m.end())[0]:
                        if m.group(2) == "crate":
                            absolute = path
                        else:
                            base = scope[:-1]
                            while path and path[0] == "super":
                                base, path = base[:-1], path[1:]
                            absolute = base + path
                        target = self.node(absolute)
                        if target is not None and target != source:
                            edges.add((source, target))
        return edges


def cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan, iterative)."""
    graph: dict[str, list[str]] = {}
    for a, b in sorted(edges):
        graph.setdefault(a, []).append(b)
        graph.setdefault(b, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            recurse = False
            for j in range(i, len(graph[v])):
                w = graph[v][j]
                if w not in index:
                    work.append((v, j + 1))
                    work.append((w, 0))
                    recurse = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if recurse:
                continue
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return sorted(out)


def main() -> int:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    crate = Crate(root)
    edges = crate.edges()
    for a, b in sorted(edges):
        print(f"{a} -> {b}")
    nodes = {n for e in edges for n in e}
    print(f"{len(nodes)} modules, {len(edges)} edges")
    found = cycles(edges)
    if found:
        print(f"{len(found)} import cycle(s):", file=sys.stderr)
        for component in found:
            inner = sorted((a, b) for a, b in edges if a in component and b in component)
            print(f"  {' <-> '.join(component)}", file=sys.stderr)
            for a, b in inner:
                print(f"      {a} -> {b}", file=sys.stderr)
        return 1
    print("no cycles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
