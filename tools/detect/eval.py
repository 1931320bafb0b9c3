#!/usr/bin/python3
"""Detection measurement for the bundled web signatures (issue 3).

Builds raw HTTP/1.1 requests from the public corpora in ../shared/data
(OWASP CRS regression tests, PayloadsAllTheThings and fuzzdb payload lists)
plus a synthetic benign set, runs them through build/rampart-detect with
rules/rampart-web.rules and prints, per attack class, detected/total and
false positives/benign total. With --write-doc it also writes
docs/detection.md (table, exact command, date, notes).

    tools/detect/eval.py                      # run build/rampart-detect
    tools/detect/eval.py --engine python      # reference matcher in Python
    tools/detect/eval.py --write-doc          # also write docs/detection.md

--write-doc keeps the "False alarms on real traffic" section, which
tools/detect/real_traffic.py --write-doc maintains (real captures, rampartd).

The corpora are read in place and never copied into the project.
Credit: OWASP CRS (Apache-2.0), PayloadsAllTheThings (MIT), fuzzdb (BSD-3 /
CC-BY-3.0); see ../shared/data/README.md.
"""

import argparse
import base64
import collections
import datetime
import glob
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import strict_yaml  # noqa: E402  (duplicate keys, merges, second documents are errors)
DATA = os.path.abspath(os.path.join(ROOT, "..", "shared", "data"))
CRS_TESTS = os.path.join(DATA, "crs", "tests", "regression", "tests")
PAYLOADS = os.path.join(DATA, "payloads")

# Attack classes of issue 3 (the 90% bar applies to these) and the extra
# CRS families measured for information only.
CLASSES = [
    ("sqli", "SQL injection"),
    ("xss", "Cross-site scripting"),
    ("cmdi", "OS command injection"),
    ("lfi", "Path traversal / local file inclusion"),
    ("rfi", "Remote file inclusion"),
    ("java", "Java: Struts OGNL, deserialisation, class names"),
    ("log4shell", "Log4Shell JNDI lookups"),
    ("shellshock", "Shellshock"),
    ("protocol", "Request smuggling / malformed headers (CRS 920/921)"),
]
EXTRA_CLASSES = [
    ("php", "PHP injection (CRS 933, not in issue 3)"),
    ("generic", "Generic / Node.js / SSRF (CRS 934, not in issue 3)"),
    ("session", "Session fixation (CRS 943, not in issue 3)"),
    ("xxe", "XXE (PATT/fuzzdb XML, not in issue 3)"),
]
IN_SCOPE = [c for c, _ in CLASSES]

# sid ranges of rules/rampart-web.rules per class (for per-class FP blame).
SID_CLASS = {
    91000: "sqli", 91001: "xss", 91002: "cmdi", 91003: "lfi", 91004: "rfi",
    91005: "java", 91006: "log4shell", 91007: "shellshock", 91008: "protocol",
    91009: "php", 91010: "generic", 91011: "sqli", 91012: "cmdi",
}


def sid_class(sid):
    return SID_CLASS.get(sid // 100, "other")


# ---------------------------------------------------------------- requests

UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def build_request(method, uri, headers, body=b"", version="HTTP/1.1", autocomplete=True):
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogateescape")
    lines = []
    names = set()
    for k, v in headers:
        lines.append(f"{k}: {v}")
        names.add(k.lower())
    if autocomplete:
        if body and "content-length" not in names and "transfer-encoding" not in names:
            lines.append(f"Content-Length: {len(body)}")
    head = f"{method} {uri} {version}".rstrip() + "\r\n" + "".join(l + "\r\n" for l in lines) + "\r\n"
    return head.encode("utf-8", "surrogateescape") + body


# ---------------------------------------------------------------- CRS cases

def crs_class(rule_id):
    r = int(rule_id)
    p = r // 1000
    if p == 930:
        return "lfi"
    if p == 931:
        return "rfi"
    if p == 932:
        return "shellshock" if r in (932170, 932171) else "cmdi"
    if p == 933:
        return "php"
    if p == 934:
        return "generic"
    if p == 941:
        return "xss"
    if p == 942:
        return "sqli"
    if p == 943:
        return "session"
    if p == 944:
        return "log4shell" if r in (944150, 944151, 944152) else "java"
    if p in (920, 921):
        return "protocol"
    return None


BENIGN_RE = re.compile(r"false.?positive|benign|legitimate|\bfp\b", re.I)


def crs_cases():
    out = []
    for f in sorted(glob.glob(os.path.join(CRS_TESTS, "REQUEST-9*", "*.yaml"))):
        try:
            doc = strict_yaml.load_file(f)
        except strict_yaml.yaml.YAMLError as e:
            # Not silently: a refused file changes the measured totals.
            print("eval.py: skipping a CRS test file: %s" % e, file=sys.stderr)
            continue
        if not doc or "tests" not in doc:
            continue
        rule_id = doc.get("rule_id") or os.path.basename(f).split(".")[0]
        cls = crs_class(rule_id)
        if cls is None:
            continue
        for t in doc["tests"]:
            desc = (t.get("desc") or "") + " " + str(t.get("title") or "")
            expect = False
            raws = []
            for st in t.get("stages", []):
                st = st.get("stage", st)  # old ftw schema nests "stage"
                inp = st.get("input") or {}
                log = ((st.get("output") or {}).get("log") or {})
                if log.get("expect_ids"):
                    expect = True
                if "encoded_request" in inp:
                    raws.append(base64.b64decode(inp["encoded_request"]))
                    continue
                hdrs = inp.get("headers") or {}
                if isinstance(hdrs, dict):
                    hdrs = [(k, "" if v is None else str(v)) for k, v in hdrs.items()]
                else:
                    hdrs = [(h.get("name"), str(h.get("value", ""))) for h in hdrs]
                if inp.get("ordered_headers"):
                    hdrs = [(h["name"], str(h.get("value", ""))) for h in inp["ordered_headers"]]
                data = inp.get("data", "")
                if isinstance(data, list):
                    data = "\r\n".join(data)
                data = "" if data is None else str(data)
                raws.append(build_request(str(inp.get("method", "GET")), str(inp.get("uri", "/")), hdrs,
                                          data, str(inp.get("version", "HTTP/1.1")),
                                          inp.get("autocomplete_headers", True)))
            known_fp = re.search(r"(known|expected|rare).{0,12}false.?positive", desc, re.I)
            if BENIGN_RE.search(desc) and (not expect or known_fp):
                kind = "benign"
            elif expect:
                kind = "attack"
            else:
                continue  # negative for one rule only: not necessarily benign
            for i, raw in enumerate(raws):
                out.append({"id": f"crs:{rule_id}:{t.get('test_id')}:{i}", "class": cls, "expect": kind,
                            "source": "crs", "raw": raw})
    return out


# ---------------------------------------------------------------- payload lists

# (glob under payloads/, class). Lists left out on purpose are named in
# EXCLUDED with the reason (they are not attacks on their own).
PAYLOAD_SETS = [
    ("patt/SQL Injection/Intruder/*", "sqli"),
    ("fuzzdb/attack/sql-injection/*/*.txt", "sqli"),
    ("patt/XSS Injection/Intruders/*", "xss"),
    ("fuzzdb/attack/xss/xss-*.txt", "xss"),
    ("fuzzdb/attack/xss/XSSPolyglot.txt", "xss"),
    ("fuzzdb/attack/xss/JHADDIX_XSS_WITH_CONTEXT.doc.txt", "xss"),
    ("patt/Command Injection/Intruder/*", "cmdi"),
    ("fuzzdb/attack/os-cmd-execution/command-execution-unix.txt", "cmdi"),
    ("fuzzdb/attack/os-cmd-execution/OSCommandInject.Windows.txt", "cmdi"),
    ("fuzzdb/attack/os-cmd-execution/command-injection-template.txt", "cmdi"),
    ("patt/Directory Traversal/Intruder/*", "lfi"),
    ("patt/File Inclusion/Intruders/*", "lfi"),
    ("fuzzdb/attack/path-traversal/*.txt", "lfi"),
    ("fuzzdb/attack/lfi/JHADDIX_LFI.txt", "lfi"),
    ("fuzzdb/attack/os-cmd-execution/source-disc-cmd-exec-traversal.txt", "lfi"),
    ("fuzzdb/attack/rfi/rfi.txt", "rfi"),
    ("patt/XXE Injection/Intruders/*", "xxe"),
    ("fuzzdb/attack/xml/*.txt", "xxe"),
]
EXCLUDED = {
    "Web-files.txt": "ordinary web file names (/robots.txt, /style.css)",
    "README.md": "documentation",
}


def payload_lines(path):
    with open(path, "rb") as fh:
        for line in fh.read().split(b"\n"):
            line = line.rstrip(b"\r")
            if not line.strip():
                continue
            yield line


# Lines of the payload lists that are not attack payloads on their own. Each
# criterion is a line shape (or a file format), applied to every list the same
# way; docs/detection.md lists how many lines each one removed per file.
_COMMENT = re.compile(rb"^#(?:$|[ \t]|[A-Z][\w./' ]*:?[ \t]*$)")      # "# from wapiti", "#Google.com:"
_CHEAT = re.compile(rb"\S[^\t]*\t+ *[A-Za-z(][A-Za-z ,()-]*$")       # "||<TAB>(double pipe) concatenate"
_HEADING = re.compile(rb"^[A-Za-z][A-Za-z -]*:$")                     # "Time-Based:"
_BARE_WORD = re.compile(rb"^[A-Za-z_]+$")                             # "onMouseOver", "select"
_ESCAPE = re.compile(rb"%[0-9a-fA-F]{2}|&#[xX]?[0-9a-fA-F]+;?|&[a-zA-Z]{2,6};?|\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}")
EXCLUDE_REASONS = {
    "comment": "comment line (`#` then a space, or `#Heading:`)",
    "cheat": "cheat-sheet line: token, TAB, English description",
    "heading": "heading: words ending with a colon",
    "bare-word": "a single bare word (keyword or event-handler name, no markup or operator)",
    "punct": "punctuation only, after removing %XX / &#..; / \\xXX / \\uXXXX escapes (not for lfi: "
             "there a traversal sequence is the attack)",
    "record-field": "prose field of a documented exploit record (Name/Description/Tags/Author)",
    "record-line": "continuation line joined into its multi-line record",
}


def line_shape(p, cls):
    """Why line p is not an attack payload on its own, or None."""
    s = p.strip()
    if _COMMENT.match(s):
        return "comment"
    if _CHEAT.match(p):
        return "cheat"
    if _HEADING.match(s):
        return "heading"
    if _BARE_WORD.match(s):
        return "bare-word"
    if cls != "lfi" and not re.search(rb"[A-Za-z0-9]", _ESCAPE.sub(b"", s)):
        return "punct"
    return None


_HTML5SEC = re.compile(rb'<div id="\d+">')
_HTML5SEC_TAIL = b"//[\"'`-->]]>]</div>"


def payload_records(path, cls, excluded):
    """The payloads of one list file. Plain lists: one per line. Two file
    formats hold multi-line payloads and are parsed as records instead:
    fuzzdb's *.doc.txt (blank-line separated records of "Exploit Name:",
    "Exploit String:", "Exploit Description:"... fields: the payload is the
    Exploit String field, continuation lines included) and the html5sec
    vectors (MarioXSSVectors.txt: each vector is wrapped in <div id="N"> ...
    //["'`-->]]>]</div>; the payload is what is inside the wrapper)."""
    data = open(path, "rb").read().replace(b"\r\n", b"\n")
    rel = os.path.relpath(path, PAYLOADS)
    cnt = excluded.setdefault(rel, collections.Counter())
    out = []
    if b"\nExploit String: " in data:
        for rec in re.split(rb"\n[ \t]*\n", data):
            lines = [l for l in rec.split(b"\n") if l.strip()]
            start = next((i for i, l in enumerate(lines) if l.startswith(b"Exploit String: ")), None)
            if start is None:
                cnt["record-field"] += len(lines)
                continue
            end = next((i for i in range(start + 1, len(lines))
                        if re.match(rb"(?:Exploit [A-Z][a-z]+|Author Name): ", lines[i])), len(lines))
            out.append(b"\n".join(lines[start:end])[len(b"Exploit String: "):])
            cnt["record-field"] += len(lines) - (end - start)
            cnt["record-line"] += end - start - 1
        return out
    if _HTML5SEC.match(data):
        for chunk in _HTML5SEC.split(data)[1:]:
            chunk = chunk.strip()
            if chunk.endswith(_HTML5SEC_TAIL):
                chunk = chunk[:-len(_HTML5SEC_TAIL)]
            nl = len([l for l in chunk.split(b"\n") if l.strip()])
            cnt["record-line"] += max(0, nl - 1)
            out.append(chunk.strip())
        return out
    for p in payload_lines(path):
        why = line_shape(p, cls)
        if why:
            cnt[why] += 1
        else:
            out.append(p)
    return out


def payload_cases(excluded=None):
    excluded = {} if excluded is None else excluded
    seen = set()
    out = []
    files = []
    for pattern, cls in PAYLOAD_SETS:
        for f in sorted(glob.glob(os.path.join(PAYLOADS, pattern))):
            if os.path.isfile(f) and os.path.basename(f) not in EXCLUDED:
                files.append((f, cls))
    for f, cls in files:
        rel = os.path.relpath(f, PAYLOADS)
        for n, p in enumerate(payload_records(f, cls, excluded)):
            if cls == "rfi":
                p = p.replace(b"XXpathXX", b"http://rfi.example.net/shell.txt")
            if b"{cmd}" in p:
                p = p.replace(b"{cmd}", b"id")
            if (cls, p) in seen:
                continue
            seen.add((cls, p))
            enc = urllib.parse.quote_from_bytes(p, safe="")
            hdrs = [("Host", "shop.example.com"), ("User-Agent", UA), ("Accept", "*/*")]
            out.append({"id": f"pl:{rel}:{n}:get", "class": cls, "expect": "attack", "source": "payloads",
                        "raw": build_request("GET", f"/search?q={enc}&page=1", hdrs)})
            body = "name=test&q=" + urllib.parse.quote_plus(p, safe="")
            out.append({"id": f"pl:{rel}:{n}:post", "class": cls, "expect": "attack", "source": "payloads",
                        "raw": build_request("POST", "/search", hdrs + [
                            ("Content-Type", "application/x-www-form-urlencoded")], body)})
    return out


# ---------------------------------------------------------------- synthetic benign

def synthetic_benign():
    """Ordinary traffic: browsing, JSON APIs, form posts, searches with
    punctuation, uploads of normal text. Deterministic."""
    out = []
    H = [("Host", "www.example.org"), ("User-Agent", UA),
         ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
         ("Accept-Language", "en-GB,en;q=0.5"), ("Accept-Encoding", "gzip, deflate, br"),
         ("Connection", "keep-alive")]
    paths = ["/", "/index.html", "/about-us", "/blog/2024/05/select-the-right-union-for-you", "/products/1234",
             "/static/js/app.min.js", "/static/css/site.css?v=3.2.1", "/images/logo.png", "/favicon.ico",
             "/docs/user-guide/installation.html", "/wp-content/uploads/2023/11/report.pdf",
             "/api/v1/users/42", "/shop/cart", "/news?page=2&sort=date", "/category/shoes/running?size=10&color=blue",
             "/en-us/help/article/where-is-my-order", "/download/setup-1.2.3.exe", "/feed.xml",
             "/sitemap.xml", "/robots.txt", "/login?next=%2Faccount%2Fsettings", "/search?q=",
             "/calendar/2024-06-01", "/users/o%27brien/profile", "/a/b/c/d/e/f/g.html",
             "/maps?ll=51.5074,-0.1278&z=12", "/track?utm_source=newsletter&utm_medium=email&utm_campaign=summer_sale",
             "/share?url=https%3A%2F%2Fwww.example.org%2Fpost%2F99&title=Hello%20World",
             "/oauth/callback?code=4%2F0AY0e-g7xyz&state=abc123&scope=email%20profile",
             "/redirect?to=/home", "/files/Annual%20Report%202023.pdf", "/select/options", "/union-station/tickets",
             "/script-writing-tips", "/alert-settings", "/etc/faq", "/bin/list", "/exec-summary.html"]
    for i, p in enumerate(paths):
        out.append(("browse", build_request("GET", p, H + [("Referer", "https://www.example.org/"),
                                                            ("Cookie", f"session=9f8e7d6c5b4a{i:04d}; theme=dark; consent=yes")])))
    searches = ["O'Brien", "Conan O'Brien", "rock 'n' roll", "\"exact phrase\" search", "don't stop me now",
                "select a theme", "union of two sets", "drop shipping", "insert coin", "delete account",
                "update my address", "1=1 maths", "Tom & Jerry", "C# or C++", "50% off", "a < b and c > d",
                "what does 'or' mean", "\"quoted\" and 'single'", "sleep tips for babies", "benchmark results",
                "where is the order from yesterday", "how to exec a script in python", "script for a play",
                "alert dialog design", "on error resume next", "onload event explained", "cat food", "ls river",
                "Jack O'Neill; Samantha Carter", "price: $100 (approx.)", "email me at jo@example.com",
                "semi;colon|pipe", "x=y+z", "#hashtag", "path/to/file.txt", "up/down and left/right",
                "SELECT committee report 2024", "Dr. O'Hara's clinic", "it's 5 o'clock", "L'Oréal", "naïve café",
                "java script tutorial", "passwd reset", "user's guide (2nd ed.)", "1' x 2' frame",
                "The 'Union' pub, Drop Lane", "from A to B", "group by colour", "order by price"]
    for i, s in enumerate(searches):
        q = urllib.parse.quote_plus(s)
        out.append(("search", build_request("GET", f"/search?q={q}&lang=en", H)))
        out.append(("form", build_request("POST", "/comments", H + [
            ("Content-Type", "application/x-www-form-urlencoded"), ("Origin", "https://www.example.org")],
            f"author={urllib.parse.quote_plus('Mary O' + chr(39) + 'Brien')}&email=mary%40example.com&comment={q}&csrf=a1b2c3d4")))
        out.append(("json", build_request("POST", "/api/v2/search", [
            ("Host", "api.example.org"), ("User-Agent", "okhttp/4.12.0"), ("Accept", "application/json"),
            ("Content-Type", "application/json"), ("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl")],
            json.dumps({"query": s, "filters": {"category": ["books", "music"], "price": {"min": 0, "max": 100}},
                        "page": i, "sort": "relevance"}))))
    apis = [
        ("PUT", "/api/v1/users/42", {"name": "Seán O'Connor", "email": "sean@example.ie", "bio": "Loves hiking & \"trail running\"; 10k PB 41:30.",
                                     "tags": ["a", "b"], "active": True}),
        ("PATCH", "/api/v1/orders/77", {"status": "shipped", "note": "Left at door (back); call if issue."}),
        ("POST", "/api/v1/events", {"type": "page_view", "url": "https://www.example.org/products?id=5&ref=home",
                                     "ts": 1718000000, "ua": UA}),
        ("POST", "/graphql", {"query": "query GetUser($id: ID!) { user(id: $id) { name email posts(first: 10) { title } } }",
                               "variables": {"id": "42"}}),
        ("POST", "/api/v1/notes", {"title": "Meeting notes", "body": "We will select the vendor and update the plan; drop old items from the backlog. Next: order by Friday."}),
        ("POST", "/api/v1/feedback", {"rating": 5, "comment": "Great! <3 Would buy again :)"}),
        ("POST", "/api/v1/config", {"theme": "dark", "layout": {"columns": 3, "sidebar": "left"}, "shortcuts": {"save": "ctrl+s"}}),
        ("DELETE", "/api/v1/sessions/current", None),
    ]
    for m, p, b in apis:
        hdrs = [("Host", "api.example.org"), ("User-Agent", "python-requests/2.31.0"), ("Accept", "application/json")]
        if b is None:
            out.append(("api", build_request(m, p, hdrs)))
        else:
            out.append(("api", build_request(m, p, hdrs + [("Content-Type", "application/json")], json.dumps(b))))
    # XML API and SOAP
    out.append(("xml", build_request("POST", "/soap/OrderService", [("Host", "erp.example.org"), ("User-Agent", "Apache-HttpClient/4.5"),
        ("Content-Type", "text/xml; charset=utf-8"), ("SOAPAction", "\"urn:GetOrder\"")],
        '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
        '<soap:Body><GetOrder><OrderId>12345</OrderId><Customer>O\'Brien &amp; Sons</Customer></GetOrder></soap:Body></soap:Envelope>')))
    # File uploads of normal text
    texts = ["Shopping list:\n- milk\n- bread\n- eggs\n",
             "Dear team,\n\nPlease find attached the quarterly report. Let's select a date for the review; I'd suggest Tuesday.\n\nRegards,\nMary O'Brien\n",
             "name,city,score\nAlice,Paris,10\nBob,London,7\n\"Smith, J\",Dublin,8\n",
             "# Notes\n\nThe union of A and B is the set of elements in either.\nDrop by anytime.\n"]
    for i, t in enumerate(texts):
        bnd = f"----WebKitFormBoundary7MA4YWxkTrZu0gW{i}"
        body = (f"--{bnd}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nMy file {i}\r\n"
                f"--{bnd}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes-{i}.txt\"\r\n"
                f"Content-Type: text/plain\r\n\r\n{t}\r\n--{bnd}--\r\n")
        out.append(("upload", build_request("POST", "/upload", H + [("Content-Type", f"multipart/form-data; boundary={bnd}")], body)))
    # Logins and misc forms
    for u, pw in [("alice", "S3cret!pass"), ("o'reilly", "p@ss'word\"1"), ("bob.smith@example.com", "correct horse battery staple"),
                  ("admin", "Tr0ub4dor&3"), ("jdoe", "pa;ss|wd")]:
        out.append(("login", build_request("POST", "/login", H + [("Content-Type", "application/x-www-form-urlencoded")],
                                           f"username={urllib.parse.quote_plus(u)}&password={urllib.parse.quote_plus(pw)}&remember=on")))
    # Headers typical of proxies, CDNs, browsers
    out.append(("headers", build_request("GET", "/dashboard", H + [
        ("X-Forwarded-For", "198.51.100.7, 10.0.0.1"), ("X-Request-ID", "f3a1c2d4-5e6f-7a8b-9c0d-e1f2a3b4c5d6"),
        ("If-None-Match", "W/\"5e15153d-120f\""), ("Cache-Control", "max-age=0"),
        ("Sec-Fetch-Mode", "navigate"), ("Sec-Ch-Ua", "\"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\""),
        ("Cookie", "_ga=GA1.2.1234567890.1718000000; _gid=GA1.2.987654321.1718000000; cart=%7B%22items%22%3A%5B1%2C2%5D%7D")])))
    out.append(("headers", build_request("GET", "/", [("Host", "www.example.org"),
        ("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0"),
        ("Accept", "*/*")])))
    out.append(("headers", build_request("GET", "/", [("Host", "www.example.org"),
        ("User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"),
        ("Accept", "*/*")])))
    out.append(("headers", build_request("GET", "/health", [("Host", "www.example.org"), ("User-Agent", "curl/8.5.0"), ("Accept", "*/*")])))
    out.append(("headers", build_request("GET", "/", [("Host", "www.example.org"), ("User-Agent", "Wget/1.21.4"), ("Accept", "*/*")])))
    # Shapes seen on real captures (tools/detect/real_traffic.py), written out here, not copied:
    # services reached by IP, a host name ending in ".net" before User-Agent, byte serving (single,
    # open-ended, PDF readers' many disjoint ranges), multipart fields whose value is a short word
    # on its own line, a binary file upload and a container API call with an exec-form command.
    for host in ("10.0.0.2", "192.168.122.87:2375", "127.0.0.1:5000", "[2001:db8::1]:8080"):
        out.append(("by-ip", build_request("GET", "/v1.41/containers/json", [("Host", host),
                    ("User-Agent", "Docker-Client/27.3.1 (linux)"), ("Accept", "*/*")])))
    out.append(("host-net", build_request("GET", "/echo?.kl=Y", [("Host", "sandbox.example.net"), ("User-Agent", UA),
                ("Accept", "*/*"), ("Connection", "keep-alive, Upgrade"), ("Upgrade", "websocket")])))
    pdf_ranges = ",".join(f"{a}-{a + 2639}" for a in range(3941902, 3941902 + 20 * 50000, 50000))
    for rng in ("bytes=0-1023", "bytes=77864-", "bytes=-500", "bytes=1-1,0-4095",
                "bytes=1-1,45567-49181,482476-483117,49182-52048,484800-485869,483118-483153", pdf_ranges):
        out.append(("range", build_request("GET", "/papers/report-2010-20.pdf", H + [("Range", rng)])))
    bnd = "------------------------4ebf00fbcf09"
    for val in ("test", "cd", "id", "ls", "AB\r\n--" + bnd + "\r\nContent-Disposition: form-data; name=\"p2\"\r\n\r\nCD"):
        body = (f"--{bnd}\r\nContent-Disposition: form-data; name=\"example\"\r\n\r\n{val}\r\n--{bnd}--\r\n")
        out.append(("multipart-word", build_request("POST", "/post", H + [
            ("Content-Type", f"multipart/form-data; boundary={bnd}")], body)))
    import random
    rnd = random.Random(3)
    blob = bytes(rnd.getrandbits(8) for _ in range(3000))  # PE-like bytes: section names, x86 code
    blob = blob[:1000] + b"\x00" * 16 + b".text\x00\x00\x00" + b"KERNEL32.dll\x00\x00" + b"H\x89D$(H\x8d$@\xba)#\xf3" + blob[1000:]
    body = (f"--{bnd}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"putty.exe\"\r\n"
            f"Content-Type: application/x-msdownload\r\n\r\n").encode() + blob + f"\r\n--{bnd}--\r\n".encode()
    out.append(("binary-upload", build_request("POST", "/upload", H + [
        ("Content-Type", f"multipart/form-data; boundary={bnd}")], body)))
    mime = ('MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="===============5117605091044242346=="\r\n\r\n'
            '--===============5117605091044242346==\r\nContent-Type: text/plain\r\n\r\nhello\r\n'
            '--===============5117605091044242346==--\r\n')
    out.append(("mime", build_request("POST", "/", [("Host", "localhost:8080"), ("User-Agent", "python-requests/2.25.1"),
                ("Content-Type", "message/rfc822")], mime)))
    out.append(("container-api", build_request("POST", "/v1.41/containers/create", [("Host", "192.168.122.87:2375"),
                ("User-Agent", "Docker-Client/27.3.1 (linux)"), ("Content-Type", "application/json")],
                json.dumps({"Hostname": "", "AttachStdin": True, "Tty": True, "Env": None, "Cmd": ["/bin/sh"],
                            "Image": "busybox", "Entrypoint": ["/bin/sh", "-c"], "Volumes": {}}))))
    res = []
    for n, (kind, raw) in enumerate(out):
        res.append({"id": f"syn:{kind}:{n}", "class": "benign", "expect": "benign", "source": "synthetic", "raw": raw})
    return res


# ---------------------------------------------------------------- Python reference engine

def _py_parse(raw):
    """Splits a raw request into the rule buffers (approximates the C++ parser)."""
    head, _, body = raw.partition(b"\r\n\r\n")
    if not _:
        head, _, body = raw.partition(b"\n\n")
    lines = re.split(rb"\r?\n", head)
    rl = lines[0].split(b" ")
    method = rl[0] if rl else b""
    uri_raw = rl[1] if len(rl) > 1 else b""
    hdrs = []
    for l in lines[1:]:
        if b":" in l:
            k, v = l.split(b":", 1)
            hdrs.append((k.rstrip(), v.strip()))
    hmap = {}
    for k, v in hdrs:
        hmap.setdefault(k.lower(), v)
    if b"chunked" in hmap.get(b"transfer-encoding", b"").lower():
        out = b""
        rest = body
        while True:
            sz, sep, rest = rest.partition(b"\r\n")
            try:
                n = int(sz.split(b";")[0].strip() or b"0", 16)
            except ValueError:
                break
            if n == 0 or not sep:
                break
            out += rest[:n]
            rest = rest[n + 2:]
        body = out
    return {
        "http.method": method, "http.uri.raw": uri_raw, "http.uri": _py_norm(uri_raw),
        "http.header": b"".join(k + b": " + v + b"\r\n" for k, v in hdrs),
        "http.host": hmap.get(b"host", b""), "http.user_agent": hmap.get(b"user-agent", b""),
        "http.cookie": hmap.get(b"cookie", b""), "http.request_body": body[:4096],
    }


_PCT = re.compile(rb"%([0-9a-fA-F]{2})|%[uU]([0-9a-fA-F]{4})")


def _pct_decode(b):
    def rep(m):
        if m.group(1):
            return bytes([int(m.group(1), 16)])
        cp = int(m.group(2), 16)
        if cp < 0x80:
            return bytes([cp])
        if 0xFF01 <= cp <= 0xFF5E:
            return bytes([cp - 0xFEE0])
        return b"?"
    return _PCT.sub(rep, b)


def _py_norm(u):
    m = re.match(rb"(?i)https?://[^/?]*", u)
    if m:
        u = u[m.end():] or b"/"
    path, q, query = u.partition(b"?")
    path = _pct_decode(path)
    if _PCT.search(path):
        path = _pct_decode(path)
    path = re.sub(rb"/+", b"/", path.replace(b"\\", b"/"))
    segs = []
    for s in path.split(b"/"):
        if s == b".":
            continue
        if s == b"..":
            if len(segs) > 1:
                segs.pop()
            continue
        segs.append(s)
    path = b"/".join(segs)
    if q:
        query = _pct_decode(query.replace(b"+", b" "))
        if _PCT.search(query):
            query = _pct_decode(query)
        return path + b"?" + query
    return path


_RULE_OPT = re.compile(r'\s*([a-z_.0-9]+)\s*(?::\s*((?:[^;\\"]|\\.|"(?:[^"\\]|\\.)*")*))?;')


def _content_bytes(s):
    out = b""
    i = 0
    while i < len(s):
        c = s[i]
        if c == "|":
            j = s.index("|", i + 1)
            out += bytes.fromhex(s[i + 1:j].replace(" ", ""))
            i = j + 1
        elif c == "\\" and i + 1 < len(s):
            out += s[i + 1].encode()
            i += 2
        else:
            out += c.encode("utf-8")
            i += 1
    return out


def py_load_rules(path):
    rules = []
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        opts = line[line.index("(") + 1:line.rindex(")")] + ";"
        buf = "pkt_data"
        sid = None
        checks = []  # (buf, kind, neg, obj, nocase)
        for m in _RULE_OPT.finditer(opts):
            k, v = m.group(1), (m.group(2) or "").strip()
            if k.startswith("http.") or k in ("pkt_data",):
                buf = "http.request_body" if k == "http.request_body" else k
            elif k == "http_client_body":
                buf = "http.request_body"
            elif k == "sid":
                sid = int(v)
            elif k == "content":
                neg = v.startswith("!")
                checks.append([buf, "content", neg, _content_bytes(v.lstrip("!").strip()[1:-1]), False])
            elif k == "nocase":
                checks[-1][4] = True
            elif k == "pcre":
                neg = v.startswith("!")
                v = v.lstrip("!").strip()[1:-1]
                slash = v.rindex("/")
                pat, flags = v[1:slash], v[slash + 1:]
                f = 0
                f |= re.I if "i" in flags else 0
                f |= re.S if "s" in flags else 0
                f |= re.M if "m" in flags else 0
                checks.append([buf, "pcre", neg, re.compile(pat.encode("utf-8", "surrogateescape"), f), False])
        rules.append((sid, checks))
    return rules


def py_detect(rules, cases):
    res = {}
    for c in cases:
        bufs = _py_parse(c["raw"])
        low = {k: v.lower() for k, v in bufs.items()}
        sids = []
        for sid, checks in rules:
            ok = True
            for buf, kind, neg, obj, nocase in checks:
                if kind == "content":
                    hit = (obj.lower() in low.get(buf, b"")) if nocase else (obj in bufs.get(buf, b""))
                else:
                    hit = obj.search(bufs.get(buf, b"")) is not None
                if hit == neg:
                    ok = False
                    break
            if ok:
                sids.append(sid)
        res[c["id"]] = {"sids": sids, "anomalies": []}
    return res


# ---------------------------------------------------------------- driver

def run_binary(detector, rules, hs_cache, jsonl):
    cmd = [detector, "--rules", rules, "--hs-cache", hs_cache, "--requests-jsonl", jsonl]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        raise SystemExit(f"rampart-detect exited {p.returncode}")
    res = {}
    for line in p.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            r = json.loads(line)
            res[r["id"]] = {"sids": r.get("sids", []), "anomalies": r.get("anomalies", [])}
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rules", default=os.path.join(ROOT, "rules", "rampart-web.rules"))
    ap.add_argument("--detector", default=os.path.join(ROOT, "build", "rampart-detect"))
    ap.add_argument("--engine", choices=["binary", "python"], default="binary")
    ap.add_argument("--hs-cache", default=os.path.join(tempfile.gettempdir(), "rampart-detect-hs-cache"))
    ap.add_argument("--jsonl", default=os.path.join(tempfile.gettempdir(), "rampart-detect-requests.jsonl"))
    ap.add_argument("--write-doc", action="store_true", help="write docs/detection.md")
    ap.add_argument("--misses", metavar="CLASS", help="print up to --limit missed attacks of CLASS (or 'fp')")
    ap.add_argument("--limit", type=int, default=40)
    args = ap.parse_args()

    t0 = time.time()
    excluded = {}
    cases = crs_cases() + payload_cases(excluded) + synthetic_benign()
    with open(args.jsonl, "w") as fh:
        for c in cases:
            fh.write(json.dumps({"id": c["id"], "class": c["class"], "expect": c["expect"],
                                 "raw": base64.b64encode(c["raw"]).decode()}) + "\n")
    t1 = time.time()
    if args.engine == "python":
        res = py_detect(py_load_rules(args.rules), cases)
    else:
        os.makedirs(args.hs_cache, exist_ok=True)
        res = run_binary(args.detector, args.rules, args.hs_cache, args.jsonl)
    t2 = time.time()

    # Two separate figures. "Signature only": a bundled sid matched. "Signature or anomaly": a
    # bundled sid matched or the HTTP parser flagged a protocol anomaly (EVE `anomaly` event) on
    # the request; for that figure an anomaly on a benign request is a false positive of every
    # class (an anomaly names no attack class).
    stats = collections.defaultdict(lambda: collections.Counter())
    fp_by_class = collections.Counter()
    fp_either = collections.Counter()
    per_rule = collections.defaultdict(collections.Counter)  # protocol class, by CRS rule id
    benign_total = 0
    benign_fp_any = 0
    benign_either_any = 0
    benign_anom = 0
    misses = collections.defaultdict(list)
    fps = []
    missing = 0
    for c in cases:
        r = res.get(c["id"])
        if r is None:
            missing += 1
            r = {"sids": [], "anomalies": []}
        sids = [s for s in r["sids"] if 9100000 <= s <= 9199999]
        if c["expect"] == "attack":
            hit = bool(sids)
            either = hit or bool(r["anomalies"])
            st = stats[c["class"]]
            st[c["source"] + "_total"] += 1
            st[c["source"] + "_det"] += hit
            st["either_det"] += either
            if c["class"] == "protocol" and c["source"] == "crs":
                pr = per_rule[c["id"].split(":")[1]]
                pr["total"] += 1
                pr["sig"] += hit
                pr["either"] += either
            if not hit:
                misses[c["class"]].append(c)
        else:
            benign_total += 1
            blamed = {sid_class(s) for s in sids}
            for b in blamed:
                fp_by_class[b] += 1
            for cls, _ in CLASSES + EXTRA_CLASSES:
                if cls in blamed or r["anomalies"]:
                    fp_either[cls] += 1
            if r["anomalies"]:
                benign_anom += 1
            if sids or r["anomalies"]:
                benign_either_any += 1
            if sids:
                benign_fp_any += 1
                fps.append((c, sids))

    rows = []
    for cls, title in CLASSES + EXTRA_CLASSES:
        st = stats[cls]
        ct, cd = st["crs_total"], st["crs_det"]
        pt, pd = st["payloads_total"], st["payloads_det"]
        tot, det = ct + pt, cd + pd
        if tot == 0:
            continue
        rows.append((cls, title, cd, ct, pd, pt, det, tot, fp_by_class[cls], benign_total,
                     st["either_det"], fp_either[cls]))

    def pct(a, b):
        return f"{100.0 * a / b:.1f}%" if b else "-"

    table = ["| class | CRS detected / total | PATT+fuzzdb detected / total | all detected / total | "
             "false positives / benign total |", "|---|---|---|---|---|"]
    for cls, title, cd, ct, pd, pt, det, tot, fp, bt, _, _ in rows:
        table.append(f"| {cls}: {title} | {cd} / {ct} ({pct(cd, ct)}) | "
                     + (f"{pd} / {pt} ({pct(pd, pt)})" if pt else "-")
                     + f" | **{det} / {tot} ({pct(det, tot)})** | {fp} / {bt} ({pct(fp, bt)}) |")
    table.append(f"| any bundled sid, all benign cases | | | | {benign_fp_any} / {benign_total} ({pct(benign_fp_any, benign_total)}) |")
    table2 = ["| class | signature only: detected / total | **signature OR protocol anomaly: detected / total** | "
              "false positives, signature only | false positives, signature OR anomaly |", "|---|---|---|---|---|"]
    for cls, title, cd, ct, pd, pt, det, tot, fp, bt, edet, efp in rows:
        table2.append(f"| {cls} | {det} / {tot} ({pct(det, tot)}) | **{edet} / {tot} ({pct(edet, tot)})** | "
                      f"{fp} / {bt} ({pct(fp, bt)}) | {efp} / {bt} ({pct(efp, bt)}) |")
    table2.append(f"| any bundled sid or anomaly, all benign cases | | | {benign_fp_any} / {benign_total} "
                  f"({pct(benign_fp_any, benign_total)}) | {benign_either_any} / {benign_total} "
                  f"({pct(benign_either_any, benign_total)}) |")
    table3 = ["| CRS rule | cases | signature only | signature OR anomaly |", "|---|---|---|---|"]
    for rid in sorted(per_rule):
        pr = per_rule[rid]
        table3.append(f"| {rid} | {pr['total']} | {pr['sig']} | {pr['either']} |")
    print("Signature only:")
    print("\n".join(table))
    print("\nSignature OR protocol-anomaly event (separate figure):")
    print("\n".join(table2))
    print("\nProtocol class (CRS 920/921) by CRS rule id:")
    print("\n".join(table3))
    nb = collections.Counter(c["source"] for c in cases if c["expect"] == "benign")
    print(f"\n{len(cases)} requests ({nb['crs']} CRS benign, {nb['synthetic']} synthetic benign); "
          f"build {t1 - t0:.1f}s, detect ({args.engine}) {t2 - t1:.1f}s; results missing for {missing}; "
          f"benign with an anomaly: {benign_anom}")

    if args.misses:
        if args.misses == "fp":
            for c, sids in fps[:args.limit]:
                print(c["id"], sids, repr(c["raw"][:300]))
        else:
            for c in misses[args.misses][:args.limit]:
                print(c["id"], repr(c["raw"][:400]))
    if args.write_doc:
        write_doc(args, table, rows, nb, cases, t2 - t0, misses, excluded, table2, table3)


def write_doc(args, table, rows, nb, cases, secs, misses, excluded, table2, table3):
    cmd = "tools/detect/eval.py --write-doc" + ("" if args.engine == "binary" else " --engine python")
    notes_path = os.path.join(os.path.dirname(__file__), "notes.md")
    notes = open(notes_path).read() if os.path.exists(notes_path) else ""
    short = []
    for cls, title, cd, ct, pd, pt, det, tot, fp, bt, edet, efp in rows:
        if cls in IN_SCOPE and (det < 0.9 * tot or fp > 0.01 * bt):
            short.append(f"- **{cls}**: {det}/{tot} detected by a signature ({100.0 * det / tot:.1f}%), {fp}/{bt} "
                         f"false positives; with protocol anomaly events {edet}/{tot} ({100.0 * edet / tot:.1f}%), "
                         f"{efp}/{bt} false positives.")
    ex_rows = ["| file | criterion | lines |", "|---|---|---|"]
    ex_tot = collections.Counter()
    for f in sorted(excluded):
        for why, n in sorted(excluded[f].items()):
            ex_rows.append(f"| `{f}` | {why} | {n} |")
            ex_tot[why] += n
    ex_legend = "\n".join(f"- `{k}`: {v} ({ex_tot[k]} lines in all)" for k, v in EXCLUDE_REASONS.items())
    doc = f"""# Detection of the bundled web signatures

`rules/rampart-web.rules` (sids 9100000-9199999) measured against the public
attack corpora in `../shared/data` (OWASP CRS regression tests, Apache-2.0;
PayloadsAllTheThings, MIT; fuzzdb, BSD-3/CC-BY-3.0), read in place.

Produced on {datetime.date.today().isoformat()} from the project root with

```sh
{cmd}
```

({'build/rampart-detect' if args.engine == 'binary' else 'the Python reference matcher in eval.py'}, {len(cases)} requests, {secs:.0f} s.)

Signature only (a bundled sid matched):

{chr(10).join(table)}

Bar (issue 3): at least 90% detected per class, at most 1% false positives
(synthetic and CRS benign cases here; real captures in "False alarms on real
traffic" below).
The first nine rows are the issue's classes; php, generic, session and xxe
are measured for information only (no rules target them on purpose).

### Second figure: signature OR protocol anomaly event

Kept apart from the table above on purpose. Here a request also counts as
detected when the dataplane's HTTP parser flags a protocol anomaly on it
(the `http_anomaly` bits of `dataplane/l7/http/http_request_parser.h`,
logged as EVE `anomaly` events; `rampart-detect` reports them per request),
whatever the class. False positives are counted the same way: a benign
request with any anomaly flagged is a false positive of every class in this
figure (an anomaly names no attack class), on top of the signatures of the
class that fired.

{chr(10).join(table2)}

Protocol class by CRS rule id (CRS 920/921 cases; see "Protocol: site
policy versus attack" below for what each rule checks):

{chr(10).join(table3)}

## How the corpus is built

- CRS regression cases (`tests/regression/tests/REQUEST-9*/`): a case is an
  attack when a stage has `expect_ids`; it is benign only when its
  description says false positive / benign / legitimate (and it has no
  `expect_ids`, or it is a "known false positive" of CRS). Cases that are
  merely negative for one CRS rule are left out. Class by the CRS rule id:
  930 lfi, 931 rfi, 932 cmdi (932170/932171: shellshock), 941 xss,
  942 sqli, 944 java (944150-944152: log4shell), 920/921 protocol,
  933 php, 934 generic, 943 session. `encoded_request` stages are sent as is.
- Payload lists: every line (deduplicated per class) is sent twice, URL-encoded
  in a query parameter (`GET /search?q=...`) and in a form POST body
  (`application/x-www-form-urlencoded`). `XXpathXX` in fuzzdb's RFI list
  becomes `http://rfi.example.net/shell.txt`, `{{cmd}}` in the command template
  becomes `id`. Lists that are not attacks on their own are left out: bare
  command names (`Commands-*.txt`, `useful-commands-*`), bare shell
  metacharacters (`shell-delimiters`, `shell-operators`), event-handler name
  lists, encodings of `<`, and PATT `Web-files.txt` (`/robots.txt`...).
- Inside the lists that are measured, lines that are not attack payloads on
  their own are left out by line shape (or parsed as records, for the two
  multi-line formats), the same criterion for every file, never line by line
  (`line_shape()` and `payload_records()` in `tools/detect/eval.py`):

{ex_legend}

  Per file:

{chr(10).join(ex_rows)}

- Benign: {nb['crs']} CRS false-positive cases and {nb['synthetic']} synthetic
  ordinary requests (browsing, JSON/XML APIs, form posts and searches with
  quotes such as "O'Brien", SQL words in prose, multipart uploads of text),
  19 of them shapes first seen on real captures and written out in eval.py
  (services reached by a numeric Host, a ".net" Host before User-Agent, byte
  ranges up to a PDF reader's 20, multipart fields whose value is a short
  word, a binary file upload, a nested MIME body, a container API call). The
  captures themselves are measured separately: "False alarms on real
  traffic" above.
- A request is detected when any bundled sid matched (first table). A false
  positive is blamed on the class of the sid that fired (sid / 100 ranges in
  `tools/detect/eval.py`). Parser anomalies count only in the separate
  "signature OR protocol anomaly" figure, where an anomaly on a benign case is
  a false positive of every class.

## Where it falls short, and why

{chr(10).join(short) if short else '- Every class meets the bar.'}

{notes}
"""
    # Keep the real-traffic section that tools/detect/real_traffic.py --write-doc maintains (between
    # its markers), after the measurement tables; re-run that script to refresh it.
    import real_traffic
    doc_path = os.path.join(ROOT, "docs", "detection.md")
    old = open(doc_path).read() if os.path.exists(doc_path) else ""
    if real_traffic.BEGIN in old and real_traffic.END in old:
        sec = old[old.index(real_traffic.BEGIN):old.index(real_traffic.END) + len(real_traffic.END)]
    else:
        sec = (f"{real_traffic.BEGIN}\n## False alarms on real traffic\n\nNot measured yet: run "
               f"`tools/detect/real_traffic.py --rampartd build/rampartd --rules rules/rampart-web.rules "
               f"--write-doc`.\n{real_traffic.END}")
    anchor = "\n## How the corpus is built"
    i = doc.index(anchor)
    doc = doc[:i] + "\n" + sec + "\n" + doc[i:]
    with open(doc_path, "w") as fh:
        fh.write(doc)
    print("wrote docs/detection.md")


if __name__ == "__main__":
    main()
