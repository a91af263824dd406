#!/usr/bin/env python3
"""Rebuilds the bundled sample from ../shared/data/nih-cxr14-sample (run from the repo root).

Deterministic: patients are taken in a fixed pseudo-random order (seed 7), first those with the rarest labels so
every label is present, then others, until ~400 images; patients with more than 8 images are skipped. The label
table keeps the official rows of the chosen images plus the other rows of the same patients (labels without an
image, as in any partial copy of the store).
"""
import csv, os, random, shutil, sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/nih-cxr14-sample"
DST = os.path.join(os.path.dirname(os.path.abspath(__file__)))
TARGET = 400
rows = list(csv.DictReader(open(os.path.join(SRC, "labels.csv"))))
by_patient = {}
for r in rows:
    by_patient.setdefault(r["Patient ID"], []).append(r)
patients = sorted(p for p, rs in by_patient.items() if len(rs) <= 8)
random.Random(7).shuffle(patients)
count = {}
for r in rows:
    for l in r["Finding Labels"].split("|"):
        count[l] = count.get(l, 0) + 1
def rarity(p):
    return min(count[l] for r in by_patient[p] for l in r["Finding Labels"].split("|"))
chosen, n = [], 0
for p in sorted(patients, key=rarity)[:40] + patients:
    if p in chosen or n >= TARGET:
        continue
    chosen.append(p)
    n += len(by_patient[p])
images = {r["Image Index"] for p in chosen for r in by_patient[p]}
keep = {str(int(p)).zfill(8) for p in chosen}
os.makedirs(os.path.join(DST, "images"), exist_ok=True)
for name in sorted(images):
    shutil.copy(os.path.join(SRC, "images", name), os.path.join(DST, "images", name))
with open(os.path.join(SRC, "Data_Entry_2017.csv")) as f, open(os.path.join(DST, "Data_Entry_2017.csv"), "w") as g:
    g.write(f.readline())
    for line in f:
        if line.split(",")[3] in keep:
            g.write(line)
print(len(chosen), "patients,", len(images), "images")
