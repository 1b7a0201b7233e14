#!/usr/bin/env python3
"""Checks that Surefire's XML reports hold every test result of a run exactly once.

Usage: check-surefire-reports.py MAVEN_LOG [REPORTS_DIR]

MAVEN_LOG is the output of the `mvn test` run (each Surefire execution prints a closing
"Tests run: N, Failures: F, Errors: E, Skipped: S" line after "Results:", and one such line per
test class, ending "-- in <class>"). REPORTS_DIR (default target/surefire-reports) holds the
TEST-*.xml reports of that run and nothing older: remove it before the run.

Fails (exit 1), naming what is wrong, when:
  - a report cannot be parsed, or a report's <testsuite> totals disagree with its <testcase>s;
  - a (class, test name) pair appears more than once across the reports of one execution (a test
    class that runs in two executions, such as the Spring adapter's with Spring 7 and with 6.2, has
    its results once in each: an execution with a reportNameSuffix names its <testsuite>s
    "<class>(<suffix>)", and results are keyed with that suffix; a class-level result, whose name
    is empty, is keyed with its whole <testsuite> name);
  - the number of <testcase>s, or of failures, errors or skipped among them, differs from the sum
    of Surefire's closing summaries; per class, the counts are compared too, to name the classes
    whose results are missing or extra.
Python 3 standard library only.
"""

import collections
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
EXECUTION = re.compile(r"--- (?:maven-)?surefire(?:-plugin)?:[^:\s]+:test \(([^)]+)\) @")
COUNTS = r"Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+)"
SUMMARY = re.compile(r"^\[(?:INFO|WARNING|ERROR)\] " + COUNTS + r"(?:, Flakes: \d+)?\s*$")
PER_CLASS = re.compile(r"^\[(?:INFO|WARNING|ERROR)\] " + COUNTS + r", Time elapsed: .* -- in (\S+)\s*$")
KINDS = ("tests", "failures", "errors", "skipped")
# The "(<reportNameSuffix>)" that ends the <testsuite> name of an execution with a suffix.
SUFFIX = re.compile(r"\([^()]+\)$")


def read_log(path):
    """Surefire's closing summary per execution, and its per-class counts summed over executions."""
    summaries = []  # (execution id, counts)
    per_class = collections.defaultdict(lambda: [0, 0, 0, 0])
    execution = None
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            line = ANSI.sub("", line).rstrip("\n")
            m = EXECUTION.search(line)
            if m:
                execution = m.group(1)
                continue
            m = SUMMARY.match(line)
            if m:
                summaries.append((execution, [int(g) for g in m.groups()[:4]]))
                continue
            m = PER_CLASS.match(line)
            if m:
                counts = per_class[m.group(5)]
                for i in range(4):
                    counts[i] += int(m.group(i + 1))
    return summaries, per_class


def read_reports(directory, problems):
    """Every <testcase> of every TEST-*.xml: (file, suite name, class, name, outcome)."""
    cases = []
    files = sorted(glob.glob(os.path.join(directory, "TEST-*.xml")))
    for path in files:
        name = os.path.basename(path)
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as e:
            problems.append(f"{name}: not well-formed XML: {e}")
            continue
        suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
        for suite in suites:
            own = [0, 0, 0, 0]
            for case in suite.findall("testcase"):
                outcome = outcome_of(case)
                own[0] += 1
                if outcome != "passed":
                    own[KINDS.index(outcome)] += 1
                cases.append((name, suite.get("name", ""), case.get("classname", ""), case.get("name", ""), outcome))
            declared = [int(suite.get(k, "0")) for k in KINDS]
            if declared != own:
                problems.append(f"{name}: <testsuite> declares {fmt(declared)} but its <testcase>s are {fmt(own)}")
    return files, cases


def outcome_of(case):
    if case.find("failure") is not None:
        return "failures"
    if case.find("error") is not None:
        return "errors"
    if case.find("skipped") is not None:
        return "skipped"
    return "passed"


def fmt(counts):
    return ", ".join(f"{k} {n}" for k, n in zip(KINDS, counts))


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    log_path = argv[1]
    directory = argv[2] if len(argv) == 3 else "target/surefire-reports"
    problems = []

    summaries, log_per_class = read_log(log_path)
    if not summaries:
        problems.append(f"{log_path}: no Surefire summary line ('Tests run: N, Failures: ...' after 'Results:')")
    executions = [e for e, _ in summaries]
    for e, n in collections.Counter(executions).items():
        if n > 1:
            problems.append(f"{log_path}: {n} summaries for execution {e}: the log holds more than one run")

    files, cases = read_reports(directory, problems)
    if not files:
        problems.append(f"{directory}: no TEST-*.xml report")

    # Each result exactly once (per execution).
    def result_key(suite, cls, name):
        if not name:
            return (suite, cls, "<class-level>")
        suffix = SUFFIX.search(suite)
        return (cls, name) + ((suffix.group(0),) if suffix else ())

    keys = collections.Counter(result_key(suite, cls, name) for _, suite, cls, name, _ in cases)
    where = collections.defaultdict(list)
    for file, suite, cls, name, _ in cases:
        where[result_key(suite, cls, name)].append(file)
    for key, n in sorted(keys.items()):
        if n > 1:
            problems.append(f"reported {n} times: {' / '.join(key)} (in {', '.join(sorted(where[key]))})")

    # As many results as Surefire ran, with the same outcomes.
    expected = [sum(c[i] for _, c in summaries) for i in range(4)]
    found = [len(cases)] + [sum(1 for c in cases if c[4] == k) for k in KINDS[1:]]
    if summaries and expected != found:
        missing = expected[0] - found[0]
        what = f"{missing} missing" if missing > 0 else f"{-missing} extra"
        problems.append(f"Surefire's summaries say {fmt(expected)}; the reports hold {fmt(found)} ({what})")
        report_per_class = collections.defaultdict(lambda: [0, 0, 0, 0])
        for _, _, cls, _, outcome in cases:
            report_per_class[cls][0] += 1
            if outcome != "passed":
                report_per_class[cls][KINDS.index(outcome)] += 1
        for cls in sorted(set(log_per_class) | set(report_per_class)):
            ran, kept = log_per_class.get(cls, [0] * 4), report_per_class.get(cls, [0] * 4)
            if ran != kept:
                problems.append(f"  {cls}: ran {fmt(ran)}; reports hold {fmt(kept)}")

    runs = ", ".join(f"{e or '?'} {c[0]}" for e, c in summaries)
    if problems:
        print(f"Surefire report check FAILED ({len(cases)} <testcase>s in {len(files)} reports; "
              f"Surefire ran {expected[0]}: {runs}):", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print(f"Surefire report check: {len(cases)} <testcase>s in {len(files)} reports, each once; "
          f"Surefire ran {expected[0]} ({runs}); {fmt(found)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
