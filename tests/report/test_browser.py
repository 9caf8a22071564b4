"""The summary in a real browser (issue 18): headless Chromium driven through
WebDriver (Debian's chromium-driver and python3-selenium, `make deps`).  A
200-account organization with OUs and tags, one OU and one tag hostile
(markup, script, bidi controls): sort a table, filter by OU, search an
account, and assert the rows shown; with scripts disabled every table is
whole.  Screenshots land in $IAMGRADE_SHOTS when it is set."""
import copy
import json
import os
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

    def test_scripts_off(self):
        d = self.browser(scripts=False)
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


if __name__ == "__main__":
    unittest.main()
