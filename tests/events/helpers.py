import re


def reset_code(outbox, address: str) -> str:
    """The newest password reset code sent to `address` (notices may be emailed to it in between)."""
    for message in reversed(outbox.to(address)):
        found = re.search(r"password reset code: (\d{6})", message["Subject"] or "")
        if found:
            return found.group(1)
    raise AssertionError(f"no reset code sent to {address}")
