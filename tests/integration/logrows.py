#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Compare the Zeek-format logs of two folders as multisets of data rows.

usage: logrows.py [--ignore F1,F2,...] WANT_DIR GOT_DIR STREAM...

For each STREAM, the rows of STREAM.log and of every STREAM.*.log (the
files a restarted manager set aside) of a folder count together, so a row
written twice -- once before a kill -9, once after -- shows as repeated.
Columns named uid, *fuid*, *uids never compare (they are random), nor
those named with --ignore: a capture of a replayed trace stamps packets
with the time it saw them, so `ts`, `duration` and `rtt` differ from a
run over the trace file while nothing else may.  Prints one line per
stream; exits 1 when a stream differs or WANT_DIR has none of its rows.
"""
import collections
import glob
import os
import sys


def rows(folder, stream, ignore):
    files = [os.path.join(folder, stream + ".log")]
    files += sorted(glob.glob(os.path.join(folder, stream + ".*.log")))
    counted, per_file = collections.Counter(), []
    for path in files:
        if not os.path.exists(path):
            continue
        keep, n = [], 0
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            for line in f:
                line = line.rstrip("\n")
                if line.startswith("#fields"):
                    fields = line.split("\t")[1:]
                    keep = [i for i, x in enumerate(fields)
                            if x != "uid" and "fuid" not in x and not x.endswith("uids")
                            and x not in ignore]
                elif line and not line.startswith("#"):
                    v = line.split("\t")
                    counted[tuple(v[i] for i in keep if i < len(v))] += 1
                    n += 1
        per_file.append((os.path.basename(path), n))
    return counted, per_file


def main(argv):
    ignore = set()
    if len(argv) > 1 and argv[0] == "--ignore":
        ignore = set(argv[1].split(","))
        argv = argv[2:]
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    want_dir, got_dir, streams = argv[0], argv[1], argv[2:]
    bad = 0
    for s in streams:
        want, _ = rows(want_dir, s, ignore)
        got, files = rows(got_dir, s, ignore)
        extra, missing = got - want, want - got
        parts = ", ".join(f"{f}: {n}" for f, n in files) or "no file"
        if extra or missing or not want:
            bad += 1
            print(f"FAIL {s}: {sum(want.values())} rows expected, {sum(got.values())} written "
                  f"({parts}); {sum(missing.values())} missing, "
                  f"{sum(extra.values())} extra or repeated")
            for r in list(missing)[:3]:
                print("  missing:", "\t".join(r))
            for r in list(extra)[:3]:
                print("  extra:  ", "\t".join(r))
        else:
            print(f"ok   {s}: {sum(want.values())} rows, each once ({parts})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
