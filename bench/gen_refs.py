#!/usr/bin/env python3
"""gen_refs.py — messy standard references for the validity-confirmation benchmark.

Reads a catalogue CSV (bench/gen_standards output, data/demo/standards.csv, or any file
with a `number` column and optionally `title_zh`) and writes N references, one per line,
the way clerks type them: exact numbers, lower case, missing spaces or slashes, full-width
characters, dash variants, year-less references, titles appended, 2-digit years, and ~5%
garbage or unknown numbers. Deterministic for a given catalogue and --seed.

  python3 bench/gen_refs.py --catalog /tmp/std.csv --n 10000 --seed 1 > /tmp/refs.txt
  python3 bench/gen_refs.py --catalog data/demo/standards.csv --n 500 --expect /tmp/expect.tsv

--expect FILE writes the answer key as TSV: line, kind, expected canonical number ("GB/T 19580-2012";
year-less kinds give the key "GB/T 19580"; garbage/unknown give ""), input.
Standard library only.
"""
import argparse, csv, random, re, sys

FW = {c: chr(ord(c) + 0xFEE0) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/-."}
FW[" "] = "\u3000"
DASHES = ["\u2014", "\u2013", "\uff0d", "\u2010", "\u2015", "\u2212", "--"]
GARBAGE = ["见附件", "待定", "无", "N/A", "企业内部规范", "按合同约定", "ISO 9001:2015", "IEC 60335-1:2020",
           "EN 71-3:2019", "ASTM D4236", "参照国外先进标准", "--", "（空）", "同上", "GB", "标准号", "2019版",
           "Q/", "T/", "DB", "详见技术协议", "国标", "行标"]

KEY_RE = re.compile(r"^(.*?)-(\d{4})$")


def split(num):
    """'GB/T 19580-2012' -> ('GB/T 19580', '2012'); None when there is no year."""
    m = KEY_RE.match(num)
    return (m.group(1), m.group(2)) if m else None


TIERS = ("national", "industry", "local", "group", "enterprise")
# what validity-confirmation lists look like: mostly national and industry standards
MIX = {"national": 0.55, "industry": 0.22, "local": 0.09, "group": 0.07, "enterprise": 0.07}


def tier(num):
    if num.startswith(("GB ", "GB/", "GBZ")):
        return "national"
    if num.startswith("DB") and num[2:3].isdigit() or num.startswith("DBS"):
        return "local"
    if num.startswith("T/"):
        return "group"
    if num.startswith("Q/"):
        return "enterprise"
    return "industry"


def load(path, k, rng):
    """Reservoir-sample up to k catalogue rows (number, title) per tier; also return the set
    of all numbers."""
    pools, counts, seen = {t: [] for t in TIERS}, dict.fromkeys(TIERS, 0), set()
    with open(path, encoding="utf-8-sig", newline="") as f:
        rd = csv.reader(f)
        hdr = next(rd)
        ni = hdr.index("number") if "number" in hdr else hdr.index("标准号")
        ti = hdr.index("title_zh") if "title_zh" in hdr else (hdr.index("标准名称") if "标准名称" in hdr else None)
        for i, r in enumerate(rd):
            if len(r) <= ni or not r[ni]:
                continue
            num = r[ni]
            seen.add(num)
            item = (num, r[ti] if ti is not None and ti < len(r) else "")
            t = tier(num)
            pool = pools[t]
            counts[t] += 1
            if len(pool) < k:
                pool.append(item)
            else:
                j = rng.randrange(counts[t])
                if j < k:
                    pool[j] = item
    return pools, seen


def fullwidth(s, rng, all_chars):
    return "".join(FW.get(c, c) if (all_chars or rng.random() < 0.5) else c for c in s)


def mess(num, title, rng):
    """One messy form of num: (kind, text, expected)."""
    parts = split(num)
    key, year = parts if parts else (num, "")
    prefix, _, rest = key.partition(" ")  # 'GB/T', '19580'
    r = rng.random()
    if r < 0.28:
        return "exact", num, num
    if r < 0.36:
        return "lower", num.lower(), num
    if r < 0.46:  # missing spaces and/or slashes: gbt19580-2012, GB/T19580-2012, GBT 19580-2012
        # the slash is dropped only where that stays unambiguous: not GB/Z (GBZ is another code),
        # not T/ or Q/ (the organisation code would swallow the letter)
        slash_ok = "/" in prefix and not prefix.startswith(("GB/Z", "T/", "Q/"))
        v = rng.randrange(3) if slash_ok else 1
        if v == 0:
            t = num.replace(" ", "").replace("/", "").lower()
        elif v == 1:
            t = num.replace(" ", "", 1)
        else:
            t = num.replace("/", "", 1)
        return "nospace", t, num
    if r < 0.54:
        return "fullwidth", fullwidth(num, rng, rng.random() < 0.6), num
    if r < 0.62:
        if not year:
            return "exact", num, num
        return "dash", f"{key}{rng.choice(DASHES)}{year}", num
    if r < 0.70:
        return "yearless", key, key
    if r < 0.80:
        if not title:
            return "exact", num, num
        v = rng.randrange(4)
        t = [f"{num} {title}", f"{num}《{title}》", f"{num}\t{title}", f"{num}  {title}"][v]
        return "title", t, num
    if r < 0.84:
        if year and year < "2000":
            return "year2", f"{key}-{year[2:]}", num
        return "exact", num, num
    if r < 0.87:
        if not year:
            return "exact", num, num
        return "dotyear", f"{key}.{year}", num
    if r < 0.91:  # surrounding noise: spaces, quotes, trailing punctuation, list markers
        v = rng.randrange(5)
        t = [f"  {num}  ", f"“{num}”", f"{num}；", f"{rng.randrange(1, 99)}. {num}", f"《{num}》"][v]
        return "noise", t, num
    # combinations: lower case + full-width dash, full-width + title, year-less + lower case
    v = rng.randrange(3)
    if v == 0 and year:
        return "combo", f"{key.lower()}{rng.choice(DASHES)}{year}", num
    if v == 1 and title:
        return "combo", f"{fullwidth(num, rng, True)} {title}", num
    return "combo", key.lower().replace(" ", ""), key


def garbage(rng, seen, sample):
    r = rng.random()
    if r < 0.4:
        return "garbage", rng.choice(GARBAGE)
    if r < 0.7:  # well-formed but absent: a national number nobody issued
        for _ in range(100):
            t = f"{rng.choice(['GB', 'GB/T'])} {rng.randrange(90000, 99999)}-{rng.randrange(1990, 2026)}"
            if t not in seen:
                return "unknown", t
    # an existing standard with a year it was never issued in
    num = rng.choice(sample)[0] if sample else "GB/T 1-2000"
    parts = split(num)
    if parts:
        for _ in range(100):
            t = f"{parts[0]}-{rng.randrange(1986, 2026)}"
            if t not in seen:
                return "unknown", t
    return "garbage", rng.choice(GARBAGE)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--catalog", required=True, help="catalogue CSV (number[,title_zh] columns)")
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--garbage", type=float, default=0.05, help="share of garbage/unknown lines (default 0.05)")
    ap.add_argument("--mix", default="55,22,9,7,7",
                    help="percent of national,industry,local,group,enterprise references (default 55,22,9,7,7; "
                         "'catalog' samples rows uniformly)")
    ap.add_argument("--out", help="output file (default stdout)")
    ap.add_argument("--expect", help="write the answer key (TSV) here")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    pools, seen = load(a.catalog, max(a.n, 1), rng)
    if a.mix == "catalog":
        weights = {t: len(pools[t]) for t in TIERS}  # approximately the catalogue mix (capped per tier)
    else:
        weights = dict(zip(TIERS, (float(x) for x in a.mix.split(","))))
    tiers = [t for t in TIERS if pools[t] and weights.get(t, 0) > 0]
    if not tiers:
        sys.exit("gen_refs: the catalogue has no numbers")
    w = [weights[t] for t in tiers]
    sample = [x for t in tiers for x in pools[t]]
    out = open(a.out, "w", encoding="utf-8", newline="") if a.out else sys.stdout
    exp = open(a.expect, "w", encoding="utf-8", newline="") if a.expect else None
    if exp:
        exp.write("line\tkind\texpected\tinput\n")
    for i in range(a.n):
        if rng.random() < a.garbage:
            kind, text = garbage(rng, seen, sample)
            want = ""
        else:
            pool = pools[rng.choices(tiers, w)[0]]
            num, title = pool[rng.randrange(len(pool))]
            kind, text, want = mess(num, title, rng)
        out.write(text.replace("\n", " ") + "\n")
        if exp:
            exp.write(f"{i + 1}\t{kind}\t{want}\t{text.replace(chr(9), ' ')}\n")
    if a.out:
        out.close()
    if exp:
        exp.close()


if __name__ == "__main__":
    main()
