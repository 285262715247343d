"""Writes `invoicing/printable.json`: the code points each invoice font draws, read from the font files.

Run by `make font-coverage` (and `make lock`, after a font package changes). The API's validators read the
file without fpdf2 or fontTools; `tests/unit/test_printable.py` checks it against the installed fonts.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

from invoicing import printable
from invoicing.pdf import fonts


def ranges(codes: Iterable[int]) -> list[list[int]]:
    """Sorted inclusive [first, last] ranges of `codes`."""
    found: list[list[int]] = []
    for code in sorted(set(codes)):
        if found and code == found[-1][1] + 1:
            found[-1][1] = code
        else:
            found.append([code, code])
    return found


def font_codes() -> dict[str, set[int]]:
    """Font key -> code points with a glyph, primary first, then the script fonts in the renderer's order."""
    primary = fonts.shared_fonts()
    regular, bold = (set(primary[style].widths) for style in ("", "B"))
    if regular != bold:
        raise ValueError("Open Sans regular and bold must cover the same code points")
    found = {printable.PRIMARY: regular}
    for key in fonts.SCRIPT_PACKAGES:
        if key == "notocjk":
            regions = [set(fonts.script_font(key, region).widths) for region in fonts.CJK_REGIONS]
            if any(codes != regions[0] for codes in regions):
                raise ValueError("the Noto Sans CJK regions must cover the same code points")
            found[key] = regions[0]
        else:
            font = fonts.script_font(key)
            if font is None:
                raise ValueError(f"the font package of {key} is not installed")
            found[key] = set(font.widths)
    return found


def data() -> dict:
    return {"fonts": {key: ranges(codes) for key, codes in font_codes().items()}}


def main() -> None:
    printable.DATA.write_text(json.dumps(data(), separators=(",", ":")) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {printable.DATA}\n")


if __name__ == "__main__":
    main()
