"""Write the embedded demo scenario into geodata/demo/ (deterministic: same bytes every run).

Usage: python scripts/build_demo.py [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from humansec.demo import DEMO_DIR, write_demo


def main(argv: list[str] | None = None) -> int:
    """Build the demo and print the files written with their sizes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEMO_DIR, help=f"default: {DEMO_DIR}")
    args = parser.parse_args(argv)
    total = 0
    for path in write_demo(args.out):
        size = path.stat().st_size
        total += size
        print(f"{path}  {size:,} bytes")
    print(f"total {total:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
