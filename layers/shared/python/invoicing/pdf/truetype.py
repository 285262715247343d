"""TrueType fonts read and cut on raw bytes: metrics for layout, and the subset embedded in each PDF.

Parsing with fontTools (as fpdf2's `add_font` does) costs about 20 ms per font in a fresh process, mostly
for glyph names we never use; reading the few tables needed here takes about 1 ms. fpdf2 also runs
fontTools' subsetter at `output()`, which costs about 7 ms per font and rewrites the parsed font in place
(so a parsed font cannot be shared between documents). Here the font file is split into tables
and glyphs once per process; a subset keeps every glyph id (unused glyphs become empty, as PDF's
CIDToGIDMap addresses glyphs by their original id) and copies the other tables unchanged. The fonts are
pre-subset and unhinted at build time (fonts/README.md), so no instructions or layout tables are involved.
"""

from __future__ import annotations

import re
import struct
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

# Composite glyph flags (OpenType `glyf` table).
_ARGS_ARE_WORDS = 0x0001
_HAVE_SCALE = 0x0008
_MORE_COMPONENTS = 0x0020
_HAVE_XY_SCALE = 0x0040
_HAVE_TWO_BY_TWO = 0x0080


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


@dataclass(frozen=True)
class Metrics:
    """What a PDF font descriptor and text layout need, in 1/1000 em (PDF glyph space)."""

    name: str  # PostScript-style full name without spaces, e.g. "OpenSansBold"
    units_per_em: int
    widths: dict[int, int]  # code point -> advance width
    glyph_ids: dict[int, int]  # code point -> glyph id
    missing_width: int
    ascent: int
    descent: int
    cap_height: int
    bbox: tuple[int, int, int, int]
    italic_angle: float
    fixed_pitch: bool
    weight: int
    underline_position: int
    underline_thickness: int
    strikeout_position: int
    strikeout_size: int


class TrueTypeProgram:
    """One TrueType font file, split once into tables and glyph records."""

    def __init__(self, data: bytes) -> None:
        (table_count,) = struct.unpack_from(">H", data, 4)
        self.tables: dict[str, bytes] = {}
        for index in range(table_count):
            tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * index)
            self.tables[tag.decode("latin-1")] = data[offset:offset + length]
        self.glyph_count: int = struct.unpack_from(">H", self.tables["maxp"], 4)[0]
        self.metric_count: int = struct.unpack_from(">H", self.tables["hhea"], 34)[0]
        long_offsets = struct.unpack_from(">h", self.tables["head"], 50)[0] == 1
        offsets = array("I" if long_offsets else "H", self.tables["loca"][:(self.glyph_count + 1) * (4 if long_offsets else 2)])
        if array("H", b"\0\1")[0] != 1:  # little-endian machine: loca is big-endian
            offsets.byteswap()
        scale = 1 if long_offsets else 2
        glyf = self.tables["glyf"]
        self.glyphs: list[bytes] = [glyf[offsets[gid] * scale:offsets[gid + 1] * scale] for gid in range(self.glyph_count)]
        self._components: dict[int, tuple[int, ...]] = {}

    def cmap(self) -> dict[int, int]:
        """Code point -> glyph id from the Unicode cmap (format 12 if present, else format 4)."""
        table = self.tables["cmap"]
        (count,) = struct.unpack_from(">H", table, 2)
        found: dict[int, int] = {}
        offsets = {}
        for index in range(count):
            platform, encoding, offset = struct.unpack_from(">HHI", table, 4 + 8 * index)
            offsets[(platform, encoding)] = offset
        for key in ((3, 10), (0, 4), (3, 1), (0, 3)):
            if key not in offsets:
                continue
            offset = offsets[key]
            (kind,) = struct.unpack_from(">H", table, offset)
            if kind == 12:
                (groups,) = struct.unpack_from(">I", table, offset + 12)
                for group in range(groups):
                    first, last, glyph = struct.unpack_from(">III", table, offset + 16 + 12 * group)
                    for code in range(first, last + 1):
                        found[code] = glyph + code - first
                return found
            if kind == 4:
                return self._cmap4(table, offset)
        raise ValueError("font has no Unicode cmap")

    @staticmethod
    def _cmap4(table: bytes, offset: int) -> dict[int, int]:
        (segments,) = struct.unpack_from(">H", table, offset + 6)
        segments //= 2
        ends = struct.unpack_from(f">{segments}H", table, offset + 14)
        starts = struct.unpack_from(f">{segments}H", table, offset + 16 + 2 * segments)
        deltas = struct.unpack_from(f">{segments}h", table, offset + 16 + 4 * segments)
        range_base = offset + 16 + 6 * segments
        range_offsets = struct.unpack_from(f">{segments}H", table, range_base)
        found: dict[int, int] = {}
        for index in range(segments):
            start, end, delta, range_offset = starts[index], ends[index], deltas[index], range_offsets[index]
            for code in range(start, end + 1):
                if code == 0xFFFF:
                    continue
                if range_offset == 0:
                    glyph = (code + delta) & 0xFFFF
                else:
                    address = range_base + 2 * index + range_offset + 2 * (code - start)
                    (glyph,) = struct.unpack_from(">H", table, address)
                    glyph = (glyph + delta) & 0xFFFF if glyph else 0
                if glyph:
                    found[code] = glyph
        return found

    def advance(self, gid: int) -> int:
        index = min(gid, self.metric_count - 1)
        return struct.unpack_from(">H", self.tables["hmtx"], 4 * index)[0]

    def metrics(self) -> Metrics:
        head, hhea, os2, post = (self.tables[tag] for tag in ("head", "hhea", "OS/2", "post"))
        (units,) = struct.unpack_from(">H", head, 18)
        scale = 1000 / units

        def em(value: float) -> int:
            return round(value * scale)

        glyph_ids = self.cmap()
        widths = {code: round(scale * self.advance(gid) + 0.001) for code, gid in glyph_ids.items()}
        x_min, y_min, x_max, y_max = struct.unpack_from(">hhhh", head, 36)
        ascent, descent = struct.unpack_from(">hh", hhea, 4)
        (version,) = struct.unpack_from(">H", os2, 0)
        cap_height = struct.unpack_from(">h", os2, 88)[0] if version >= 2 and len(os2) >= 90 else ascent
        (weight,) = struct.unpack_from(">H", os2, 4)
        strikeout_size, strikeout_position = struct.unpack_from(">hh", os2, 26)
        italic_whole, italic_fraction, underline_position, underline_thickness, fixed_pitch = struct.unpack_from(
            ">hHhhI", post, 4)
        return Metrics(
            name=re.sub("[ ()]", "", self.full_name()), units_per_em=units, widths=widths, glyph_ids=glyph_ids,
            missing_width=round(scale * self.advance(0)), ascent=em(ascent), descent=em(descent),
            cap_height=em(cap_height), bbox=(em(x_min), em(y_min), em(x_max), em(y_max)),
            italic_angle=italic_whole + italic_fraction / 65536, fixed_pitch=bool(fixed_pitch), weight=weight,
            underline_position=em(underline_position), underline_thickness=em(underline_thickness),
            strikeout_position=em(strikeout_position), strikeout_size=em(strikeout_size),
        )

    def full_name(self) -> str:
        """Name ID 4 (Windows, Unicode) from the `name` table."""
        table = self.tables["name"]
        count, strings = struct.unpack_from(">HH", table, 2)
        for index in range(count):
            platform, _, _, name_id, length, offset = struct.unpack_from(">HHHHHH", table, 6 + 12 * index)
            if name_id == 4 and platform == 3:
                return table[strings + offset:strings + offset + length].decode("utf-16-be")
        return "Font"

    def components(self, gid: int) -> tuple[int, ...]:
        """Glyph ids a composite glyph is built from (directly)."""
        if gid not in self._components:
            glyph = self.glyphs[gid]
            found: list[int] = []
            if len(glyph) >= 10 and struct.unpack_from(">h", glyph, 0)[0] < 0:
                offset = 10
                while True:
                    flags, component = struct.unpack_from(">HH", glyph, offset)
                    found.append(component)
                    offset += 4 + (4 if flags & _ARGS_ARE_WORDS else 2)
                    offset += 8 if flags & _HAVE_TWO_BY_TWO else 4 if flags & _HAVE_XY_SCALE else 2 if flags & _HAVE_SCALE else 0
                    if not flags & _MORE_COMPONENTS:
                        break
            self._components[gid] = tuple(found)
        return self._components[gid]

    def closure(self, gids: Iterable[int]) -> set[int]:
        keep = {0}
        pending = [gid for gid in gids if 0 <= gid < self.glyph_count]
        while pending:
            gid = pending.pop()
            if gid not in keep:
                keep.add(gid)
                pending.extend(self.components(gid))
        return keep

    def subset(self, gids: Iterable[int]) -> bytes:
        """A complete TrueType file with only `gids` (and what they are built from) drawn; ids unchanged."""
        keep = self.closure(gids)
        glyf = bytearray()
        loca = array("I", bytes(4 * (self.glyph_count + 1)))
        hmtx = bytearray(len(self.tables["hmtx"]))
        source_hmtx = self.tables["hmtx"]
        for gid in range(self.glyph_count):
            loca[gid] = len(glyf)
            if gid in keep:
                glyph = self.glyphs[gid]
                glyf += glyph + b"\0" * (-len(glyph) % 4)
                start, size = (4 * gid, 4) if gid < self.metric_count else (
                    4 * self.metric_count + 2 * (gid - self.metric_count), 2)
                hmtx[start:start + size] = source_hmtx[start:start + size]
        loca[self.glyph_count] = len(glyf)
        if array("H", b"\0\1")[0] != 1:
            loca.byteswap()
        head = bytearray(self.tables["head"])
        head[8:12] = b"\0\0\0\0"  # checkSumAdjustment, set below
        head[50:52] = struct.pack(">h", 1)  # long loca offsets
        tables = {**self.tables, "glyf": bytes(glyf), "loca": loca.tobytes(), "hmtx": bytes(hmtx), "head": bytes(head)}
        # A PDF draws the default outlines only: variation and layout tables (variable script fonts) are dead weight
        # and, with glyphs emptied, would describe points that are gone.
        return _assemble({tag: data for tag, data in tables.items() if tag not in _NOT_EMBEDDED})


_NOT_EMBEDDED = frozenset({"fvar", "gvar", "avar", "HVAR", "MVAR", "STAT", "cvar", "GSUB", "GPOS", "GDEF"})


def _assemble(tables: dict[str, bytes]) -> bytes:
    tags = sorted(tables)
    count = len(tags)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(">IHHHH", 0x00010000, count, power * 16, power.bit_length() - 1, count * 16 - power * 16)
    records = bytearray()
    body = bytearray()
    offset = 12 + 16 * count
    head_offset = 0
    for tag in tags:
        data = tables[tag]
        if tag == "head":
            head_offset = offset + len(body)
        records += struct.pack(">4sIII", tag.encode("latin-1"), _checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    font = bytearray(header + records + body)
    adjustment = (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF
    font[head_offset + 8:head_offset + 12] = struct.pack(">I", adjustment)
    return bytes(font)
