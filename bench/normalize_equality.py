"""Check that normalize gives the same Release as another revision, for every shared exhibit.

A speed-up of normalize must not change its output. This normalizes every exhibit under
../shared/data (each .htm/.html/.txt file as given, and each document of each full submission)
with the working tree and with ``--baseline`` (a git revision, ``main`` by default, run from a
``git archive`` of it in a subprocess), and compares the outcomes: equal ``Release`` values, or
the same ``NormalizeError`` class and message.

Run: ``.venv/bin/python bench/normalize_equality.py [--baseline REV]``; exit status 1 when
any exhibit differs.
"""

from __future__ import annotations

import argparse
import pickle
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"

# Run in a subprocess whose sys.path starts with the baseline tree: normalizes the exhibits
# pickled on stdin and pickles the outcomes to stdout.
_RUNNER = """
import pickle, sys
import watcher.normalize
from watcher.errors import NormalizeError
from watcher.normalize import normalize_exhibit
assert watcher.normalize.__file__.startswith(sys.path[0]), watcher.normalize.__file__
outcomes = []
for content in pickle.load(sys.stdin.buffer):
    try:
        outcomes.append(normalize_exhibit(content))
    except NormalizeError as exc:
        outcomes.append((type(exc).__name__, str(exc)))
pickle.dump(outcomes, sys.stdout.buffer)
"""


def exhibits() -> list[tuple[str, bytes]]:
    """Every file that could be an exhibit, and every document inside each submission."""
    sys.path.insert(0, str(ROOT))
    from watcher.errors import WatcherError  # (after the path tweak)
    from watcher.sgml import split_submission

    found: list[tuple[str, bytes]] = []
    for path in sorted(SHARED.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in (".htm", ".html", ".txt"):
            continue
        content = path.read_bytes()
        name = str(path.relative_to(SHARED))
        found.append((name, content))
        try:
            documents = split_submission(content)
        except WatcherError:
            documents = []
        for number, document in enumerate(documents):
            found.append((f"{name}#{number}:{document.doc_type}", document.content))
    return found


def outcomes(tree: Path, contents: list[bytes]) -> list[object]:
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(tree)!r})\n{_RUNNER}"],
        input=pickle.dumps(contents), capture_output=True, check=True)
    loaded: list[object] = pickle.loads(result.stdout)  # (our own subprocess)
    return loaded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="main", help="git revision to compare with")
    args = parser.parse_args()
    found = exhibits()
    if not found:
        print(f"no exhibits under {SHARED}", file=sys.stderr)
        return 1
    contents = [content for _, content in found]
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline, "watcher"],
                             capture_output=True, check=True).stdout
    with tempfile.TemporaryDirectory() as baseline_tree:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(baseline_tree, filter="data")
        before = outcomes(Path(baseline_tree), contents)
    after = outcomes(ROOT, contents)
    differing = [name for (name, _), old, new in zip(found, before, after, strict=True)
                 if old != new]
    releases = sum(1 for outcome in after if not isinstance(outcome, tuple))
    print(f"{len(found)} exhibits ({releases} releases, {len(found) - releases} refused) "
          f"compared with {args.baseline}: {len(differing)} differ")
    for name in differing:
        print(f"  differs: {name}")
    return 1 if differing else 0


if __name__ == "__main__":
    raise SystemExit(main())
