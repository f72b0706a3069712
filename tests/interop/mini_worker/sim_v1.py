"""sim-v1 (docs/sim-v1.md section 1) in Python: the vocabulary, its hash in
the backend identity, and the score. The arithmetic follows the section's
formula term by term, in the order written there, so that results equal the
C++ worker's to the last bit on the same libm."""
import hashlib
import math
import re

STOP = frozenset(
    "a an the with of and in on at by for to from its it is are as into over under through "
    "their his her this that while amid among near or".split())
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?")
MAX_PHRASE_TOKENS = 6

# The constants' default values (docs/sim-v1.md section 1, table).
DEFAULTS = dict(B0=23.5, D_FID=3.0, LAM=0.3, QSD=0.8, MU=0.25, RHO=0.5, S_POS=0.55, R=0.7,
                S_NEG=0.5, BETA=0.04, E0=8.0, MAXW=75, SD=0.7, KAPPA=0.4)


def words(text):
    # Only ASCII letters and digits make tokens: any other character
    # (non-ASCII ones included) separates them.
    return [m.group(0).lower() for m in _TOKEN.finditer(text)]


def stem(w):
    return w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w


def hz(key):
    d = hashlib.sha256(key.encode("utf-8", "surrogateescape")).digest()
    a = int.from_bytes(d[0:8], "big")
    b = int.from_bytes(d[8:16], "big")
    u1 = (float(a) + 0.5) / 18446744073709551616.0
    u2 = (float(b) + 0.5) / 18446744073709551616.0
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


class Vocabulary:
    def __init__(self, path):
        self.phrases = []
        seen = set()
        # Bytes as latin-1 characters: every non-ASCII byte stays a separator.
        with open(path, "rb") as f:
            text = f.read().decode("latin-1")
        for raw in text.split("\n"):
            stripped = raw.strip(" \t\r")
            if not stripped or stripped.startswith("#") or '"' in raw:
                continue
            tokens = words(raw)
            if not tokens or len(tokens) > MAX_PHRASE_TOKENS:
                continue
            phrase = " ".join(tokens)
            if phrase not in seen:
                seen.add(phrase)
                self.phrases.append(phrase)
        # First token -> (remaining tokens, phrase id), longest first, so the
        # first hit of a scan is the longest phrase starting there.
        self._by_first = {}
        for i, p in enumerate(self.phrases):
            t = p.split(" ")
            self._by_first.setdefault(t[0], []).append((tuple(t[1:]), i))
        for entries in self._by_first.values():
            entries.sort(key=lambda e: -len(e[0]))

    def hash(self):
        return hashlib.sha256("".join(p + "\n" for p in self.phrases).encode()).hexdigest()[:16]

    def match(self, tokens):
        """Phrase ids matched left to right (distinct, in order) and which tokens they cover."""
        ids, covered, i, n = [], [False] * len(tokens), 0, len(tokens)
        while i < n:
            best = None
            for rest, pid in self._by_first.get(tokens[i], ()):
                if i + 1 + len(rest) <= n and tuple(tokens[i + 1:i + 1 + len(rest)]) == rest:
                    best = (len(rest) + 1, pid)
                    break
            if best is None:
                i += 1
                continue
            for k in range(i, i + best[0]):
                covered[k] = True
            if best[1] not in ids:
                ids.append(best[1])
            i += best[0]
        return ids, covered


def identity(vocabulary):
    """What a sim worker with this vocabulary advertises (schemas/README.md section 7)."""
    return "sim-image-v1;size=64+sim-v1;vocab=" + vocabulary.hash()


def score(vocab, prompt, query, seed, taste, c=DEFAULTS):
    qwords = words(query)
    xn = " ".join(qwords)
    content = []
    for w in qwords:
        if w not in STOP and stem(w) not in content:
            content.append(stem(w))
    ts = str(taste)
    tokens = words(prompt)[:max(c["MAXW"], 0)]
    ids, covered = vocab.match(tokens)

    found = [False] * len(content)
    extra = 0.0
    for i, t in enumerate(tokens):
        s = stem(t)
        in_content = False
        for k, cw in enumerate(content):
            if cw == s:
                found[k] = True
                in_content = True
        if not in_content and not covered[i] and t not in STOP:
            extra += 1
    fidelity = 1.0 if not content else sum(found) / len(content)

    g = math.sqrt(1.0 - c["RHO"] * c["RHO"])
    positive, negative = [], 0.0
    for pid in ids:
        m = vocab.phrases[pid]
        w = c["MU"] + g * hz("sim-v1|w|%s|%s" % (ts, m)) + c["RHO"] * hz("sim-v1|wq|%s|%s|%s" % (ts, xn, m))
        if w > 0:
            positive.append(w)
        else:
            negative += w
    positive.sort(reverse=True)
    pos_sum, discount = 0.0, 1.0
    for w in positive:
        pos_sum += discount * w
        discount *= c["R"]
    aesthetic = c["S_POS"] * pos_sum + c["S_NEG"] * negative

    seed_s = str(seed)
    noise = (math.sqrt(c["KAPPA"]) * hz("sim-v1|ns|%s|%s|%s" % (ts, xn, seed_s)) +
             math.sqrt(1.0 - c["KAPPA"]) * hz("sim-v1|ny|%s|%s|%s|%s" % (ts, xn, prompt, seed_s)))
    q = hz("sim-v1|q|%s|%s" % (ts, xn))
    deterministic = (c["B0"] + c["QSD"] * q + c["D_FID"] * fidelity +
                     (c["LAM"] + (1.0 - c["LAM"]) * fidelity) * aesthetic -
                     c["BETA"] * max(0.0, extra - c["E0"]))
    return deterministic + c["SD"] * noise
