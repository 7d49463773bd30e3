"""A short, human description of a browser from its User-Agent (no third-party parser needed)."""
import re

_BROWSERS = [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Chromium/", "Chromium"), ("Safari/", "Safari"), ("curl/", "curl"), ("python", "Python client")]
_SYSTEMS = [("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux")]


def describe(user_agent: str) -> str:
    if not user_agent:
        return "Unknown device"
    browser = next((name for marker, name in _BROWSERS if marker.lower() in user_agent.lower()), "Browser")
    system = next((name for marker, name in _SYSTEMS if re.search(re.escape(marker), user_agent)), "")
    return f"{browser} on {system}" if system else browser
