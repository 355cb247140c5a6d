#!/usr/bin/env python3
"""Scores a `fovea check --json` document against a truth file (path,class) written by PrepareFashionFolders:
pairwise-free counts for likely_mislabelled (an image whose folder is not its true class is a planted label error).
Prints one JSON line: found, planted, precision, recall, and what the document's "mislabelled" block says.
Standard library only, so any python3 runs it."""
import csv
import json
import sys


def main(doc_path, truth_path, label):
    with open(doc_path) as f:
        doc = json.load(f)
    planted = set()
    with open(truth_path) as f:
        for row in csv.DictReader(f):
            if row["path"].split("/")[0] != row["class"]:
                planted.add(row["path"])
    found = {image["path"] for image in doc["images"]
             if any(flag["name"] == "likely_mislabelled" for flag in image["flags"])}
    hits = len(found & planted)
    out = {"case": label, "found": len(found), "planted": len(planted),
           "precision": round(hits / len(found), 4) if found else 0.0,
           "recall": round(hits / len(planted), 4) if planted else 0.0,
           "mislabelled": doc.get("mislabelled"), "embeddings": doc.get("embeddings")}
    print(json.dumps(out))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: mislabel_score.py CHECK.json TRUTH.csv LABEL")
    main(*sys.argv[1:])
