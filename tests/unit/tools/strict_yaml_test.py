#!/usr/bin/python3
"""tools/strict_yaml.py, the YAML loader of the Python tests and tools
(tests/pcap expect.yaml, tools/detect, tools/verify): duplicate keys at any
depth (both places named), merge keys and second documents are errors, and
every duplicate of a stream is reported."""

import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tools"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "pcap"))
import run_case  # noqa: E402
import strict_yaml  # noqa: E402


def problems(text):
    try:
        strict_yaml.load_text(text, name="e.yaml")
    except strict_yaml.Error as e:
        return e.problems
    return []


class StrictYaml(unittest.TestCase):
    def test_clean_text_loads(self):
        self.assertEqual(strict_yaml.load_text("a: 1\nb: {c: [1, 2]}\n"), {"a": 1, "b": {"c": [1, 2]}})

    def test_duplicate_names_both_places(self):
        self.assertEqual(problems("summary: {dropped: 0}\nargs: []\nsummary: {dropped: 5}\n"),
                         ["e.yaml:3:1: error: duplicate key 'summary' (first at e.yaml:1:1)"])

    def test_every_duplicate_at_any_depth_in_order(self):
        self.assertEqual(problems("a:\n  - {x: 1, x: 2}\n  - b:\n      y: 1\n      y: 2\na: 3\n"), [
            "e.yaml:2:12: error: duplicate key 'x' (first at e.yaml:2:6)",
            "e.yaml:5:7: error: duplicate key 'y' (first at e.yaml:4:7)",
            "e.yaml:6:1: error: duplicate key 'a' (first at e.yaml:1:1)",
        ])

    def test_keys_equal_as_the_reader_sees_them(self):
        # PyYAML resolves 1 and 0x1 to the same int, "a" and a to the same str.
        self.assertEqual(len(problems("1: a\n0x1: b\n")), 1)
        self.assertEqual(len(problems("a: 1\n\"a\": 2\n")), 1)
        self.assertEqual(problems("\"1\": a\n1: b\n"), [])  # a str and an int

    def test_merge_key_is_refused(self):
        self.assertEqual(problems("base: &b {x: 1}\nc:\n  <<: *b\n  x: 2\n"),
                         ["e.yaml:3:3: error: merge keys ('<<') are not supported: write the keys out"])

    def test_second_document_is_refused_at_its_line(self):
        with self.assertRaises(strict_yaml.yaml.YAMLError) as cm:
            strict_yaml.load_text("a: 1\n---\nb: 2\n", name="e.yaml")
        self.assertIn('"e.yaml", line 2, column 1', str(cm.exception))

    def test_error_is_a_yaml_error(self):
        self.assertTrue(issubclass(strict_yaml.Error, strict_yaml.yaml.YAMLError))

    def test_load_file_names_the_file(self):
        path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "strict_yaml_test_%d.yaml" % os.getpid())
        with open(path, "w") as f:
            f.write("k: 1\nk: 2\n")
        try:
            with self.assertRaises(strict_yaml.Error) as cm:
                strict_yaml.load_file(path)
        finally:
            os.unlink(path)
        self.assertEqual(cm.exception.problems, ["%s:2:1: error: duplicate key 'k' (first at %s:1:1)" % (path, path)])


    def test_pcap_case_with_a_duplicate_in_expect_yaml_is_broken(self):
        # tests/pcap/run_case.py reads expect.yaml with it: the case is
        # refused before rampartd runs, naming both places.
        with tempfile.TemporaryDirectory() as case:
            with open(os.path.join(case, "make_pcap.py"), "w") as f:
                f.write("raise SystemExit('not reached')\n")
            exp = os.path.join(case, "expect.yaml")
            with open(exp, "w") as f:
                f.write("summary: {dropped: 0}\nsummary: {dropped: 3}\n")
            with self.assertRaises(run_case.CaseError) as cm:
                run_case.run_case("/nonexistent/rampartd", case)
        self.assertIn("%s:2:1: error: duplicate key 'summary' (first at %s:1:1)" % (exp, exp), str(cm.exception))


if __name__ == "__main__":
    unittest.main()
