"""The suggested policy's download in the Least privilege section (issue 19).

On test_lpsec's rendered account: each principal granted more than it used
carries its suggestion in results.json (least_privilege.principals[].
suggestion, made and proven by the same code as `iamgrade suggest-policy`),
and its row in the HTML links to it as a data: URL of base64 JSON with a
plain file name. The link decodes to exactly the results' policy, the
suggestion grants only the used service's action, hostile principal names
never reach the file name, and the page fetches nothing.
"""
import base64
import html.parser
import json
import re
import unittest

import test_lpsec
from test_lpsec import ACTION, HOSTILE, PRINCIPALS

DATA = "data:application/json;base64,"


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.urls = {}, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("href", "src", "xlink:href", "action"):
            if k in a:
                self.urls.append(a[k] or "")
        if tag == "a" and (a.get("href") or "").startswith(DATA):
            self.links[a.get("download")] = a["href"]


class SuggestionLink(test_lpsec.Rendered):
    def setUp(self):
        with open(self.f["ok"]["json"]) as fp:
            self.rows = {p["name"]: p for p in json.load(fp)["accounts"][0]["least_privilege"]["principals"]}
        self.page = Links()
        with open(self.f["ok"]["html"], encoding="utf-8") as fp:
            self.page.feed(fp.read())

    def test_results_carry_the_suggestion(self):
        wide = self.rows["lp-wide"]["suggestion"]
        self.assertEqual(wide["Version"], "2012-10-17")
        self.assertEqual([s["Action"] for s in wide["Statement"]], [[ACTION["s3"]]])
        # Nothing unused, nothing to suggest; nothing used, no policy and the reason.
        self.assertNotIn("suggestion", self.rows["filler-00"])
        self.assertNotIn("suggestion", self.rows["lp-none-used"])
        self.assertIn("nothing the identity-based policies grant was used",
                      self.rows["lp-none-used"]["suggestion_refused"])

    def test_link_is_the_results_policy(self):
        with_policy = {n: r for n, r in self.rows.items() if "suggestion" in r}
        self.assertGreaterEqual(len(with_policy), 2 + len(HOSTILE))
        self.assertEqual(len(self.page.links), len(with_policy))
        for name, row in with_policy.items():
            # Byte by byte, as the renderer replaces them (a CJK character is three).
            file = re.sub(rb"[^A-Za-z0-9._-]", b"_", name.encode()).decode() + "-least-privilege.json"
            self.assertIn(file, self.page.links, name)
            body = self.page.links[file][len(DATA):]
            self.assertRegex(body, r"^[A-Za-z0-9+/=]+$")
            self.assertEqual(json.loads(base64.b64decode(body)), row["suggestion"], name)
            if name in PRINCIPALS:      # the base snapshot's users have their own policies
                granted, used = PRINCIPALS[name]
                self.assertEqual({a for s in row["suggestion"]["Statement"] for a in s["Action"]},
                                 {ACTION[s] for s in used})

    def test_file_names_are_plain(self):
        for file in self.page.links:
            self.assertRegex(file, r"^[A-Za-z0-9._-]+$")

    def test_page_fetches_nothing(self):
        self.assertEqual([u for u in self.page.urls if not (u.startswith("#") or u.startswith(DATA))], [])


if __name__ == "__main__":
    unittest.main()
