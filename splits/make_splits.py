"""Derive the bundled train/val/test splits from the Titanic data set.

Stratified 60/20/20 on `survived` with a fixed seed, using the same stratified split that the
build uses when a teacher supplies only train.csv. Run from the project root:

    python splits/make_splits.py ../shared/data/titanic/titanic.csv

The outputs are committed; rerunning with the same source gives the same files.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import pandas as pd
from forestlab.prepare import stratified_split

SEED = 42
TARGET = "survived"
EXPECTED_SHA256 = "c2db9893cacc85bc733ed68c08d168381a1b2437ca3c4c5e95946b31510be4fd"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="titanic.csv as described in splits/README.md")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    args = parser.parse_args()

    digest = hashlib.sha256(args.source.read_bytes()).hexdigest()
    if digest != EXPECTED_SHA256:
        raise SystemExit(f"{args.source}: sha256 {digest} is not the documented source file")
    frame = pd.read_csv(args.source, dtype=str, keep_default_na=False)
    y = frame[TARGET].to_numpy()
    rest, test = stratified_split(y, 0.2, SEED)
    train_rel, val_rel = stratified_split(y[rest], 0.25, SEED + 1)
    parts = {"train": rest[train_rel], "val": rest[val_rel], "test": test}
    for name, rows in parts.items():
        path = args.out / f"{name}.csv"
        frame.iloc[rows].to_csv(path, index=False, lineterminator="\n")
        print(f"{path}: {len(rows)} rows, {frame.iloc[rows][TARGET].eq('1').mean():.3f} survived")


if __name__ == "__main__":
    main()
