#!/usr/bin/env python3
"""Checks the shape of the code (run by .ci/run):

1. Adapters (api, web, voice, wyoming, cli, daemon) never reach the store: they call the
   services (market, auth), which own the rules.
2. The store has no macro_rules!: plain Rust that rustfmt and editors follow.
3. No two files of one folder depend on each other (directly or round a longer loop).
4. Files stay under 400 lines; at most three may be longer, each saying why in its
   first lines ("long because").

Prints what it finds and exits 1 when a rule is broken.
"""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
ADAPTERS = ["api", "web", "voice", "wyoming", "cli", "daemon"]
MAX_LINES = 400
MAX_LONG_FILES = 3

problems = []


def rust_files():
    return sorted(p for p in SRC.rglob("*.rs"))


def code_of(path):
    """The file without comments and string literals (so docs do not count)."""
    text = path.read_text()
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r'r#"(?:.|\n)*?"#', '""', text)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    return text


def check_adapters():
    for name in ADAPTERS:
        for path in sorted((SRC / name).rglob("*.rs")):
            code = code_of(path)
            for m in re.finditer(r"crate::store\b|\.store\.", code):
                line = code[: m.start()].count("\n") + 1
                problems.append(f"{path.relative_to(ROOT)}:{line}: an adapter reaches the store ({m.group(0)})")


def check_store_macros():
    for path in sorted((SRC / "store").rglob("*.rs")):
        if "macro_rules!" in code_of(path):
            problems.append(f"{path.relative_to(ROOT)}: macro_rules! in the store")


def folder_graph(folder):
    """Edges between the sibling files of one folder (module name → module names)."""
    files = {p.stem: p for p in folder.glob("*.rs") if p.stem not in ("mod", "lib", "main")}
    for sub in folder.iterdir():
        if sub.is_dir() and (sub / "mod.rs").exists():
            files.setdefault(sub.name, sub / "mod.rs")
    root = folder / "mod.rs"
    if folder == SRC:
        root = SRC / "lib.rs"
    reexports = {}
    if root.exists():
        for m in re.finditer(r"pub(?:\([^)]*\))?\s+use\s+(?:self::)?(\w+)::\{?([^;]*)", code_of(root)):
            module, items = m.group(1), m.group(2)
            for item in re.findall(r"\b([A-Za-z_]\w*)\b", items):
                reexports.setdefault(item, module)
    # How code in this folder names a sibling: `super::x` from a file, `crate::<folder>::x`.
    if folder == SRC:
        prefixes = [r"crate::"]
    else:
        rel = folder.relative_to(SRC).as_posix().replace("/", "::")
        prefixes = [r"super::", rf"crate::{re.escape(rel)}::"]
    edges = {name: set() for name in files}
    for name, path in files.items():
        if folder == SRC:
            continue  # top-level modules are layers, checked by the layer rules
        code = code_of(path)
        for prefix in prefixes:
            for m in re.finditer(prefix + r"(\{[^}]*\}|\w+)", code):
                target = m.group(1)
                names = re.findall(r"\b(\w+)\b", target) if target.startswith("{") else [target]
                for n in names:
                    dep = n if n in files else reexports.get(n)
                    if dep and dep != name and dep in files:
                        edges[name].add(dep)
    return edges


def find_cycle(edges):
    """One cycle in the graph, as a list of nodes, or None."""
    colour = {n: 0 for n in edges}
    stack = []

    def visit(n):
        colour[n] = 1
        stack.append(n)
        for d in sorted(edges[n]):
            if colour[d] == 1:
                return stack[stack.index(d):] + [d]
            if colour[d] == 0:
                c = visit(d)
                if c:
                    return c
        stack.pop()
        colour[n] = 2
        return None

    for n in sorted(edges):
        if colour[n] == 0:
            c = visit(n)
            if c:
                return c
    return None


def check_cycles():
    folders = sorted({p.parent for p in rust_files()})
    for folder in folders:
        edges = folder_graph(folder)
        cycle = find_cycle(edges)
        if cycle:
            where = folder.relative_to(ROOT)
            problems.append(f"{where}: files depend on each other in a loop: {' → '.join(cycle)}")


def check_sizes():
    long_files = []
    for path in rust_files():
        lines = path.read_text().count("\n")
        if lines > MAX_LINES:
            head = "\n".join(path.read_text().splitlines()[:12]).lower()
            reason = "long because" in head
            long_files.append((path, lines, reason))
            if not reason:
                problems.append(
                    f"{path.relative_to(ROOT)}: {lines} lines (over {MAX_LINES}) without saying why at its top"
                )
    if len(long_files) > MAX_LONG_FILES:
        names = ", ".join(f"{p.relative_to(ROOT)} ({n})" for p, n, _ in long_files)
        problems.append(f"{len(long_files)} files over {MAX_LINES} lines (at most {MAX_LONG_FILES}): {names}")
    return long_files


def main():
    check_adapters()
    check_store_macros()
    check_cycles()
    long_files = check_sizes()
    print(f"architecture: {len(rust_files())} files, {len(long_files)} over {MAX_LINES} lines")
    for p, n, _ in long_files:
        print(f"  long: {p.relative_to(ROOT)} ({n} lines)")
    for p in problems:
        print(f"  ✗ {p}")
    if problems:
        sys.exit(1)
    print("  ✓ adapters call services only; no store macros; no file loops")


if __name__ == "__main__":
    main()
