# SPDX-License-Identifier: BSD-3-Clause
"""Readers of Zeek-format logs for the integration tests' python checks
(common.sh puts this folder on PYTHONPATH): `from zeeklog import tsv`."""
import json
import os


def tsv_fields(path, missing_ok=False):
    """The #fields of a TSV log and its data rows, each a dict by field
    name; ([], []) for a missing file when missing_ok."""
    fields, rows = [], []
    if missing_ok and not os.path.exists(path):
        return fields, rows
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#fields"):
                fields = line.split("\t")[1:]
            elif line and not line.startswith("#"):
                rows.append(dict(zip(fields, line.split("\t"))))
    return fields, rows


def tsv(path, missing_ok=False):
    """The data rows of a TSV log, each a dict by field name."""
    return tsv_fields(path, missing_ok)[1]


def jsonl(path):
    """The records of a JSON-lines log."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
