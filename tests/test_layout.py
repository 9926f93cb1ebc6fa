"""The package's layout keeps the trust boundary, by rule: read from every module's imports (ast), not by habit.

The subpackages are the data flow: `authoring` (what a grader imports), `boundary` (the call boundary: the parent's
handle, codec, wire, the child's sealed side), `sandbox` (where students' code runs), `engine` (read, grade, store),
`classroom` (nbgrader's side), `reports` (what people read); `errors`, `messages`, `notes` and `kit` are the ground
floor every part may use."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import autograder
from autograder import kit
from autograder.sandbox import session

PACKAGE = Path(autograder.__file__).parent
SUBPACKAGES = ("authoring", "boundary", "sandbox", "engine", "classroom", "reports")
GROUND = {"autograder.errors", "autograder.messages", "autograder.notes", "autograder.kit"}
# What runs in the zygote and every student's child: the child's side of the boundary and the sandbox's.
CHILD_SIDE = (
    "autograder.boundary.child",
    "autograder.boundary.codec",
    "autograder.boundary.describe",
    "autograder.boundary.seal",
    "autograder.sandbox.zygote",
    "autograder.sandbox.confine",
    "autograder.sandbox.plan",
    "autograder.sandbox.linux",
    "autograder.sandbox.cgroups",
    "autograder.sandbox.landlock",
    "autograder.sandbox.seccomp",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(module: str) -> set[str]:
    """The kit's modules that `module` imports anywhere in its body (a lazy import in a function counts)."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("autograder"):
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                found.add(name if name in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("autograder")}
    return found - {module}


def loaded_with(module: str) -> set[str]:
    """What importing `module` imports, transitively, subpackages included (Python runs a package's __init__
    first); autograder/__init__ aside, which the zygote's bootstrap skips (`session.BOOTSTRAP`)."""
    seen, todo = set(), [module]
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for known in [".".join(parts[:i]) for i in range(2, len(parts))] + [name]:  # not autograder/__init__
            if known in MODULES and known not in seen:
                seen.add(known)
                todo += sorted(imports(known))
    return seen


def test_every_module_lives_on_the_ground_floor_or_in_a_subpackage_of_the_data_flow():
    top = {name for name in MODULES if name.count(".") == 1} - {f"autograder.{p}" for p in SUBPACKAGES}
    assert (
        top - GROUND - {"autograder.__main__", "autograder.cli", "autograder.nbgrader_plugin", "autograder.graders"}
        == set()
    )


def test_no_module_imports_itself_back_through_others():
    def cycle_from(start: str) -> list[str] | None:
        path, on_path = [start], {start}

        def visit(name: str) -> list[str] | None:
            for following in sorted(imports(name)):
                if following == start:
                    return [*path, start]
                if following in MODULES and following not in on_path and following not in done:
                    path.append(following)
                    on_path.add(following)
                    found = visit(following)
                    if found:
                        return found
                    on_path.discard(path.pop())
            done.add(name)
            return None

        done: set[str] = set()
        return visit(start)

    cycles = [cycle for name in MODULES if (cycle := cycle_from(name))]
    assert not cycles, " -> ".join(cycles[0])


@pytest.mark.parametrize("grader", sorted(name for name in MODULES if name.startswith("autograder.graders.")))
def test_a_grader_imports_the_kit_through_the_authoring_side_alone(grader):
    """One import line (`from autograder.authoring import ...`): never the sandbox, the transports or the child."""
    tree = ast.parse(MODULES[grader].read_text(encoding="utf-8"))
    sources = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    assert {source for source in sources if source and source.startswith("autograder")} == {"autograder.authoring"}


@pytest.mark.parametrize(
    "module", sorted(name for name in MODULES if name.startswith(("autograder.graders.", "autograder.authoring")))
)
def test_the_graders_side_never_imports_the_sandbox_the_transports_or_the_child(module):
    forbidden = {"autograder.boundary.transport", "autograder.boundary.child", "autograder.boundary.protocol"}
    assert not {name for name in imports(module) if name in forbidden or name.startswith("autograder.sandbox")}


@pytest.mark.parametrize("module", CHILD_SIDE)
def test_the_child_side_never_loads_graders_expected_values_the_gradebook_or_reports(module):
    """What a student's process holds: a grader or an expected value there could be read by the student's code."""
    loaded = loaded_with(module)
    forbidden = (
        "autograder.graders",
        "autograder.authoring",
        "autograder.engine",
        "autograder.classroom",
        "autograder.reports",
    )
    assert not {name for name in loaded if name.startswith(forbidden)}


@pytest.mark.parametrize("module", sorted(name for name in MODULES if name.startswith("autograder.reports")))
def test_reports_never_import_the_sandbox(module):
    assert not {name for name in imports(module) if name.startswith("autograder.sandbox")}


def test_the_subpackages_that_the_zygote_loads_run_nothing_on_import():
    """The zygote imports `autograder.sandbox.zygote` and the child's modules without autograder/__init__, but
    Python still runs each subpackage's __init__: they hold a docstring only."""
    for package in ("boundary", "sandbox"):
        tree = ast.parse((PACKAGE / package / "__init__.py").read_text(encoding="utf-8"))
        assert [type(node) for node in tree.body] == [ast.Expr]


def test_the_sandbox_hides_the_whole_package_wherever_its_modules_moved():
    assert Path(session.KIT_DIR) == kit.PACKAGE == PACKAGE
    assert {path.parent.name for path in PACKAGE.rglob("*.py")} >= {"autograder", "graders", *SUBPACKAGES}
    assert all(Path(session.KIT_DIR) in path.parents for path in MODULES.values())


def test_old_nbgrader_configurations_name_the_same_plugin_classes():
    from autograder import nbgrader_plugin
    from autograder.classroom import plugin

    for name in nbgrader_plugin.__all__:
        assert getattr(nbgrader_plugin, name) is getattr(plugin, name)
    assert {"KitGrade", "KitCollect", "KitCsvExport"} <= set(nbgrader_plugin.__all__)
