"""Make text from checked files safe to print: no control characters, no lone surrogates.

File names and source snippets come from the code being checked. A newline or an
ANSI escape in them must not forge extra output lines or repaint a terminal.
"""

from __future__ import annotations


def printable(text: str) -> str:
    """``text`` with control characters and undecodable bytes shown as escapes."""
    if text.isprintable():
        return text
    pieces = []
    for char in text:
        code = ord(char)
        if char.isprintable() or char == " ":
            pieces.append(char)
        elif 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode
            pieces.append(f"\\x{code - 0xDC00:02x}")
        elif code < 0x100:
            pieces.append(f"\\x{code:02x}")
        else:
            pieces.append(f"\\u{code:04x}")
    return "".join(pieces)
