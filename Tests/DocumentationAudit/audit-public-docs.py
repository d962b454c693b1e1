#!/usr/bin/env python3
"""Fails when a public declaration under Sources/ has no doc comment, or a documented function, initializer or
subscript lacks `- Parameter(s):` (it takes arguments), `- Returns:` (it returns a value) or `- Throws:` (it throws).

Run by `make docs`. It reads declarations line by line, the way this package writes them (the signature on one line
or continued until its `{`); it is a lint, not a parser. `-v` lists every finding.
"""
import glob
import re
import sys

DECLARATION = re.compile(
    r"(@\w+(\([^)]*\))?\s+)*(public|open)\s+"
    r"(static\s+|final\s+|override\s+|mutating\s+|nonisolated\s+|convenience\s+|required\s+)*"
    r"(func|init|subscript|var|let|struct|class|enum|protocol|actor|typealias|case)\b"
)
CALLABLE = {"func", "init", "subscript"}


def signature(lines, start):
    """The declaration's text up to its body's `{` (at most 15 lines)."""
    text, index = lines[start].strip(), start
    while "{" not in text and index + 1 < len(lines) and index < start + 15:
        index += 1
        text += " " + lines[index].strip()
    return text.split("{")[0]


def parameters_and_rest(text):
    """The text between the first parenthesis and its match, and what follows it."""
    open_at = text.find("(")
    if open_at < 0:
        return "", text
    depth = 0
    for position in range(open_at, len(text)):
        if text[position] == "(":
            depth += 1
        elif text[position] == ")":
            depth -= 1
            if depth == 0:
                return text[open_at + 1:position].strip(), text[position + 1:]
    return "", ""


def doc_comment(lines, index):
    """The `///` lines above the declaration at `index`, attributes skipped."""
    above = index - 1
    while above >= 0 and lines[above].strip().startswith("@"):
        above -= 1
    doc = []
    while above >= 0 and lines[above].strip().startswith("///"):
        doc.insert(0, lines[above].strip())
        above -= 1
    return " ".join(doc)


def audit(paths):
    findings = {"no documentation": [], "no - Parameter(s)": [], "no - Returns": [], "no - Throws": []}
    count = 0
    for path in paths:
        lines = open(path, encoding="utf-8").read().split("\n")
        for index, line in enumerate(lines):
            match = DECLARATION.match(line.strip())
            if not match:
                continue
            count += 1
            where = f"{path}:{index + 1}: {line.strip()[:90]}"
            doc = doc_comment(lines, index)
            if not doc:
                findings["no documentation"].append(where)
                continue
            if match.group(5) not in CALLABLE:
                continue
            parameters, rest = parameters_and_rest(signature(lines, index))
            if parameters and "- Parameter" not in doc:
                findings["no - Parameter(s)"].append(where)
            if re.search(r"\bthrows\b", rest) and "- Throws" not in doc:
                findings["no - Throws"].append(where)
            if "->" in rest and match.group(5) == "func" and "- Returns" not in doc:
                findings["no - Returns"].append(where)
    return count, findings


def main():
    paths = sorted(p for p in glob.glob("Sources/**/*.swift", recursive=True) if "/hlkafka/" not in p)
    count, findings = audit(paths)
    total = sum(len(found) for found in findings.values())
    print(f"documentation audit: {count} public declarations, {total} finding(s)")
    for kind, found in findings.items():
        if found:
            print(f"  {kind}: {len(found)}")
            for where in found if "-v" in sys.argv or total <= 20 else found[:5]:
                print(f"    {where}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
