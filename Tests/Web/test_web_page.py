"""The web page in a real headless Chromium (Debian's chromium + chromium-driver, driven by
Selenium): load it from the local gateway, produce a record with the form, and see the record
arrive over the WebSocket. Saves a screenshot under .build/web-test/."""

import os
import shutil
import unittest
from pathlib import Path

from gateway_stack import ROOT, GatewayStack

TOPIC = "web-demo"
SCREENSHOT_DIR = ROOT / ".build" / "web-test"


def find_browser():
    """Chromium and its driver from Debian; under CI a missing browser fails the run."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or (Path("/usr/bin/chromedriver").exists() and "/usr/bin/chromedriver")
    if browser and driver:
        return browser, driver
    message = "chromium and chromium-driver are not installed (scripts/install-deps --test installs them)"
    if os.environ.get("CI") == "true":
        raise RuntimeError(message)
    raise unittest.SkipTest(message)


class WebPageTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        browser, driver = find_browser()
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        cls.stack = GatewayStack(topics=[TOPIC]).__enter__()
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,860"):
            options.add_argument(argument)
        try:
            cls.driver = webdriver.Chrome(service=Service(executable_path=driver), options=options)
        except Exception:
            cls.stack.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.stack.__exit__(None, None, None)

    def test_a_record_produced_with_the_form_arrives_over_the_websocket(self):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as EC
        from selenium.webdriver.support.ui import WebDriverWait

        driver = self.driver
        wait = WebDriverWait(driver, 30)
        driver.get(self.stack.http_url + "/")
        self.assertIn("Kafka topic viewer", driver.title + driver.page_source)
        # Defaults come from the page's own origin: the local gateway.
        self.assertEqual(driver.find_element(By.ID, "ws-url").get_attribute("value"), self.stack.ws_url)

        topic = driver.find_element(By.ID, "topic")
        topic.clear()
        topic.send_keys(TOPIC)
        driver.find_element(By.ID, "watch").click()
        wait.until(EC.text_to_be_present_in_element((By.ID, "ws-status"), "watching " + TOPIC))
        rows = driver.find_elements(By.CSS_SELECTOR, "#offsets tbody tr")
        self.assertEqual(len(rows), 3)

        key = driver.find_element(By.ID, "key")
        key.send_keys("browser-key")
        value = driver.find_element(By.ID, "value")
        value.clear()
        value.send_keys('{"sent":"from headless chromium"}')
        driver.find_element(By.ID, "produce").click()
        wait.until(EC.text_to_be_present_in_element((By.ID, "produce-result"), "Written to partition"))

        wait.until(EC.text_to_be_present_in_element((By.ID, "records"), "from headless chromium"))
        cells = [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "#records tbody tr:first-child td")]
        self.assertEqual(cells[3], "browser-key")
        self.assertEqual(cells[4], '{"sent":"from headless chromium"}')
        self.assertIn("partition " + cells[0], driver.find_element(By.ID, "produce-result").text)

        # A second record on the same page arrives too (the fetch loop keeps going).
        value.clear()
        value.send_keys("second record")
        driver.find_element(By.ID, "produce").click()
        wait.until(EC.text_to_be_present_in_element((By.ID, "records"), "second record"))
        wait.until(EC.text_to_be_present_in_element((By.ID, "record-count"), "2 received"))

        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SCREENSHOT_DIR / "web-page.png"))


if __name__ == "__main__":
    unittest.main()
