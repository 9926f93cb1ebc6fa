"""Where the kit's own files are, for every module whichever subpackage it lives in.

`PACKAGE` is what the sandbox hides from students' code; `ROOT` holds the release, the source notebooks and the
project's metadata the kit reads."""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
