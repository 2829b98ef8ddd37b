#!/usr/bin/env python3
"""Syntax-check every .bicep file with pycep-parser (a Lark grammar of Bicep from PyPI).

The Bicep CLI cannot be installed in CI here, so this catches syntax errors only: no
type checking, no API-version or property validation, no module resolution. `bicep build`
and `az deployment ... what-if` run on the deployer's machine (README, "Deploying to Azure").

Usage: check_bicep.py [FILE_OR_DIR ...]   (default: infra/)
Prints FILE:LINE:COL: message (and the line, marked) per broken file and exits 1.
"""

import sys
from pathlib import Path

from lark.exceptions import UnexpectedInput
from pycep import BicepParser


def bicep_files(args):
    roots = [Path(a) for a in args] or [Path(__file__).resolve().parent.parent]
    for root in roots:
        if root.is_file():
            yield root
        else:
            yield from sorted(p for p in root.rglob("*.bicep") if "target" not in p.parts)


def main(argv):
    parser = BicepParser(add_line_numbers=False, cache=False)
    passed, failed = 0, 0
    for path in bicep_files(argv[1:]):
        try:
            parser.parse(file_path=path)
            passed += 1
        except UnexpectedInput as err:
            failed += 1
            line = err.line if err.line and err.line > 0 else "?"
            col = err.column if err.column and err.column > 0 else "?"
            first = str(err).strip().splitlines()[0]
            print(f"{path}:{line}:{col}: syntax error: {first}")
            print(err.get_context(path.read_text()).rstrip())
        except Exception as err:  # noqa: BLE001 - the transformer or validator refused it
            failed += 1
            print(f"{path}:?:?: {type(err).__name__}: {err}")
    if passed + failed == 0:
        print("no .bicep file found")
        return 1
    if failed:
        print(f"bicep syntax errors in {failed} of {passed + failed} files")
    else:
        print(f"bicep syntax OK in {passed} files")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
