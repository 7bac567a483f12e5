"""AWS CUR tags and CUR 2.0 MAP columns as JSON text.

Legacy CURs write one column per tag (`resourceTags/user:Team`), Athena's Parquet one per tag in
snake case (`resource_tags_user_team`), CUR 2.0 one MAP column (`resource_tags`; JSON text in its
CSV). All become one JSON object per row, keys as aws_cur.py's docstring says.
"""

from __future__ import annotations

import json
import re

import pyarrow as pa
import pyarrow.compute as pc

from ingestion.formats.values import BadValue


def nonempty_text(arr: pa.Array) -> pa.Array:
    """Strings, with empty cells as NULL (Parquet keeps '' where CSV reading gives NULL)."""
    if not pa.types.is_string(arr.type):
        arr = arr.cast(pa.string())
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def flat_tag_key(raw: str) -> str | None:
    """`resourceTags/user:Team` -> `user:Team`; `resource_tags_user_team` -> `user:team`."""
    lowered = raw.lower()
    if lowered.startswith("resourcetags/"):
        return raw[len("resourceTags/") :] or None
    if lowered.startswith("resource_tags_"):
        return _athena_tag_key(raw[len("resource_tags_") :]) or None
    return None


def _athena_tag_key(key: str) -> str:
    return re.sub(r"^(user|aws)_", r"\1:", key)


def map_tags(arr: pa.Array, column: str) -> pa.Array:
    """CUR 2.0 tags, a MAP or its JSON text: per row, the one place that needs Python. A cell
    that is not a JSON object raises BadValue at its index, naming `column`."""
    if pa.types.is_map(arr.type):
        rows = arr.to_pylist()
    else:
        texts = nonempty_text(arr).to_pylist()
        rows = [_json_pairs(text, i, column) for i, text in enumerate(texts)]
    out = []
    for pairs in rows:
        tags = {_athena_tag_key(k): v for k, v in pairs or () if v not in (None, "")}
        out.append(json.dumps(tags, ensure_ascii=False) if tags else None)
    return pa.array(out, pa.string())


def _json_pairs(text: str | None, index: int, column: str) -> list[tuple[str, object]]:
    if text is None:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise BadValue(index, f"{text[:60]!r} is not a JSON object", column)
    return list(value.items())


def _json_escape(text: pa.Array) -> pa.Array:
    """JSON string content; AWS tag values allow letters, digits, spaces and `_.:/=+-@`, so
    quotes, backslashes and the whitespace escapes are all that can need escaping."""
    if not pc.any(pc.match_substring_regex(text, r'[\\"\n\r\t]')).as_py():
        return text
    for char, escaped in (
        ("\\", "\\\\"),
        ('"', '\\"'),
        ("\n", "\\n"),
        ("\r", "\\r"),
        ("\t", "\\t"),
    ):
        text = pc.replace_substring(text, char, escaped)
    return text


def flat_tags(columns: list[tuple[str, pa.Array]]) -> pa.Array:
    """One JSON object per row from one column per tag, without a Python loop over rows."""
    parts = []
    for key, arr in columns:
        value = _json_escape(nonempty_text(arr))
        part = pc.binary_join_element_wise(json.dumps(key) + ':"', value, '",', "")
        parts.append(pc.fill_null(part, ""))
    body = pc.utf8_rtrim(pc.binary_join_element_wise(*parts, ""), characters=",")
    wrapped = pc.binary_join_element_wise("{", body, "}", "")
    return pc.if_else(pc.equal(body, ""), pa.scalar(None, pa.string()), wrapped)


def json_field(text: pa.Array, key: str) -> pa.Array:
    """One string field of a JSON object held as text (CUR 2.0 CSV `product`), by regex; the
    rare value with escapes is decoded by json on its own."""
    pattern = rf'"{re.escape(key)}"\s*:\s*"(?P<v>(?:[^"\\]|\\.)*)"'
    values = pc.struct_field(pc.extract_regex(text, pattern), "v")
    if pc.any(pc.match_substring(values, "\\")).as_py():
        values = pa.array(
            [json.loads(f'"{v}"') if v and "\\" in v else v for v in values.to_pylist()],
            pa.string(),
        )
    return nonempty_text(values)
