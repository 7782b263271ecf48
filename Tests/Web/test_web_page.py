"""The web page in a real headless Chromium (Debian's chromium + chromium-driver, driven by
Selenium): load it from the local gateway, produce a record with the form, and see the record
arrive over the WebSocket. Saves a screenshot under .build/web-test/."""

import unittest

from browser import chrome_driver
from gateway_stack import ROOT, GatewayStack

TOPIC = "web-demo"
HISTORY_TOPIC = "web-history"
SCREENSHOT_DIR = ROOT / ".build" / "web-test"


class WebPageTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = GatewayStack(topics=[TOPIC, HISTORY_TOPIC]).__enter__()
        try:
            cls.driver = chrome_driver()
        except BaseException:
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

    def rows(self):
        """(partition, offset) of every row in Live records."""
        from selenium.webdriver.common.by import By

        found = []
        for row in self.driver.find_elements(By.CSS_SELECTOR, "#records tbody tr"):
            cells = row.find_elements(By.TAG_NAME, "td")
            found.append((int(cells[0].text), int(cells[1].text)))
        return found

    def test_opening_a_topic_shows_the_last_20_records_and_a_reconnect_resumes_without_gaps_or_repeats(self):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as EC
        from selenium.webdriver.support.ui import WebDriverWait

        self.stack.produce(HISTORY_TOPIC, [{"value": f"old {i}", "partition": 0} for i in range(25)])
        self.stack.produce(HISTORY_TOPIC, [{"value": f"few {i}", "partition": 1} for i in range(3)])
        driver = self.driver
        wait = WebDriverWait(driver, 30)
        driver.get(f"{self.stack.http_url}/?topic={HISTORY_TOPIC}&watch=1")
        wait.until(EC.text_to_be_present_in_element((By.ID, "record-count"), "(23 received)"))
        wait.until(EC.text_to_be_present_in_element((By.ID, "ws-status"), "watching " + HISTORY_TOPIC))
        self.assertEqual(sorted(self.rows()), [(0, offset) for offset in range(5, 25)] + [(1, offset) for offset in range(3)])

        # The connection drops (closed under the page); records written meanwhile arrive once it is back.
        driver.execute_script("socket.close(4000, 'dropped by the test')")
        self.stack.produce(HISTORY_TOPIC, [{"value": f"new {i}", "partition": 0} for i in range(3)])
        wait.until(EC.text_to_be_present_in_element((By.ID, "ws-status"), "reconnected 1x"))
        wait.until(EC.text_to_be_present_in_element((By.ID, "record-count"), "(26 received)"))
        self.stack.produce(HISTORY_TOPIC, [{"value": "after", "partition": 1}])
        wait.until(EC.text_to_be_present_in_element((By.ID, "record-count"), "(27 received)"))
        self.assertEqual(sorted(self.rows()), [(0, offset) for offset in range(5, 28)] + [(1, offset) for offset in range(4)])
        self.assertEqual(driver.find_element(By.CSS_SELECTOR, "#records tbody tr:first-child td.value").text, "after")


if __name__ == "__main__":
    unittest.main()
