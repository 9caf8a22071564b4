"""The summary in a real browser (issue 18): headless Chromium driven through
WebDriver (Debian's chromium-driver and python3-selenium, `make deps`).  A
200-account organization with OUs and tags, one OU and one tag hostile
(markup, script, bidi controls): sort a table, filter by OU, search an
account, and assert the rows shown; with scripts disabled every table is
whole.  Screenshots land in $IAMGRADE_SHOTS when it is set."""
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

try:
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
except ImportError:
    # Debian's python3-selenium, when the tests run under another 3.11.
    sys.path.append("/usr/lib/python3/dist-packages")
    try:
        from selenium import webdriver
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select
    except ImportError:
        webdriver = None

HERE = os.path.dirname(os.path.abspath(__file__))
IAMGRADE = os.environ.get("IAMGRADE", os.path.join(HERE, "..", "..", "iamgrade"))
DRIVER = shutil.which("chromedriver")
HOSTILE_OU = "/Sandbox/<img src=x onerror=\"document.title='pwned'\">\u202eLab"
HOSTILE_TAG = "<script>document.title='pwned'</script>"
# Bidi controls are shown by name, never applied (str_show_invisible).
SHOWN_OU = HOSTILE_OU.replace("\u202e", "<U+202E>")
OUS = ["/", "/Security", "/Production", "/Production/Payments", "/Development", HOSTILE_OU]


def organization(n=200):
    """A results document of n accounts (the multi fixture's, renumbered)
    and a structure record placing them in OUS with tags."""
    with open(os.path.join(HERE, "fixtures", "multi.results.json"), encoding="utf-8") as f:
        base = json.load(f)
    accts, places = [], {}
    for i in range(n):
        a = copy.deepcopy(base["accounts"][i % len(base["accounts"])])
        a["account_id"] = "%012d" % (100000000000 + i)
        a["alias"] = "acct-%03d" % i
        accts.append(a)
        places[a["account_id"]] = {"ou_id": "ou-%d" % (i % len(OUS)), "ou_path": OUS[i % len(OUS)],
                                   "tags": {"env": ["prod", "dev", HOSTILE_TAG][i % 3], "owner": "team-%d" % (i % 7)}}
    base["accounts"] = sorted(accts, key=lambda a: a["account_id"])
    st = {"schema": "iamgrade.organization/1", "source": "organizations", "organization_id": "o-abcdefghij",
          "complete": True, "problems": [], "accounts": places,
          "ous": [{"id": "ou-%d" % k, "name": p.rsplit("/", 1)[-1] or "Root", "parent": None, "path": p}
                  for k, p in enumerate(OUS)]}
    return base, st


@unittest.skipUnless(webdriver is not None and DRIVER, "chromium-driver and python3-selenium not installed (make deps)")
class Browser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="iamgrade-browser-")
        results, st = organization()
        cls.places = st["accounts"]
        for name, doc in (("results.json", results), ("organization.json", st)):
            with open(os.path.join(cls.tmp, name), "w", encoding="utf-8") as f:
                json.dump(doc, f)
        cls.page = os.path.join(cls.tmp, "summary.html")
        p = subprocess.run([IAMGRADE, "report", "--results", os.path.join(cls.tmp, "results.json"),
                            "--organization", os.path.join(cls.tmp, "organization.json"),
                            "--summary", "--html", cls.page], capture_output=True, timeout=300)
        assert p.returncode == 0, p.stderr
        cls.shots = os.environ.get("IAMGRADE_SHOTS")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def browser(self, scripts=True):
        o = webdriver.ChromeOptions()
        for a in ("--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,1800"):
            o.add_argument(a)
        if not scripts:
            o.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
        o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        d = webdriver.Chrome(service=webdriver.ChromeService(executable_path=DRIVER), options=o) \
            if hasattr(webdriver, "ChromeService") else \
            webdriver.Chrome(service=__import__("selenium.webdriver.chrome.service", fromlist=["Service"])
                             .Service(executable_path=DRIVER), options=o)
        self.addCleanup(d.quit)
        d.get("file://" + self.page)
        return d

    def shot(self, d, name, el=None):
        if self.shots:
            os.makedirs(self.shots, exist_ok=True)
            if el is not None:
                d.execute_script("arguments[0].scrollIntoView()", el)
            d.save_screenshot(os.path.join(self.shots, name + ".png"))

    def shown(self, d):
        """The account ids of the rows the account table shows, in order."""
        rows = d.find_elements(By.CSS_SELECTOR, "#t-accounts tbody tr")
        return [r.get_attribute("id")[5:] for r in rows if r.is_displayed()]

    def test_scripted(self):
        d = self.browser()
        self.assertNotIn("pwned", d.title)
        # The script ran (CSP allowed it by its hash): the filter bar is shown.
        self.assertTrue(d.find_element(By.ID, "filters").is_displayed())
        self.assertEqual(len(self.shown(d)), 200)
        self.shot(d, "overview")
        self.shot(d, "heatmap", d.find_element(By.ID, "heatmap"))
        errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
        self.assertEqual(errors, [], "no CSP violation nor script error")

        # Sort by score, ascending then descending.
        head = [th for th in d.find_elements(By.CSS_SELECTOR, "#t-accounts thead th") if th.text.strip() == "SCORE"
                or th.text.strip().lower() == "score"][0]
        col = [th.text for th in d.find_elements(By.CSS_SELECTOR, "#t-accounts thead th")].index(head.text)
        head.click()

        def scores():
            return [int(r.find_elements(By.TAG_NAME, "td")[col].text) for r in
                    d.find_elements(By.CSS_SELECTOR, "#t-accounts tbody tr")
                    if r.find_elements(By.TAG_NAME, "td")[col].text.isdigit()]
        s = scores()
        self.assertEqual(s, sorted(s))
        self.assertEqual(head.get_attribute("aria-sort"), "ascending")
        head.click()
        self.assertEqual(scores(), sorted(s, reverse=True))

        # Filter by OU: /Production holds /Production/Payments too.
        sel = Select(d.find_element(By.ID, "f-ou"))
        self.assertIn(SHOWN_OU, [o.text for o in sel.options], "the hostile OU is an option, as text")
        sel.select_by_value("/Production")
        want = {i for i, p in self.places.items() if p["ou_path"] in ("/Production", "/Production/Payments")}
        self.assertEqual(set(self.shown(d)), want)
        self.assertEqual(d.find_element(By.ID, "f-count").text, "%d of 200 accounts shown" % len(want))
        self.shot(d, "filtered", d.find_element(By.ID, "accounts"))
        sel.select_by_visible_text(SHOWN_OU)
        self.assertEqual(set(self.shown(d)), {i for i, p in self.places.items() if p["ou_path"] == HOSTILE_OU})

        # Search an account, within all OUs.
        sel.select_by_value("")
        q = d.find_element(By.ID, "f-q")
        q.send_keys("100000000123")
        self.assertEqual(self.shown(d), ["100000000123"])
        q.clear()
        q.send_keys("team-3 prod")   # words all apply, over every column (tags included)
        want = {i for i, p in self.places.items() if p["tags"]["owner"] == "team-3"
                and ("prod" in p["tags"]["env"] or "prod" in p["ou_path"].lower())}
        self.assertEqual(set(self.shown(d)), want)
        self.assertNotIn("pwned", d.title)
        self.assertEqual(d.find_elements(By.TAG_NAME, "img"), [])

    def bar(self, d, table):
        """The filter bar the script made for table (by id)."""
        return d.find_element(By.CSS_SELECTOR, 'div.filters[data-for="%s"]' % table)

    def visible(self, d, table):
        return [r for r in d.find_elements(By.CSS_SELECTOR, "#%s tbody tr" % table) if r.is_displayed()]

    def test_every_table_filters(self):
        """Issue 18: sort, filter and search on every table, not only the
        account table: the group table, the heatmap's rows by control and by
        severity, each group's own table by grade."""
        d = self.browser()
        self.assertTrue(d.title.startswith("IAM summary of organization o-abcdefghij: 200 accounts, 2026-"),
                        d.title)
        # The group table: search.
        q = self.bar(d, "t-groups").find_element(By.TAG_NAME, "input")
        q.send_keys("payments")
        rows = self.visible(d, "t-groups")
        self.assertEqual([r.find_element(By.TAG_NAME, "td").text for r in rows], ["/Production/Payments"])
        self.assertEqual(self.bar(d, "t-groups").find_element(By.TAG_NAME, "span").text, "1 of %d rows shown"
                         % len(OUS))
        # The heatmap: by severity, then by control.
        heat = self.bar(d, "t-heatmap")
        # (textContent: the page shows severities in capitals by CSS.)
        sevs = [r.find_elements(By.TAG_NAME, "td")[0].get_attribute("textContent").strip()
                for r in self.visible(d, "t-heatmap")]
        sel = Select(heat.find_element(By.TAG_NAME, "select"))
        self.assertEqual([o.text for o in sel.options], ["all"] + sorted(set(sevs)))
        sel.select_by_value("critical")
        shown = [r.find_elements(By.TAG_NAME, "td")[0].get_attribute("textContent").strip()
                 for r in self.visible(d, "t-heatmap")]
        self.assertEqual(shown, ["critical"] * sevs.count("critical"))
        self.assertGreater(len(shown), 0)
        self.shot(d, "heatmap-critical", d.find_element(By.ID, "heatmap"))
        sel.select_by_value("")
        heat.find_element(By.TAG_NAME, "input").send_keys("USER-05")
        self.assertEqual([r.find_element(By.TAG_NAME, "th").text.split()[0] for r in self.visible(d, "t-heatmap")],
                         ["USER-05"])
        # The heatmap sorts by a group's column: the share, as a number.
        heat.find_element(By.TAG_NAME, "input").clear()
        heat.find_element(By.TAG_NAME, "input").send_keys(" ")
        ths = d.find_elements(By.CSS_SELECTOR, "#t-heatmap thead th")
        col = next(i for i, th in enumerate(ths) if th.get_attribute("textContent").strip().startswith("/Development"))
        ths[col].click()
        shares = [int(r.find_elements(By.XPATH, "./*")[col].text.rstrip("%"))
                  for r in self.visible(d, "t-heatmap") if r.find_elements(By.XPATH, "./*")[col].text != "n/e"]
        self.assertEqual(shares, sorted(shares))
        self.assertGreater(len(set(shares)), 1)
        # A group's own table, folded: filter by grade.
        det = d.find_element(By.ID, "group-1")
        det.find_element(By.TAG_NAME, "summary").click()
        grades = Select(self.bar(d, "t-group-1").find_element(By.TAG_NAME, "select"))
        self.assertIn("A", [o.text for o in grades.options])
        want = [r for r in self.visible(d, "t-group-1") if r.find_elements(By.TAG_NAME, "td")[3].text == "A"]
        grades.select_by_value("A")
        got = self.visible(d, "t-group-1")
        self.assertEqual(len(got), len(want))
        self.assertTrue(all(r.find_elements(By.TAG_NAME, "td")[3].text == "A" for r in got))
        errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
        self.assertEqual(errors, [], "no CSP violation nor script error")

    def test_worse_and_better(self):
        """Issue 18: the ten accounts that got most worse and most better since
        the baseline, sortable and filterable like every table."""
        with open(os.path.join(self.tmp, "results.json"), encoding="utf-8") as f:
            base = json.load(f)
        delta = {}
        for k, a in enumerate(base["accounts"]):
            if isinstance(a.get("score"), int) and k % 4 != 3:
                # Then = now - change: accounts 0, 4, 8 ... rose, 1, 5, 9 ... fell, 2, 6 ... stayed.
                d = [k % 23 + 1, -(k % 19 + 1), 0][k % 4]
                if 0 <= a["score"] - d <= 100:
                    a["score"] -= d
                    delta[a["account_id"]] = d
        with open(os.path.join(self.tmp, "baseline.json"), "w", encoding="utf-8") as f:
            json.dump(base, f)
        page = os.path.join(self.tmp, "movers.html")
        p = subprocess.run([IAMGRADE, "report", "--results", os.path.join(self.tmp, "results.json"),
                            "--organization", os.path.join(self.tmp, "organization.json"),
                            "--baseline", os.path.join(self.tmp, "baseline.json"),
                            "--summary", "--html", page], capture_output=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.page, saved = page, self.page
        try:
            d = self.browser()
        finally:
            self.page = saved

        def ids(table):
            return [r.find_element(By.CSS_SELECTOR, "td .mono").text for r in self.visible(d, table)]
        down = sorted((v, k) for k, v in delta.items() if v < 0)[:10]
        up = sorted(((-v, k) for k, v in delta.items() if v > 0))[:10]
        self.assertEqual(ids("t-worse"), [k for _, k in down])
        self.assertEqual(ids("t-better"), [k for _, k in up])
        first = self.visible(d, "t-worse")[0].find_elements(By.TAG_NAME, "td")[3].text
        self.assertTrue(first.startswith("\u2212%d" % -down[0][0]), first)
        self.shot(d, "worse-better", d.find_element(By.ID, "movers"))
        # Filter the worse ones by OU.
        sel = Select(self.bar(d, "t-worse").find_element(By.TAG_NAME, "select"))
        sel.select_by_value("/Security")
        self.assertEqual(ids("t-worse"), [k for _, k in down if self.places[k]["ou_path"] == "/Security"])

    def test_scripts_off(self):
        d = self.browser(scripts=False)
        # No bar is made without the script; every table is whole.
        self.assertEqual(d.find_elements(By.CSS_SELECTOR, "div.filters[data-for]"), [])
        self.assertEqual(len([r for r in d.find_elements(By.CSS_SELECTOR, "#t-heatmap tbody tr")
                              if r.is_displayed()]),
                         len(d.find_elements(By.CSS_SELECTOR, "#t-heatmap tbody tr")))
        # Whole without the script: every row of every table, no filter bar.
        self.assertFalse(d.find_element(By.ID, "filters").is_displayed())
        self.assertEqual(len(self.shown(d)), 200)
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, "#t-groups tbody tr")), len(OUS))
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, "#groups details")), len(OUS))
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, "#groups details tbody tr")), 200)
        # The details open without a script.
        det = d.find_elements(By.CSS_SELECTOR, "#groups details")[1]
        det.find_element(By.TAG_NAME, "summary").click()
        self.assertEqual(det.get_attribute("open"), "true")
        self.assertIn(SHOWN_OU, d.find_element(By.ID, "t-groups").text)
        self.assertIn(HOSTILE_TAG, d.find_element(By.ID, "t-accounts").text)
        self.assertNotIn("pwned", d.title)
        self.assertEqual(d.find_elements(By.TAG_NAME, "img"), [])


class HeatmapBound(unittest.TestCase):
    """Issue 18: a heatmap of 300 tag groups keeps 19 columns for the largest
    groups and one "other" pooling the rest; the group table keeps all 300."""

    def test_many_tag_groups(self):
        tmp = tempfile.mkdtemp(prefix="iamgrade-heat-")
        self.addCleanup(shutil.rmtree, tmp, True)
        results, st = organization(600)
        for i, acct in enumerate(sorted(st["accounts"])):
            # team-000 .. team-299, two accounts each, and team-big with a hundred more.
            st["accounts"][acct]["tags"]["team"] = "team-big" if i >= 500 else "team-%03d" % (i % 300)
        for name, doc in (("r.json", results), ("o.json", st)):
            with open(os.path.join(tmp, name), "w", encoding="utf-8") as f:
                json.dump(doc, f)
        page = os.path.join(tmp, "s.html")
        p = subprocess.run([IAMGRADE, "report", "--results", os.path.join(tmp, "r.json"), "--organization",
                            os.path.join(tmp, "o.json"), "--group-by", "tag:team", "--summary", "--html", page],
                           capture_output=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(page, encoding="utf-8") as f:
            doc = f.read()
        heat = doc.split('id="t-heatmap"', 1)[1].split("</thead>", 1)[0]
        cols = re.findall(r'<th scope="col" class="num">\s*<a href="([^"]*)">([^<]*)</a>', heat)
        self.assertEqual(len(cols), 20)
        # 301 groups: the largest (team-big) and 18 more in key order, then the other 282.
        self.assertIn(("#group-300", "team-big"), cols)
        self.assertEqual(cols[-1], ("#groups", "other (282 groups)"))
        self.assertEqual(len(re.findall(r"<tr data-group=", doc)), 301)


if __name__ == "__main__":
    unittest.main()
