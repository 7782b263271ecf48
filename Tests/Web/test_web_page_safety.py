"""The page against hostile servers, in headless Chromium: whatever an API or WebSocket answers
is shown as text, never parsed as markup, and a link cannot point the page at another server."""

import base64
import json
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from websockets.sync.server import serve

from browser import chrome_driver
from gateway_stack import GatewayStack

MARKUP = '<img src="x" class="injected" onerror="window.__injected=(window.__injected||0)+1">'
HOSTILE_OFFSETS = {"topic": "t", "partitions": [
    {"partition": MARKUP, "earliest": '<b class="injected">0</b>', "latest": '<svg class="injected" onload="window.__injected=1"></svg>'},
    {"partition": 0, "earliest": MARKUP, "latest": MARKUP},
]}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


class HostileAPI(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps(HOSTILE_OFFSETS).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def hostile_pubsub(connection):
    """Answers every command with markup where numbers and text belong."""
    fetches = 0
    for raw in connection:
        request = json.loads(raw)
        sequence = request.get("sequence", 0)
        if "cmd_kafka_list_offset" in request:
            connection.send(json.dumps({"sequence": sequence, "kafka_list_offset_resp": {"offset": MARKUP}}))
        elif fetches < 2:
            fetches += 1
            connection.send(json.dumps({"sequence": sequence, "kafka_fetch_resp": {"messages": [
                {"offset": MARKUP, "timestamp": MARKUP, "key": b64(MARKUP), "value": b64("<script>window.__injected=9</script>" + MARKUP)},
                {"offset": 1, "key": MARKUP, "value": "%%%not base64" + MARKUP},
            ]}}))
        else:
            connection.send(json.dumps({"sequence": sequence, "error_resp": {"code": 500, "message": MARKUP}}))


class PageSafetyTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = GatewayStack(topics=["t"]).__enter__()
        cls.api = ThreadingHTTPServer(("127.0.0.1", 0), HostileAPI)
        threading.Thread(target=cls.api.serve_forever, daemon=True).start()
        cls.pubsub = serve(hostile_pubsub, "127.0.0.1", 0)
        threading.Thread(target=cls.pubsub.serve_forever, daemon=True).start()
        try:
            cls.driver = chrome_driver()
        except BaseException:
            cls.tearDownServers()
            raise

    @classmethod
    def tearDownServers(cls):
        cls.pubsub.shutdown()
        cls.api.shutdown()
        cls.stack.__exit__(None, None, None)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.tearDownServers()

    def test_hostile_offsets_and_records_are_shown_as_text(self):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        api = f"http://127.0.0.1:{self.api.server_address[1]}"
        ws = f"ws://127.0.0.1:{self.pubsub.socket.getsockname()[1]}/ws"
        driver = self.driver
        driver.get(f"{self.stack.http_url}/?api={api}&ws={ws}&topic=t&watch=1")
        wait = WebDriverWait(driver, 30)
        count_injected = "return document.querySelectorAll('img, svg, b, .injected, #records script, #offsets script').length"
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#offsets tbody tr")) >= 2)
        self.assertEqual(driver.execute_script(count_injected), 0, driver.find_element(By.ID, "offsets").get_attribute("innerHTML"))
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#records tbody tr")) >= 2)
        wait.until(lambda d: "<img" in d.find_element(By.ID, "ws-status").text)  # the error_resp, as text
        self.assertEqual(driver.execute_script(count_injected), 0, driver.find_element(By.TAG_NAME, "main").get_attribute("innerHTML")[:2000])
        self.assertIsNone(driver.execute_script("return window.__injected === undefined ? null : window.__injected"))
        offsets_text = driver.find_element(By.ID, "offsets").text
        self.assertIn('<img src="x"', offsets_text)
        self.assertIn('<b class="injected">0</b>', offsets_text)
        self.assertIn(MARKUP, driver.find_element(By.ID, "records").text)

    def test_endpoints_from_a_link_must_be_the_pages_own_host_or_loopback(self):
        from selenium.webdriver.common.by import By

        driver = self.driver
        driver.get(self.stack.http_url + "/")
        driver.execute_script("localStorage.clear()")
        driver.get(f"{self.stack.http_url}/?api=https://evil.example&ws=wss://evil.example/ws&topic=t&watch=1")
        self.assertEqual(driver.find_element(By.ID, "api-url").get_attribute("value"), self.stack.http_url)
        self.assertEqual(driver.find_element(By.ID, "ws-url").get_attribute("value"), self.stack.ws_url)
        self.assertIn("ignored ?ws=", driver.find_element(By.ID, "link-status").text)
        stored = driver.execute_script("return [localStorage.getItem('api-url'), localStorage.getItem('ws-url')].join(' ')")
        self.assertNotIn("evil.example", stored)
        # A loopback endpoint in a link is accepted (a second local gateway, a local tool).
        driver.get(f"{self.stack.http_url}/?ws=ws://localhost:1/ws")
        self.assertEqual(driver.find_element(By.ID, "ws-url").get_attribute("value"), "ws://localhost:1/ws")


if __name__ == "__main__":
    unittest.main()
