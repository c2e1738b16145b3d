# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ObjectScript value semantics.

Values are Python ``str`` (strings), ``int`` / ``decimal.Decimal`` (numbers) and ``SimObject``
(orefs).  Models may also hand in ``float``, ``bool`` or ``None``; they are normalised on use.

* Numbers are decimal, not binary: ``.1+.2`` is ``.3``; the canonical form drops leading zeros
  before the point and trailing zeros after it (``"007"+0`` → ``7``, ``1.0`` → ``1``, ``.5``).
  [inf] precision of 19 significant digits, modelled on IRIS's 64-bit decimal mantissa.
* A string used as a number takes its longest numeric prefix (``"12abc"+1`` → ``13``,
  ``"abc"+0`` → ``0``).
* Strings are sequences of 16-bit character elements, as on a Unicode IRIS instance: a character above
  U+FFFF is held as its UTF-16 surrogate pair, so ``$LENGTH``/``$EXTRACT``/``$ASCII`` count it as two
  characters and the ``$W*`` functions as one (``to_units`` / ``from_units`` below).
* ``$ListBuild`` values are strings in IRIS's list encoding (length byte(s), type byte, data), so
  concatenation and ``$Length`` behave as in IRIS [inf: encoding recollected, not verified].
"""

from __future__ import annotations

import decimal
import re
from bisect import bisect_left, insort
from typing import Any

from iris_sim.errors import IrisError

_CTX = decimal.Context(prec=19, rounding=decimal.ROUND_HALF_EVEN, Emin=-999999, Emax=999999)
_NUM_PREFIX = re.compile(r"[+-]*(?:\d+\.?\d*|\.\d+)(?:E[+-]?\d+)?", re.IGNORECASE)
_SIGNS_ONLY = re.compile(r"[+-]*")
_CANONICAL = re.compile(r"-?(?:[1-9]\d*)?(?:\.\d*[1-9])?\Z")


# ---------------------------------------------------------------------------------------------
# numbers and strings
# ---------------------------------------------------------------------------------------------

def _normalise_decimal(value: decimal.Decimal):
    value = _CTX.plus(value)
    if value == value.to_integral_value():
        return int(value)
    return value


def str_to_num(text: str):
    """Numeric value of a string: its longest numeric prefix, else 0."""
    match = _NUM_PREFIX.match(text)
    if not match:
        return 0
    literal = match.group(0)
    signs = _SIGNS_ONLY.match(literal).group(0)
    body = literal[len(signs):]
    negative = signs.count("-") % 2 == 1
    if re.fullmatch(r"\d+", body):
        number = int(body)
        return -number if negative else number
    try:
        number = _normalise_decimal(decimal.Decimal(body))
    except decimal.InvalidOperation:
        return 0
    return -number if negative else number


def to_num(value: Any):
    """The numeric value (``int`` or ``Decimal``) of any ObjectScript value."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, decimal.Decimal):
        return _normalise_decimal(value)
    if isinstance(value, float):
        return _normalise_decimal(decimal.Decimal(repr(value)))
    if value is None:
        return 0
    if isinstance(value, str):
        return str_to_num(value)
    oref = getattr(value, "oref", None)
    if oref is not None:
        return oref  # [inf] an oref in numeric context gives its integer part
    return str_to_num(str(value))


def num_to_str(number) -> str:
    """Canonical string of a number (``.5``, ``-1.25``, ``7``)."""
    if isinstance(number, int):
        return str(number)
    number = _normalise_decimal(number)
    if isinstance(number, int):
        return str(number)
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.startswith("0."):
        text = text[1:]
    elif text.startswith("-0."):
        text = "-" + text[2:]
    return text


def to_str(value: Any) -> str:
    """The string value of any ObjectScript value."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, (bool, int, float, decimal.Decimal)):
        return num_to_str(to_num(value))
    return str(value)


def to_bool(value: Any) -> bool:
    """Truth value: the number is non-zero."""
    return to_num(value) != 0


def to_int(value: Any) -> int:
    """Integer part (truncated toward zero)."""
    number = to_num(value)
    if isinstance(number, int):
        return number
    return int(number.to_integral_value(rounding=decimal.ROUND_DOWN))


def is_canonical_number(text: str) -> bool:
    """True when ``text`` is a number in canonical form (``"7"``, ``"-.5"``; not ``"07"``, ``"1.0"``)."""
    if text in ("", "-", "."):
        return False
    if text == "0":
        return True
    if text.startswith("-0") or text == "-":
        return False
    return bool(_CANONICAL.match(text)) and text not in ("-", "-.", ".")


def is_number(value: Any) -> bool:
    """True for Python numbers (not strings)."""
    return isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool)


def normalise(value: Any):
    """Map model-supplied Python values to ObjectScript values (``None`` → ``""``, floats → Decimal)."""
    if value is None:
        return ""
    if isinstance(value, (bool, float, decimal.Decimal)):
        return to_num(value)
    return value


# ---------------------------------------------------------------------------------------------
# arithmetic
# ---------------------------------------------------------------------------------------------

def _dec(number) -> decimal.Decimal:
    return number if isinstance(number, decimal.Decimal) else decimal.Decimal(number)


def add(left, right):
    """``left + right``."""
    a, b = to_num(left), to_num(right)
    if isinstance(a, int) and isinstance(b, int):
        return a + b
    return _normalise_decimal(_CTX.add(_dec(a), _dec(b)))


def subtract(left, right):
    """``left - right``."""
    a, b = to_num(left), to_num(right)
    if isinstance(a, int) and isinstance(b, int):
        return a - b
    return _normalise_decimal(_CTX.subtract(_dec(a), _dec(b)))


def mul(left, right):
    """``left * right``."""
    a, b = to_num(left), to_num(right)
    if isinstance(a, int) and isinstance(b, int):
        return a * b
    return _normalise_decimal(_CTX.multiply(_dec(a), _dec(b)))


def div(left, right):
    """``left / right``; zero divisor → ``<DIVIDE>``."""
    a, b = to_num(left), to_num(right)
    if b == 0:
        raise IrisError("DIVIDE")
    if isinstance(a, int) and isinstance(b, int) and a % b == 0:
        return a // b
    return _normalise_decimal(_CTX.divide(_dec(a), _dec(b)))


def int_div(left, right):
    """``left \\ right``: integer division truncated toward zero."""
    a, b = to_num(left), to_num(right)
    if b == 0:
        raise IrisError("DIVIDE")
    quotient = _CTX.divide(_dec(a), _dec(b))
    return int(quotient.to_integral_value(rounding=decimal.ROUND_DOWN))


def modulo(left, right):
    """``left # right``: result takes the sign of the divisor (like Python's ``%``)."""
    a, b = to_num(left), to_num(right)
    if b == 0:
        raise IrisError("DIVIDE")
    if isinstance(a, int) and isinstance(b, int):
        return a % b
    da, db = _dec(a), _dec(b)
    result = da - db * (da / db).to_integral_value(rounding=decimal.ROUND_FLOOR)
    return _normalise_decimal(result)


def power(left, right):
    """``left ** right``."""
    a, b = to_num(left), to_num(right)
    if a == 0 and b < 0:
        raise IrisError("DIVIDE")
    if isinstance(a, int) and isinstance(b, int) and b >= 0:
        return a ** b
    try:
        return _normalise_decimal(_CTX.power(_dec(a), _dec(b)))
    except decimal.InvalidOperation as exc:
        raise IrisError("ILLEGAL VALUE") from exc


def negate(value):
    """Unary ``-``."""
    number = to_num(value)
    return -number if isinstance(number, int) else _normalise_decimal(-number)


# ---------------------------------------------------------------------------------------------
# comparisons
# ---------------------------------------------------------------------------------------------

def equals(left, right) -> bool:
    """``=``: string comparison of the two values (numbers in canonical form)."""
    if not isinstance(left, str) and not isinstance(right, str) and hasattr(left, "oref"):
        return left is right
    return to_str(left) == to_str(right)


def less(left, right) -> bool:
    """``<``: numeric comparison."""
    return to_num(left) < to_num(right)


def greater(left, right) -> bool:
    """``>``: numeric comparison."""
    return to_num(left) > to_num(right)


def follows(left, right) -> bool:
    """``]``: ``left`` follows ``right`` in character-code order."""
    return to_str(left) > to_str(right)


def sorts_after(left, right) -> bool:
    """``]]``: ``left`` sorts after ``right`` in subscript collation."""
    return collation_key(subscript(left)) > collation_key(subscript(right))


def contains(left, right) -> bool:
    """``[``: ``right`` is a substring of ``left``."""
    return to_str(right) in to_str(left)


# ---------------------------------------------------------------------------------------------
# pattern match (?)
# ---------------------------------------------------------------------------------------------

_PATTERN_CLASSES = {
    "N": r"0-9",
    "U": r"A-Z",
    "L": r"a-z",
    "A": r"A-Za-z",
    "P": r" !-/:-@\[-`{-~",
    "C": r"\x00-\x1f\x7f",
    "E": r"\x00-\U0010ffff",
}
_PATTERN_TOKEN = re.compile(r'(\d*)(\.?)(\d*)(?:([ACELNPU]+)|"((?:[^"]|"")*)"|(\())', re.IGNORECASE)


def _count_regex(low: str, dot: str, high: str) -> str:
    if not dot:
        return "{%d}" % int(low)
    lo = int(low) if low else 0
    return "{%d,%s}" % (lo, high if high else "")


def _pattern_to_regex(pattern: str, pos: int = 0, stop_on_paren: bool = False):
    parts: list[str] = []
    alternatives: list[str] = []
    while pos < len(pattern):
        char = pattern[pos]
        if stop_on_paren and char == ",":
            alternatives.append("".join(parts))
            parts = []
            pos += 1
            continue
        if stop_on_paren and char == ")":
            alternatives.append("".join(parts))
            return "(?:" + "|".join(alternatives) + ")", pos + 1
        match = _PATTERN_TOKEN.match(pattern, pos)
        if not match or not (match.group(1) or match.group(2)):
            raise IrisError("SYNTAX")
        low, dot, high, codes, literal, paren = match.groups()
        count = _count_regex(low, dot, high)
        pos = match.end()
        if codes is not None:
            ranges = "".join(_PATTERN_CLASSES[c] for c in sorted(set(codes.upper())))
            parts.append(f"[{ranges}]{count}")
        elif literal is not None:
            parts.append(f"(?:{re.escape(literal.replace(chr(34) * 2, chr(34)))}){count}")
        elif paren:
            group, pos = _pattern_to_regex(pattern, pos, stop_on_paren=True)
            parts.append(f"{group}{count}")
    if stop_on_paren:
        raise IrisError("SYNTAX")
    return "".join(parts), pos


_PATTERN_CACHE: dict[str, re.Pattern] = {}


def pattern_match(value, pattern: str) -> bool:
    """``value?pattern`` with codes A C E L N P U, counts ``n``, ``n.m``, ``.m``, ``n.``, ``.``,
    string literals and alternations ``(p1,p2)``."""
    compiled = _PATTERN_CACHE.get(pattern)
    if compiled is None:
        regex = _pattern_to_regex(pattern)[0]
        compiled = re.compile(regex + r"\Z", re.DOTALL)
        _PATTERN_CACHE[pattern] = compiled
    return compiled.match(to_str(value)) is not None


# ---------------------------------------------------------------------------------------------
# subscripts and local variable trees
# ---------------------------------------------------------------------------------------------

def subscript(value):
    """Normalise a subscript: canonical numeric strings become numbers."""
    if isinstance(value, str):
        if is_canonical_number(value):
            return to_num(value)
        return value
    if is_number(value) or isinstance(value, bool):
        return to_num(value)
    return to_str(value)


def collation_key(sub):
    """ObjectScript subscript order: canonical numbers (numerically) before strings."""
    if isinstance(sub, str):
        return (1, 0, sub)
    return (0, sub, "")


class Node:
    """One local variable (or a subtree of one): a value and subscripted children."""

    __slots__ = ("value", "children", "keys")

    def __init__(self):
        self.value = None
        self.children: dict[Any, Node] = {}
        self.keys: list = []

    def child_node(self, sub, create: bool):
        node = self.children.get(sub)
        if node is None and create:
            node = Node()
            self.children[sub] = node
            insort(self.keys, collation_key(sub))
        return node

    def walk(self, subs, create: bool):
        node = self
        for raw in subs:
            sub = subscript(raw)
            if sub == "":
                raise IrisError("SUBSCRIPT")
            node = node.child_node(sub, create)
            if node is None:
                return None
        return node

    def subscripts(self) -> list:
        """The child subscripts in collation order."""
        return [key_value(key) for key in self.keys]

    def is_empty(self) -> bool:
        """True when neither a value nor children exist ($Data = 0)."""
        return self.value is None and not self.children

    def get(self, subs=()):
        """Value at ``subs`` or ``None``."""
        node = self.walk(subs, False)
        return None if node is None else node.value

    def set(self, subs, value):
        """Set the value at ``subs``."""
        self.walk(subs, True).value = normalise(value)

    def data(self, subs=()) -> int:
        """``$Data``: 0, 1, 10, 11."""
        node = self.walk(subs, False)
        if node is None:
            return 0
        return (1 if node.value is not None else 0) + (10 if node.children else 0)

    def kill(self, subs=()):
        """Remove the value and descendants at ``subs``; prune emptied ancestors."""
        subs = [subscript(s) for s in subs]
        if not subs:
            self.value = None
            self.children.clear()
            self.keys.clear()
            return
        path = [self]
        for sub in subs:
            node = path[-1].children.get(sub)
            if node is None:
                return
            path.append(node)
        for depth in range(len(subs), 0, -1):
            parent, sub = path[depth - 1], subs[depth - 1]
            if depth == len(subs) or path[depth].is_empty():
                parent.remove_child(sub)
            if not parent.is_empty() or depth == 1:
                break

    def remove_child(self, sub):
        if self.children.pop(sub, None) is not None:
            key = collation_key(sub)
            index = bisect_left(self.keys, key)
            if index < len(self.keys) and self.keys[index] == key:
                del self.keys[index]

    def order(self, subs, direction: int = 1):
        """``$Order``: the sibling subscript after (``direction`` 1) or before (-1) the last of ``subs``."""
        if not subs:
            raise IrisError("SUBSCRIPT")
        parent = self.walk(subs[:-1], False)
        if parent is None or not parent.keys:
            return ""
        last = subscript(subs[-1])
        keys = parent.keys
        if direction >= 0:
            if last == "":
                index = 0
            else:
                key = collation_key(last)
                index = bisect_left(keys, key)
                if index < len(keys) and keys[index] == key:
                    index += 1
            return key_value(keys[index]) if index < len(keys) else ""
        if last == "":
            return key_value(keys[-1])
        index = bisect_left(keys, collation_key(last)) - 1
        return key_value(keys[index]) if index >= 0 else ""


def key_value(key):
    """The subscript stored under a ``Node.keys`` entry (a collation key)."""
    kind, number, text = key
    return text if kind == 1 else number


_key_value = key_value  # kept for existing callers (storage.py)


# ---------------------------------------------------------------------------------------------
# $ListBuild encoding
# ---------------------------------------------------------------------------------------------
# Element = length prefix + type byte + payload.  Length prefix: one char when the element is
# shorter than 255, else chr(0) + 2-byte little-endian length (or chr(0)*3 + 4 bytes).  Types:
# 1 8-bit string, 2 UTF-16LE string, 4 positive integer, 5 negative integer, 6 positive decimal,
# 7 negative decimal.  An undefined element is chr(1) (no type).  [inf] layout recollected from
# public descriptions of IRIS's $LIST format; only internal consistency matters here.

_UNDEFINED_ELEMENT = "\x01"


def _int_bytes(number: int) -> str:
    if number == 0:
        return ""
    raw = number.to_bytes((number.bit_length() + 7) // 8, "little")
    return raw.decode("latin-1")


def _encode_element(value) -> str:
    if value is None:
        return _UNDEFINED_ELEMENT
    if is_number(value):
        number = to_num(value)
        if isinstance(number, int):
            kind = 4 if number >= 0 else 5
            payload = _int_bytes(abs(number))
        else:
            sign, digits, exponent = number.as_tuple()
            mantissa = int("".join(str(d) for d in digits))
            kind = 7 if sign else 6
            payload = chr(exponent & 0xFF) + _int_bytes(mantissa)
        body = chr(kind) + payload
    else:
        text = to_str(value)
        if all(ord(c) < 256 for c in text):
            body = "\x01" + text
        else:
            body = "\x02" + text.encode("utf-16-le", "surrogatepass").decode("latin-1")  # elements, pairs kept
    return _length_prefix(len(body)) + body


def _length_prefix(body_len: int) -> str:
    if body_len + 1 < 256:
        return chr(body_len + 1)
    if body_len + 3 < 65536:
        return "\x00" + (body_len + 3).to_bytes(2, "little").decode("latin-1")
    return "\x00\x00\x00" + (body_len + 7).to_bytes(4, "little").decode("latin-1")


# -- strings: 16-bit character elements ----------------------------------------------------------
# On a Unicode instance an IRIS string is a sequence of 16-bit character elements; a character above U+FFFF is a
# surrogate pair (high D800-DBFF, low DC00-DFFF).  "The $WLENGTH function counts a surrogate pair as a single
# character. The $LENGTH function counts a surrogate pair as two characters."  InterSystems ObjectScript reference,
# $WLENGTH: https://docs.intersystems.com/irislatest/csp/docbook/DocBook.UI.Page.cls?KEY=RCOS_fwlength (also
# RCOS_fwchar, RCOS_fwascii, RCOS_fwiswide; $CHAR RCOS_fchar: "Values larger than 65535 return an empty string").
# The simulator keeps every string in that form: text that enters from outside (program source, JSON text) goes
# through ``to_units``; text that leaves for the terminal goes through ``from_units``.
HIGH_SURROGATES = (0xD800, 0xDBFF)
LOW_SURROGATES = (0xDC00, 0xDFFF)


def to_units(text: str) -> str:
    """``text`` with every character above U+FFFF replaced by its surrogate pair (two elements)."""
    if not text or max(text) <= "\uffff":
        return text
    out = []
    for char in text:
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            out.append(chr(0xD800 + (code >> 10)) + chr(0xDC00 + (code & 0x3FF)))
        else:
            out.append(char)
    return "".join(out)


def is_pair(text: str, index: int) -> bool:
    """True if ``text[index]`` and ``text[index + 1]`` are a surrogate pair (high then low)."""
    return (index + 1 < len(text) and HIGH_SURROGATES[0] <= ord(text[index]) <= HIGH_SURROGATES[1]
            and LOW_SURROGATES[0] <= ord(text[index + 1]) <= LOW_SURROGATES[1])


def wide_chars(text: str) -> list:
    """``text`` split into characters as the ``$W*`` functions see them: a surrogate pair is one character."""
    chars = []
    index = 0
    while index < len(text):
        step = 2 if is_pair(text, index) else 1
        chars.append(text[index:index + step])
        index += step
    return chars


def wide_code(char: str) -> int:
    """The code point of one ``wide_chars`` element (a pair -> its character above U+FFFF)."""
    if len(char) == 2:
        return 0x10000 + ((ord(char[0]) - 0xD800) << 10) + (ord(char[1]) - 0xDC00)
    return ord(char)


def from_units(text: str) -> str:
    """Text for the UTF-8 terminal: surrogate pairs joined into their character.

    The terminal's output translation is UTF-8 [inf: the collection reads session output as UTF-8; the NLS table of
    a container's terminal is not sourced].  What IRIS writes for a lone surrogate (half a pair) is not sourced
    either: the simulator fails loudly instead of guessing.
    """
    if not text or max(text) < "\ud800":
        return text
    out = []
    for char in wide_chars(text):
        if len(char) == 1 and 0xD800 <= ord(char) <= 0xDFFF:
            raise IrisError("WRITE", "a lone surrogate $CHAR(%d): its output is not modelled by the simulator" % ord(char))
        out.append(chr(wide_code(char)))
    return "".join(out)


def list_build(items) -> str:
    """``$ListBuild(items...)``; ``None`` items are undefined elements."""
    return "".join(_encode_element(item) for item in items)


def _decode_payload(kind: int, payload: str):
    if kind == 1:
        return payload
    if kind == 2:
        return to_units(payload.encode("latin-1").decode("utf-16-le", "surrogatepass"))
    if kind in (4, 5):
        number = int.from_bytes(payload.encode("latin-1"), "little")
        return -number if kind == 5 else number
    if kind in (6, 7):
        exponent = ord(payload[0])
        exponent = exponent - 256 if exponent > 127 else exponent
        mantissa = int.from_bytes(payload[1:].encode("latin-1"), "little")
        number = _normalise_decimal(decimal.Decimal(mantissa).scaleb(exponent))
        return negate(number) if kind == 7 else number
    raise IrisError("LIST")


def list_elements(text: str):
    """Decode a list string into elements (``None`` for undefined ones); bad format → ``<LIST>``."""
    text = to_str(text)
    items = []
    pos = 0
    while pos < len(text):
        length = ord(text[pos])
        header = 1
        if length == 0:
            if text[pos + 1:pos + 3] == "\x00\x00":
                length = int.from_bytes(text[pos + 3:pos + 7].encode("latin-1"), "little")
                header = 7
            else:
                length = int.from_bytes(text[pos + 1:pos + 3].encode("latin-1"), "little")
                header = 3
        if length < header or pos + length > len(text) or length > 0x10FFFF:
            raise IrisError("LIST")
        if length == header:
            items.append(None)
        else:
            kind = ord(text[pos + header])
            items.append(_decode_payload(kind, text[pos + header + 1:pos + length]))
        pos += length
    return items


def list_items(text: str):
    """Like ``list_elements`` but undefined elements read as ``""``."""
    return ["" if item is None else item for item in list_elements(text)]


def is_list(text) -> bool:
    """``$ListValid``."""
    try:
        list_elements(to_str(text))
    except (IrisError, UnicodeDecodeError, IndexError):
        return False
    return True
