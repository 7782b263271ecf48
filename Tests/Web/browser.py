"""Debian's chromium and chromium-driver, driven by Selenium, for the page's tests."""

import os
import shutil
import unittest
from pathlib import Path


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


def chrome_driver():
    """A headless Chromium session (the caller quits it)."""
    browser, driver = find_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,860"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)
