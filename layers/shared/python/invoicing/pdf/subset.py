"""TrueType subsetting on raw bytes: the font program embedded in each PDF, cut in well under a millisecond.

fpdf2 runs fontTools' subsetter at `output()`, which costs about 7 ms per font and rewrites the parsed font
in place (so a parsed font cannot be shared between documents). Here the font file is split into tables
and glyphs once per process; a subset keeps every glyph id (unused glyphs become empty, as PDF's
CIDToGIDMap addresses glyphs by their original id) and copies the other tables unchanged. The fonts are
pre-subset and unhinted at build time (fonts/README.md), so no instructions or layout tables are involved.
"""

from __future__ import annotations

import struct
from array import array
from collections.abc import Iterable

# Composite glyph flags (OpenType `glyf` table).
_ARGS_ARE_WORDS = 0x0001
_HAVE_SCALE = 0x0008
_MORE_COMPONENTS = 0x0020
_HAVE_XY_SCALE = 0x0040
_HAVE_TWO_BY_TWO = 0x0080


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


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
        return _assemble(tables)


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
