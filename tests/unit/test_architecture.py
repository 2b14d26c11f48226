"""The dependency rule and the size limits of docs/architecture.md, checked.

- `.importlinter` says which package may import which; import-linter checks it here.
- No module imports itself back through others (no import cycle), counting imports
  inside functions and under TYPE_CHECKING.
- Modules of app/, labels/, lca/ and routing/ stay within 300 lines and functions within
  60, unless a `# long: <reason>` comment says why one must not: on the line before the
  `def` (or before its first decorator) for a function; among the comment lines between
  the module docstring and the first statement for a module.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "labels", "lca", "routing")
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60
REASON = "# long:"

def test_the_import_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint_imports), "--no-cache", "--config", str(ROOT / ".importlinter")],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr


def test_no_module_imports_itself_back():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    cycles = []
    for component in _strongly_connected(graph):
        first = min(component)
        following = min(m for m in graph.find_modules_directly_imported_by(first) if m in component)
        cycles.append(" -> ".join([first, *graph.find_shortest_chain(importer=following, imported=first)]))
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_modules_and_functions_stay_small():
    found = [problem for _path, problem in _size_problems()]
    assert not found, "\n".join(found)


def _strongly_connected(graph) -> list[set[str]]:
    """Groups of modules that import each other, directly or not (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, successors = work[-1]
            successor = next(successors, None)
            if successor is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[module])
                if low[module] == index[module]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == module:
                            break
                    if len(group) > 1:
                        groups.append(group)
            elif successor not in index:
                index[successor] = low[successor] = len(index)
                stack.append(successor)
                on_stack.add(successor)
                work.append((successor, iter(sorted(graph.find_modules_directly_imported_by(successor)))))
            elif successor in on_stack:
                low[module] = min(low[module], index[successor])
    return groups


def _size_problems() -> list[tuple[str, str]]:
    """(file, problem) for every module and function over its limit without a reason."""
    problems = []
    for package in PACKAGES:
        for file in sorted((ROOT / package).rglob("*.py")):
            path = file.relative_to(ROOT).as_posix()
            lines = file.read_text(encoding="utf-8").splitlines()
            tree = ast.parse("\n".join(lines), filename=path)
            if len(lines) > MAX_MODULE_LINES and not _module_reason(tree, lines):
                problems.append((path, f"{path}: {len(lines)} lines (at most {MAX_MODULE_LINES})"))
            for node in ast.walk(tree):
                if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                length = node.end_lineno - node.lineno + 1
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                reason = first >= 2 and lines[first - 2].strip().startswith(REASON)
                if length > MAX_FUNCTION_LINES and not reason:
                    problems.append((path, f"{path}:{node.lineno} {node.name}(): {length} lines "
                                           f"(at most {MAX_FUNCTION_LINES}, or a '{REASON}' line before it)"))
    return problems


def _module_reason(tree: ast.Module, lines: list[str]) -> bool:
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        start, body = body[0].end_lineno, body[1:]  # after the docstring
    else:
        start = 0
    end = body[0].lineno - 1 if body else len(lines)
    return any(line.strip().startswith(REASON) for line in lines[start:end])
