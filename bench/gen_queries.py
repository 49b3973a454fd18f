#!/usr/bin/env python3
"""gen_queries.py — mixed search-box queries for the standards search benchmark (issue 3).

Reads a catalogue CSV (bench/gen_standards output or any file with `number` and `title_zh`
columns) and writes N queries the way people type them into 标准查询, one per line as TSV
`class<TAB>query`. Deterministic for a given catalogue, --n and --seed.

  python3 bench/gen_queries.py --catalog /tmp/std.csv --n 1000 --seed 1 --out /tmp/queries.tsv

Classes (shares of N, held exactly, then shuffled):
  number  30%  a catalogue number in a messy form: exact, lower case, no space, no slash,
               year-less, compact (`gbt19580`), full-width, en dash
  word2   30%  a two-character word taken from the titles (质量, 安全, 食品, 试验, 方法 …)
  word4   20%  a four-character word from the titles (试验方法, 检验规则, 信息技术 …)
  trad    10%  a two- or four-character title word written in Traditional characters (質量, 檢驗規則)
  pinyin  10%  toneless pinyin of a two-character title word (zhiliang, anquan, shipin)

Words are counted over the catalogue's titles and drawn weighted by frequency from the most
common ones, so every word query hits. Standard library only.
"""
import argparse, collections, csv, random, re, sys

CJK = re.compile(r"[\u4e00-\u9fff]+")
FW = {c: chr(ord(c) + 0xFEE0) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/-."}
FW[" "] = "\u3000"

# Simplified -> Traditional for the characters of common title words (identity where the two
# are the same). A word becomes a `trad` query only if every character is listed here and at
# least one changes.
S2T = dict(zip(
    "质量标准检验规则试验方法技术条件电气设备安全要求产品食品信息数据格式运维护范评价节能绿色"
    "编码导监测环境适应性服务管理应急处置控制风力发机组医用防护储能系统口罩充换站体器械诊断剂"
    "汽车座椅轮胎能力证成本抽样顾客满意卓越绩效政务中心旅游景区动饲料蔬菜设施肥料有机复合天平"
    "子空废物危险城镇污水生活垃圾光伏组件综合耗温室气术语标志包装煤炭土壤茶园农药挂校灯具玩毛巾"
    "牙膏皮革鞋类梯月饼黄酒乳粉大米酱油醋蜂蜜叶腐糕点白饮饼干分级性接口基本建设指南采操作程追溯"
    "计签识兼容磁可靠部",
    "質量標準檢驗規則試驗方法技術條件電氣設備安全要求產品食品信息數據格式運維護範評價節能綠色"
    "編碼導監測環境適應性服務管理應急處置控制風力發機組醫用防護儲能系統口罩充換站體器械診斷劑"
    "汽車座椅輪胎能力證成本抽樣顧客滿意卓越績效政務中心旅遊景區動飼料蔬菜設施肥料有機複合天平"
    "子空廢物危險城鎮污水生活垃圾光伏組件綜合耗溫室氣術語標誌包裝煤炭土壤茶園農藥掛校燈具玩毛巾"
    "牙膏皮革鞋類梯月餅黃酒乳粉大米醬油醋蜂蜜葉腐糕點白飲餅乾分級性接口基本建設指南採操作程追溯"
    "計簽識兼容磁可靠部"))

# toneless pinyin (the first Unihan reading, as nqi's tokenizer indexes it) of unambiguous
# two-character words; only words that occur in the titles are used
PINYIN = {
    "质量": "zhiliang", "标准": "biaozhun", "食品": "shipin", "安全": "anquan", "电气": "dianqi",
    "试验": "shiyan", "方法": "fangfa", "检验": "jianyan", "技术": "jishu", "规范": "guifan",
    "要求": "yaoqiu", "信息": "xinxi", "管理": "guanli", "服务": "fuwu", "评价": "pingjia",
    "汽车": "qiche", "医用": "yiyong", "环境": "huanjing", "能效": "nengxiao", "产品": "chanpin",
    "电梯": "dianti", "茶叶": "chaye", "蜂蜜": "fengmi", "农药": "nongyao", "土壤": "turang",
    "设计": "sheji", "监测": "jiance", "检测": "jiance", "电子": "dianzi", "节能": "jieneng",
    "绿色": "lvse", "术语": "shuyu", "包装": "baozhuang", "煤炭": "meitan", "玩具": "wanju",
    "饮料": "yinliao", "光伏": "guangfu", "电池": "dianchi", "消毒": "xiaodu", "编码": "bianma",
    "性能": "xingneng", "指南": "zhinan", "能力": "nengli", "分级": "fenji", "标签": "biaoqian",
    "验收": "yanshou", "施工": "shigong", "数据": "shuju", "格式": "geshi", "追溯": "zhuisu",
}

TIER_MIX = (("national", 0.50), ("industry", 0.20), ("local", 0.10), ("group", 0.10), ("enterprise", 0.10))


def tier(num):
    if num.startswith(("GB ", "GB/", "GBZ")):
        return "national"
    if num.startswith("DB"):
        return "local"
    if num.startswith("T/"):
        return "group"
    if num.startswith("Q/"):
        return "enterprise"
    return "industry"


def load(path, per_tier, rng):
    """Count title words and reservoir-sample catalogue numbers per tier (one pass)."""
    w2, w4 = collections.Counter(), collections.Counter()
    pools, seen = {t: [] for t, _ in TIER_MIX}, collections.Counter()
    with open(path, encoding="utf-8-sig", newline="") as f:
        rd = csv.reader(f)
        hdr = next(rd)
        ni = hdr.index("number") if "number" in hdr else hdr.index("标准号")
        ti = hdr.index("title_zh") if "title_zh" in hdr else hdr.index("标准名称")
        for row in rd:
            if len(row) <= max(ni, ti):
                continue
            num = row[ni]
            t = tier(num)
            seen[t] += 1
            if len(pools[t]) < per_tier:
                pools[t].append(num)
            else:
                j = rng.randrange(seen[t])
                if j < per_tier:
                    pools[t][j] = num
            for w in CJK.findall(row[ti]):
                if len(w) == 2:
                    w2[w] += 1
                elif len(w) == 4:
                    w4[w] += 1
                    w2[w[:2]] += 1  # 试验方法 -> 试验, 方法: the two-character words people type
                    w2[w[2:]] += 1
                elif len(w) >= 5:
                    w2[w[:2]] += 1
    return w2, w4, pools


def top(counter, k):
    """The k most common entries, ties broken by the string (deterministic)."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:k]


def messy_number(num, rng):
    m = re.match(r"^(.*?)[ ]?([0-9][0-9A-Za-z.]*)-(\d{4})$", num)
    form = rng.choice(("exact", "lower", "nospace", "noslash", "yearless", "compact", "fullwidth", "dash"))
    if form == "exact" or not m:
        return num
    code, body, year = m.group(1), m.group(2), m.group(3)
    if form == "lower":
        return num.lower()
    if form == "nospace":
        return f"{code}{body}-{year}"
    if form == "noslash":
        return num.replace("/", "", 1)
    if form == "yearless":
        return f"{code} {body}".replace("  ", " ").strip()
    if form == "compact":
        return (code.replace("/", "").replace(" ", "") + body).lower()
    if form == "fullwidth":
        return "".join(FW.get(c, c) for c in num)
    return num[: num.rfind("-")] + "\u2013" + year  # en dash


def weighted(items, rng):
    words = [w for w, _ in items]
    weights = [c for _, c in items]
    return rng.choices(words, weights=weights)[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--catalog", required=True)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    n = a.n
    counts = {"number": round(n * 0.3), "word2": round(n * 0.3), "word4": round(n * 0.2), "trad": round(n * 0.1)}
    counts["pinyin"] = n - sum(counts.values())

    w2, w4, pools = load(a.catalog, max(64, counts["number"]), rng)
    top2, top4 = top(w2, 120), top(w4, 120)
    trad = [(w, c) for w, c in top2 + top4
            if all(ch in S2T for ch in w) and any(S2T[ch] != ch for ch in w)]
    pin = [(w, c) for w, c in top(w2, 10 ** 9) if w in PINYIN]
    if not top2 or not top4 or not trad or not pin:
        sys.exit("gen_queries: the catalogue's titles have too few words")

    out = []
    nums = [num for t, _ in TIER_MIX for num in pools[t]]
    by_tier = {t: pools[t] for t, _ in TIER_MIX}
    for _ in range(counts["number"]):
        t = rng.choices([t for t, _ in TIER_MIX], weights=[s for _, s in TIER_MIX])[0]
        pool = by_tier[t] or nums
        out.append(("number", messy_number(rng.choice(pool), rng)))
    out += [("word2", weighted(top2, rng)) for _ in range(counts["word2"])]
    out += [("word4", weighted(top4, rng)) for _ in range(counts["word4"])]
    out += [("trad", "".join(S2T[ch] for ch in weighted(trad, rng))) for _ in range(counts["trad"])]
    out += [("pinyin", PINYIN[weighted(pin, rng)]) for _ in range(counts["pinyin"])]
    rng.shuffle(out)

    f = open(a.out, "w", encoding="utf-8", newline="\n") if a.out else sys.stdout
    for cls, q in out:
        f.write(f"{cls}\t{q}\n")
    if a.out:
        f.close()


if __name__ == "__main__":
    main()
