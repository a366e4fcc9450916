#!/usr/bin/env python3
"""The file system's part of `draft --split` alone, for scripts/bench.sh (docs/performance.md).

    fs_floor.py SOURCE TARGET

Writes one file in TARGET for each file in SOURCE the way checkmyogp writes them, without
rendering anything: each to a temporary file beside its target, all synced to disk (32 threads
at once, as the tool's syncing threads), and only then each renamed over its target. If TARGET
does not exist it is made and filled with SOURCE's texts (a new folder); if it exists, each of
its files is replaced by its own text with one more line end (every file changed). Prints the
time that took, after the texts are read: the least any atomic writer pays on this disk.
"""
import concurrent.futures
import os
import sys
import time


def main() -> None:
    source, target = sys.argv[1], sys.argv[2]
    names = sorted(n for n in os.listdir(source) if not n.startswith("."))
    if os.path.isdir(target):
        how = "every file changed"
        texts = [open(os.path.join(target, n), "rb").read() + b"\n" for n in names]
    else:
        how = "new folder"
        texts = [open(os.path.join(source, n), "rb").read() for n in names]
    start = time.monotonic()
    os.makedirs(target, exist_ok=True)
    temps = []
    for i, text in enumerate(texts):
        temp = os.path.join(target, f".floor-{i}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, text)
        os.close(fd)
        temps.append(temp)

    def sync(path: str) -> None:
        fd = os.open(path, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)

    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        list(pool.map(sync, temps, chunksize=16))
    for temp, name in zip(temps, names):
        os.rename(temp, os.path.join(target, name))
    took = time.monotonic() - start
    print(f"{took:.2f} s  the file system's part alone, {how}: {len(names)} files")


if __name__ == "__main__":
    main()
