#!/usr/bin/env python3
"""Derives Pantau's region data from cahyadsn/wilayah (see SOURCE.md).

    python3 derive.py NEW.sql OLD.sql [OUT_DIR]

NEW.sql is the repository's db/wilayah.sql, OLD.sql the older decree's dump
(db/archive/wilayah_2023.sql). Writes into OUT_DIR (default: this script's
folder):

- regions.csv      provinces and kabupaten/kota (code,name,level,province_code,zone)
- villages.csv.gz  kecamatan and desa/kelurahan (code,name), gzip'd, no timestamp
- renamed.csv      codes of the old file that the new one gives another code
                   (old_code,new_code,decree,date,basis)

and prints the counts per province and level, to compare with the README's
table. Fails, naming the row, on anything it does not expect.
"""
import csv, gzip, io, os, re, sys
from collections import Counter, defaultdict

# The decree the new file follows (its header), for renamed.csv.
DECREE, DECREE_DATE = "Kepmendagri 300.2.2-2138 Tahun 2025", "2025-04-25"

ROW = re.compile(r"\('(\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?)'\s*,\s*'((?:[^']|'')*)'\)")
SHAPES = {2: 1, 5: 2, 8: 3, 13: 4}  # code length -> level


def fail(msg):
    sys.exit(f"derive.py: {msg}")


def zone(prov):
    p = int(prov)
    if p <= 36 or p in (61, 62): return "WIB"
    if 51 <= p <= 53 or 63 <= p <= 76: return "WITA"
    if 81 <= p <= 99: return "WIT"
    fail(f"no time zone known for province {prov}: add it")


ABBREV = [(r"^Kab\. Adm\. ", "Kabupaten Administrasi "), (r"^Kota Adm\. ", "Kota Administrasi "),
          (r"^Kab\. ", "Kabupaten "), (r"\bKep\. ", "Kepulauan "), (r"^Dki ", "DKI "), (r"^Di ", "DI ")]


def squeeze(name):
    return re.sub(r"\s+", " ", name.replace("''", "'")).strip()


def clean_region(name):
    """A province's or kabupaten/kota's name, as regions.csv writes it."""
    name = squeeze(name)
    if name.isupper():  # older dumps and the decree's annex are in capitals
        name = " ".join(w.lower() if w == "DAN" else "-".join(p.capitalize() for p in w.split("-"))
                        for w in name.split(" "))
    for pat, rep in ABBREV:
        name = re.sub(pat, rep, name)
    return name


def clean_local(name):
    """A kecamatan's or desa's name: the source's, whitespace squeezed, first letter capital."""
    name = squeeze(name)
    return name[:1].upper() + name[1:]


def read(path):
    """code -> name for every row of a dump, all four levels."""
    text = open(path, encoding="utf-8").read()
    rows = {}
    for code, name in ROW.findall(text):
        if code in rows: fail(f"{path}: duplicate code {code}")
        rows[code] = name
    data_lines = sum(1 for line in text.splitlines() if line.startswith("('"))
    if data_lines != len(rows): fail(f"{path}: {data_lines} data lines but {len(rows)} rows read")
    return rows


def level(code):
    return SHAPES[len(code)]


def regions(rows):
    out = {}
    for code, name in rows.items():
        if level(code) > 2: continue
        prov, name = code[:2], clean_region(name)
        if len(code) == 2:
            kind = "province"
        else:
            n = int(code[3:])
            kind = "regency" if 1 <= n <= 69 else "city" if 71 <= n <= 99 else fail(f"bad code {code}")
            if not name.startswith("Kabupaten " if kind == "regency" else "Kota "):
                fail(f"{code} {name!r}: the code says {kind}")
        out[code] = (code, name, kind, prov, zone(prov))
    return out


def villages(rows):
    out = {}
    for code, name in rows.items():
        lvl = level(code)
        if lvl < 3: continue
        parent = code[:5] if lvl == 3 else code[:8]
        if parent not in rows: fail(f"{code}: its parent {parent} is not in the file")
        if code.endswith(".00") or code.endswith(".0000"): fail(f"{code}: a zero part")
        if lvl == 4 and code[9] not in "123": fail(f"{code}: a desa code starts with 1, 2 or 3")
        name = clean_local(name)
        if not name: fail(f"{code}: no name")
        out[code] = name
    return out


def norm(name):
    return clean_region(name).upper()


def compact(name):
    return re.sub(r"[^0-9A-Z]", "", norm(name))


def renamed(old, new):
    """Old codes absent from the new file -> the new code of the same region: [(old, new, basis)]."""
    gone = sorted(set(old) - set(new))
    added = sorted(set(new) - set(old))
    mapped, basis, notes = {}, {}, []

    # kabupaten/kota: the same name under a new code
    for c in (c for c in gone if level(c) == 2):
        hits = [k for k in added if level(k) == 2 and norm(new[k]) == norm(old[c])]
        if len(hits) != 1: fail(f"kabupaten/kota {c} {old[c]!r}: {len(hits)} namesakes")
        mapped[c], basis[c] = hits[0], "name"
    if any(level(c) == 1 for c in gone): fail("a province code is gone: map it by hand")

    def regency(c):  # the kabupaten/kota of an old code, in the new file's codes
        return mapped.get(c[:5], c[:5])

    taken = set()

    def match(c, candidates, how):
        hits = [k for k in candidates if k not in taken]
        if len(hits) == 1:
            mapped[c], basis[c] = hits[0], how
            taken.add(hits[0])
        return len(hits)

    desa_added = defaultdict(list)  # new kabupaten/kota -> added desa codes
    for k in added:
        if level(k) == 4: desa_added[k[:5]].append(k)
    gone_desa = [c for c in gone if level(c) == 4]
    # 1. the one desa of the same name in the same kabupaten/kota
    ambiguous = []
    for c in gone_desa:
        pool = [k for k in desa_added[regency(c)] if norm(new[k]) == norm(old[c])]
        if match(c, pool, "name") > 1: ambiguous.append(c)
    # 2. namesakes told apart by where the rest of the old kecamatan went
    went = defaultdict(Counter)
    for c in gone_desa:
        if c in mapped: went[c[:8]][mapped[c][:8]] += 1
    dest = {k: v.most_common(1)[0][0] for k, v in went.items()}
    for c in ambiguous:
        pool = [k for k in desa_added[regency(c)]
                if norm(new[k]) == norm(old[c]) and k[:8] == dest.get(c[:8])]
        match(c, pool, "name")
    # 3. the same letters, spaces and punctuation aside (`Tohiti Sari` -> `Tohitisari`)
    for c in gone_desa:
        if c in mapped: continue
        pool = [k for k in desa_added[regency(c)] if compact(new[k]) == compact(old[c])]
        if match(c, pool, "spelling") != 1:
            notes.append(f"desa {c} {old[c]!r}: no desa of that name under a new code")

    # kecamatan: the same name under a new code, where its desa went too
    for c in (c for c in gone if level(c) == 3):
        hits = [k for k in added if level(k) == 3 and k[:5] == regency(c) and norm(new[k]) == norm(old[c])]
        if len(hits) != 1:
            notes.append(f"kecamatan {c} {old[c]!r}: {len(hits)} namesakes under a new code")
        elif c in dest and dest[c] != hits[0]:
            notes.append(f"kecamatan {c} {old[c]!r}: its namesake is {hits[0]} {new[hits[0]]!r}, "
                         f"but its desa went to {dest[c]} {new[dest[c]]!r}")
        else:
            mapped[c], basis[c] = hits[0], "name"
    for c, k in mapped.items():
        if k in old: fail(f"{c} -> {k}: the new code was in use already")
    return [(c, mapped[c], basis[c]) for c in sorted(mapped)], notes


def write_csv(rows, header):
    s = io.StringIO()
    w = csv.writer(s, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return s.getvalue().encode("utf-8")


def main():
    if len(sys.argv) not in (3, 4): fail(__doc__)
    new, old = read(sys.argv[1]), read(sys.argv[2])
    out_dir = sys.argv[3] if len(sys.argv) == 4 else os.path.dirname(os.path.abspath(__file__))

    reg = regions(new)
    vil = villages(new)
    for code in vil:
        if code[:5] not in reg: fail(f"{code}: no kabupaten/kota {code[:5]}")
    ren, notes = renamed(old, new)
    for o, n, _ in ren:
        if n not in reg and n not in vil: fail(f"{o} -> {n}: not a current code")

    with open(os.path.join(out_dir, "regions.csv"), "wb") as f:
        f.write(write_csv([reg[c] for c in sorted(reg)],
                          ["code", "name", "level", "province_code", "zone"]))
    with open(os.path.join(out_dir, "villages.csv.gz"), "wb") as f:
        body = write_csv([(c, vil[c]) for c in sorted(vil)], ["code", "name"])
        f.write(gzip.compress(body, compresslevel=9, mtime=0))
    with open(os.path.join(out_dir, "renamed.csv"), "wb") as f:
        f.write(write_csv([(o, n, DECREE, DECREE_DATE, b) for o, n, b in ren],
                          ["old_code", "new_code", "decree", "date", "basis"]))

    # counts, per province as in the README's table
    kind = lambda c: ("kab" if int(c[3:5]) < 70 else "kota") if len(c) == 5 else \
        "kec" if len(c) == 8 else {"1": "kel", "2": "desa", "3": "adat"}[c[9]]
    per = defaultdict(Counter)
    for c in list(reg) + list(vil):
        if len(c) > 2: per[c[:2]][kind(c)] += 1
    cols = ["kab", "kota", "kec", "kel", "desa", "adat"]
    print("prov name                            " + " ".join(f"{k:>6}" for k in cols))
    for p in sorted(per):
        print(f"{p:4} {reg[p][1][:32]:32} " + " ".join(f"{per[p][k]:6}" for k in cols))
    total = sum(per.values(), Counter())
    print(f"{'':4} {'total':32} " + " ".join(f"{total[k]:6}" for k in cols))
    print(f"renamed.csv: {Counter(len(o) for o, _, _ in ren)} by code length, "
          f"{Counter(b for _, _, b in ren)} by basis")
    for n in notes:
        print("not mapped:", n)


main()
