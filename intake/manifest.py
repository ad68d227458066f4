"""Reading ``application.yaml`` the way people write it by hand.

Every scalar is taken as the text written, quoted or not: a credit code
``914201007483062457``, a contract number ``0012``, a filing number ``1e5`` or a date-like
``2024-05-01`` stay exactly those characters, and no impossible date or odd number can make
the YAML loader itself fail. Only an empty value (or ``null``, ``~``) is None. The manifest
model (model/) then reads its typed fields from that text: amounts exactly as
``Decimal`` (``96000000``, ``96000000.00``, ``96,000,000.00``), counts as ``int``, dates
(YYYY-MM-DD) as ``date``, the direction as ``Direction``.

Every problem raises :class:`ManifestError` whose message is Chinese and self-contained: it
names the key as the file writes it, list items counted from 1 (``contracts[1].amount`` is
the first contract's amount), says what is wrong and quotes the value; several problems are
joined with "；".
"""


from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import yaml
from pydantic import (
    BeforeValidator,
    ValidationError,
    field_validator,
)
from pydantic import Field as PydField
from pydantic_core import ErrorDetails, PydanticCustomError

from model.base import Direction, Money, Strict
from model.document import Party

# --- the manifest (application.yaml) ----------------------------------------------------
#
# application.yaml is written by hand and its loader (intake/manifest.py) hands over every
# scalar as the text written, so the declared fields below read text as well as the typed
# values Python callers pass. Their own errors are PydanticCustomError types starting with
# MANIFEST_ERROR_PREFIX, each message the Chinese phrase that follows the key.

MANIFEST_ERROR_PREFIX = "manifest_"

_GROUPED = r"\d{1,3}(?:,\d{3})+"  # 96,000,000
_PLAIN = r"\d+(?:_\d+)*"  # 96000000, or 96_000_000 as YAML allows
_AMOUNT_TEXT = re.compile(rf"([+-]?)((?:{_GROUPED}|{_PLAIN})(?:\.\d+)?)")
_COUNT_TEXT = re.compile(rf"([+-]?)({_GROUPED}|{_PLAIN})")
_FRACTION_TEXT = re.compile(rf"[+-]?(?:{_GROUPED}|{_PLAIN})\.\d+")
_DATE_TEXT = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SHOWN_MAX = 60
_SHOWN_BITS = 1000  # past this an int is not worth printing (and str() may refuse it)
_AMOUNT_LIMIT = Decimal(10) ** 15  # yuan: far above any contract, well inside Decimal's precision
_COUNT_LIMIT = 10**18


def kind_of(value: object) -> str:
    """What a value is, in the words of a message: 文本, 数字, 键值映射 …"""
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return "布尔值"
    if isinstance(value, int | float | Decimal):
        return "数字"
    if isinstance(value, date):
        return "日期"
    if isinstance(value, str):
        return "文本"
    if isinstance(value, dict):
        return "键值映射"
    if isinstance(value, list | tuple):
        return "列表"
    return "无法识别的值"


def shown(value: object) -> str:
    """A value as a message quotes it: text as written (cut short), numbers and dates plainly,
    a mapping or a list by its kind only."""
    if isinstance(value, Decimal):
        text = f"{value:f}" if value.is_finite() else str(value)
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int) and value.bit_length() > _SHOWN_BITS:
        text = "（位数过多的数字）"
    elif isinstance(value, str | int | float):
        text = str(value)
    else:
        return kind_of(value)
    return text if len(text) <= _SHOWN_MAX else text[:_SHOWN_MAX] + "…"


def _refused(kind: str, phrase: str, value: object) -> PydanticCustomError:
    """The error for a declared value: empty, of the wrong shape, or ``phrase`` (which may
    quote the value as ``{value}``)."""
    if value is None:
        return PydanticCustomError(MANIFEST_ERROR_PREFIX + "empty", "未填写")
    if isinstance(value, dict | list | tuple):
        return PydanticCustomError(MANIFEST_ERROR_PREFIX + "shape", "应为单个值，实为 {kind}",
                                   {"kind": kind_of(value)})
    return PydanticCustomError(MANIFEST_ERROR_PREFIX + kind, phrase, {"value": shown(value)})


def _amount_of(value: object) -> Decimal:
    """An amount as declared, exactly: a finite Decimal or an int as given, text such as
    ``96000000``, ``96000000.00`` or ``96,000,000.00``; never through a float."""
    if isinstance(value, Decimal) and value.is_finite():
        amount = value
    elif isinstance(value, int) and not isinstance(value, bool):
        amount = Decimal(value)
    elif isinstance(value, str) and (m := _AMOUNT_TEXT.fullmatch(value.strip())):
        amount = Decimal(m[1] + m[2].replace(",", "").replace("_", ""))
    else:
        raise _refused("amount", "不是有效金额：{value}（应为数字，如 96000000.00）", value)
    _within(amount, _AMOUNT_LIMIT, "金额过大：{value}", value)
    if _below_fen(amount):
        raise _refused("fen", "最多两位小数（精确到分）：{value}", value)
    return amount


def _below_fen(amount: Decimal) -> bool:
    """Whether ``amount`` has non-zero digits after the second decimal place."""
    parts = amount.as_tuple()
    extra = -2 - parts.exponent if isinstance(parts.exponent, int) else 0
    return extra > 0 and any(parts.digits[-extra:])


def _declared_amount(value: object) -> Decimal:
    return _amount_of(value)


def _positive_amount(value: object) -> Decimal:
    amount = _amount_of(value)
    if amount == 0:
        raise _refused("zero", "应大于零：{value}", value)
    return amount


def _declared_count(value: object) -> int:
    """A count as declared: an int, or text such as ``1200000000000`` or
    ``1,200,000,000,000``; no fractions, no negatives."""
    if isinstance(value, int) and not isinstance(value, bool):
        count = value
    elif isinstance(value, str) and (m := _COUNT_TEXT.fullmatch(value.strip())):
        digits = m[2].replace(",", "").replace("_", "").lstrip("0") or "0"
        if len(digits) > len(str(_COUNT_LIMIT)):
            raise _refused("too_large", "数值过大：{value}", value)
        count = int(m[1] + digits)
    elif isinstance(value, str) and _FRACTION_TEXT.fullmatch(value.strip()):
        raise _refused("fraction", "应为整数，不能有小数：{value}", value)
    else:
        raise _refused("count", "不是有效整数：{value}（应为整数，如 1200000000000）", value)
    _within(count, _COUNT_LIMIT, "数值过大：{value}", value)
    return count


def _within(number: Decimal | int, limit: Decimal | int, too_large: str, value: object) -> None:
    """Refuse a declared number below zero or at ``limit`` and above, naming ``value``."""
    if number < 0:
        raise _refused("negative", "不能为负数：{value}", value)
    if number >= limit:
        raise _refused("too_large", too_large, value)


def _declared_date(value: object) -> date:
    """A date as declared: a ``date``, or text YYYY-MM-DD (month and day may be one digit)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and (m := _DATE_TEXT.fullmatch(value.strip())):
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    raise _refused("date", "不是有效日期：{value}（应为 YYYY-MM-DD，如 2025-07-15）", value)


def _one_or_other(words: list[str]) -> str:
    return "、".join(words[:-1]) + " 或 " + words[-1] if len(words) > 1 else "".join(words)


_DIRECTIONS = _one_or_other([d.value for d in Direction])


def _declared_direction(value: object) -> Direction:
    if isinstance(value, Direction):
        return value
    if isinstance(value, str) and value.strip() in {d.value for d in Direction}:
        return Direction(value.strip())
    raise _refused("direction", f"不是可选的方向：{{value}}（应为 {_DIRECTIONS} 之一）", value)


DeclaredMoney = Annotated[Money, BeforeValidator(_declared_amount)]
"""A declared amount of CNY yuan, zero or more, read exactly (see ``_amount_of``)."""

PositiveMoney = Annotated[Money, BeforeValidator(_positive_amount)]
"""A declared amount of CNY yuan, more than zero."""

Count = Annotated[int, BeforeValidator(_declared_count)]
"""A declared count (tokens a day, companies, users), zero or more."""

DeclaredDate = Annotated[date, BeforeValidator(_declared_date)]
DeclaredDirection = Annotated[Direction, BeforeValidator(_declared_direction)]


class Applicant(Party):
    """The applicant as the manifest declares it: the name and the unified social credit
    code are both required."""

    name: str = PydField(min_length=1)
    uscc: str = PydField(min_length=1)


class DeclaredContract(Strict):
    contract_no: str = PydField(min_length=1)
    supplier: str = PydField(min_length=1)
    amount: PositiveMoney = PydField(gt=0)
    other_subsidies: DeclaredMoney = PydField(default=Decimal("0"), ge=0)


class MaasDeclaration(Strict):
    daily_tokens: Count = PydField(ge=0)
    served_companies: Count = PydField(ge=0)


class AgentDeclaration(Strict):
    filing_no: str = PydField(min_length=1)
    daily_active_users: Count = PydField(ge=0)


_APPLICATION_ID = re.compile(r"[^/\\\x00-\x1f\x7f<>:\"|?*]{1,100}")
"""What a folder name may hold on every system a reviewer may copy the outputs to."""


class Manifest(Strict):
    """The declared form data of one application."""

    application_id: str | None = None
    applicant: Applicant
    direction: DeclaredDirection
    application_date: DeclaredDate
    contracts: list[DeclaredContract] = PydField(min_length=1)
    maas: MaasDeclaration | None = None
    agent: AgentDeclaration | None = None

    @field_validator("application_id")
    @classmethod
    def _id_names_a_folder(cls, value: str | None) -> str | None:
        """An id names the report's folder: no path, no control characters, not hidden."""
        if value is not None and (not _APPLICATION_ID.fullmatch(value) or value.startswith(".")):
            raise PydanticCustomError(MANIFEST_ERROR_PREFIX + "id",
                                      "只能由文字、数字和 - _ 等符号组成（不含 / \\ 等路径符号，不以 . 开头，"
                                      "至多 100 个字符）：{value}", {"value": shown(value)})
        return value

    @field_validator("applicant", mode="before")
    @classmethod
    def _party_as_applicant(cls, value: Any) -> Any:
        """A plain Party (a caller's, not the file's) is checked as an applicant."""
        if isinstance(value, Party) and not isinstance(value, Applicant):
            return value.model_dump()
        return value




MANIFEST_NAME = "application.yaml"
SUBJECT = "申报表"
MAX_PROBLEMS = 20
"""More problems than this are summed up as a count: the message stays readable."""


class ManifestError(ValueError):
    """application.yaml is missing, unparsable or fails its schema; the message says where."""


# --- loading: every scalar as written ---------------------------------------------------


class _DuplicateKey(yaml.constructor.ConstructorError):
    """A mapping that names the same key twice (YAML itself would keep the last silently)."""

    def __init__(self, key: str, mark: yaml.Mark | None) -> None:
        super().__init__(None, None, f"duplicate key {key!r}", mark)
        self.key = key


class _TextLoader(yaml.SafeLoader):
    """A safe loader that keeps every scalar as the text written: no ints, floats, booleans
    or timestamps are resolved, so nothing is lost to a number and nothing can crash on an
    impossible date; null stays None. A key written twice in one mapping is an error."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        _refuse_duplicate_keys(node)
        return super().construct_mapping(node, deep=deep)


def _as_written(loader: _TextLoader, node: yaml.ScalarNode) -> str:
    return loader.construct_scalar(node)


for _tag in ("bool", "int", "float", "timestamp"):
    _TextLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _as_written)

_MERGE_TAG = "tag:yaml.org,2002:merge"


def _refuse_duplicate_keys(node: yaml.MappingNode) -> None:
    """Raise on a scalar key written twice among ``node``'s own keys (merged ones may repeat)."""
    seen: set[str] = set()
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
            continue
        if key_node.value in seen:
            raise _DuplicateKey(key_node.value, key_node.start_mark)
        seen.add(key_node.value)


def _load(text: str) -> Any:
    """The YAML in ``text``, every scalar as written; ManifestError (in Chinese) if it is not YAML."""
    try:
        return yaml.load(text, Loader=_TextLoader)
    except yaml.MarkedYAMLError as exc:
        raise ManifestError(_yaml_problem(text, exc)) from exc
    except yaml.reader.ReaderError as exc:
        where = _position(text, exc.position)
        raise ManifestError(f"{SUBJECT}不是有效的 YAML（{where}）：含有不允许的控制字符") from exc
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise ManifestError(f"{SUBJECT}不是有效的 YAML：内容无法解读（嵌套过深或写法无法识别）") from exc


# --- YAML syntax errors, in Chinese -----------------------------------------------------

_YAML_REASONS: tuple[tuple[str, str], ...] = (
    ("'\\t'", "含有制表符（缩进只能用空格）"),
    ("that cannot start any token", "出现了不能放在开头的字符 {char}（以 @、`、% 等开头的值请加引号）"),
    ("mapping values are not allowed", "这里不能出现“键: 值”（缩进不对，或值中含“: ”时需加引号）"),
    ("could not find expected ':'", "缺少冒号“:”"),
    ("undefined alias", "引用了未定义的锚点（*）"),
    ("duplicate anchor", "锚点（&）重复"),
    ("another document", "含有多个文档（---），只能有一个"),
    ("could not determine a constructor", "使用了不支持的标签（!）"),
    ("unknown escape character", "双引号中有无法识别的转义字符（含反斜杠的文本请用单引号）"),
    ("unexpected end of stream", "文件意外结束（引号或括号没有闭合）"),
    ("expected ',' or", "方括号或花括号没有闭合"),
    ("unhashable key", "含有不能作为键的项"),
    ("for merging", "合并（<<）的不是键值映射"),
    ("expected <block end>", "缩进不一致或层级有误"),
    ("did not find expected", "缩进不一致或层级有误"),
)
_FULL_WIDTH_KEY = re.compile(r"^[ \t]*(?:-[ \t]+)?[^\s:：#'\"][^:：#\n]*：", re.MULTILINE)


def _yaml_problem(text: str, exc: yaml.MarkedYAMLError) -> str:
    """A YAML syntax error as a reviewer reads it: where, and what is wrong, in Chinese."""
    mark = exc.problem_mark or exc.context_mark
    where = f"（第 {mark.line + 1} 行第 {mark.column + 1} 列）" if mark is not None else ""
    return f"{SUBJECT}不是有效的 YAML{where}：{_yaml_reason(exc)}{_full_width_hint(text)}"


def _yaml_reason(exc: yaml.MarkedYAMLError) -> str:
    if isinstance(exc, _DuplicateKey):
        return f"“{exc.key}”在同一层出现了不止一次"
    said = f"{exc.problem or ''} {exc.context or ''}"
    for needle, reason in _YAML_REASONS:
        if needle in said:
            char = re.search(r"found character '(.+?)'", said)
            return reason.format(char=char[1] if char else "")
    return "格式有误（请检查缩进、冒号和引号）"


def _full_width_hint(text: str) -> str:
    """A hint when a key is followed by the full-width colon that Chinese input methods type."""
    found = _FULL_WIDTH_KEY.search(text)
    if found is None:
        return ""
    line = text.count("\n", 0, found.start()) + 1
    return f"；第 {line} 行的冒号是中文全角“：”，应为英文“:”（其后加空格）"


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"第 {line} 行第 {column} 列"


# --- schema errors, in Chinese ----------------------------------------------------------


def key_of(loc: Sequence[int | str]) -> str:
    """A pydantic location in the file's own words, list items counted from 1:
    ``("contracts", 0, "amount")`` → ``contracts[1].amount``."""
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part + 1}]"
        else:
            key += f".{part}" if key else str(part)
    return key


def _was(value: object) -> str:
    """What a wrong value was: its kind, and for a single value the value itself."""
    kind = kind_of(value)
    return kind if isinstance(value, dict | list | tuple) or value is None else f"{kind}：{shown(value)}"


def _bound(ctx: dict[str, Any], name: str) -> str:
    return shown(ctx.get(name))


def _phrase(item: ErrorDetails) -> str | None:
    """The Chinese for one of pydantic's own error types, after the key; None if unknown."""
    kind, value, ctx = item["type"], item.get("input"), item.get("ctx") or {}
    phrases: dict[str, str] = {
        "string_type": f"应为文本，实为 {_was(value)}",
        "string_too_short": "不能为空",
        "model_type": f"应为键值映射，实为 {_was(value)}",
        "model_attributes_type": f"应为键值映射，实为 {_was(value)}",
        "dict_type": f"应为键值映射，实为 {_was(value)}",
        "list_type": f"应为列表，实为 {_was(value)}",
        "too_short": f"至少应有 {_bound(ctx, 'min_length')} 项",
        "too_long": f"至多只能有 {_bound(ctx, 'max_length')} 项",
        "greater_than": f"应大于 {_bound(ctx, 'gt')}：{shown(value)}",
        "greater_than_equal": (f"不能为负数：{shown(value)}" if _bound(ctx, "ge") == "0"
                               else f"应不小于 {_bound(ctx, 'ge')}：{shown(value)}"),
        "less_than": f"应小于 {_bound(ctx, 'lt')}：{shown(value)}",
        "less_than_equal": f"应不大于 {_bound(ctx, 'le')}：{shown(value)}",
        "decimal_max_places": f"最多 {_bound(ctx, 'decimal_places')} 位小数：{shown(value)}",
        "enum": f"不是可选的值：{shown(value)}",
    }
    if kind in phrases:
        return phrases[kind]
    if kind.startswith(("int_", "float_", "decimal_")):
        return f"不是有效数字：{shown(value)}"
    if kind.startswith(("date_", "datetime_")):
        return f"不是有效日期：{shown(value)}（应为 YYYY-MM-DD，如 2025-07-15）"
    return None


def problem_of(item: ErrorDetails) -> str:
    """One schema error as a Chinese sentence naming the key: ``申报表缺少 applicant.uscc``."""
    key, kind, value = key_of(item["loc"]), item["type"], item.get("input")
    subject = f"{SUBJECT} {key}" if key else SUBJECT
    if kind == "missing":
        return f"{SUBJECT}缺少 {key}"
    if kind == "extra_forbidden":
        return f"{SUBJECT}中有未知的项 {key}"
    if kind == "invalid_key":
        return f"{SUBJECT}中有无效的项名：{shown(value) if value is not None else '（空）'}"
    if kind.startswith(MANIFEST_ERROR_PREFIX):
        return f"{subject} {item['msg']}"
    if value is None:
        return f"{subject} 未填写"
    phrase = _phrase(item)
    if phrase is None:
        return f"{subject} 填写有误（{_was(value)}）"
    return f"{subject} {phrase}"


def manifest_problems(error: ValidationError) -> str:
    """Every schema error of a manifest, each a Chinese sentence naming its key, joined by
    "；"; past MAX_PROBLEMS the rest are counted, not listed."""
    problems = list(dict.fromkeys(problem_of(item) for item in error.errors()))
    shown_problems = problems[:MAX_PROBLEMS]
    if len(problems) > MAX_PROBLEMS:
        shown_problems.append(f"另有 {len(problems) - MAX_PROBLEMS} 处问题未列出")
    return "；".join(shown_problems)


# --- the manifest -----------------------------------------------------------------------


def _not_a_mapping(data: object, text: str) -> str:
    if data is None:
        return f"{SUBJECT}是空的：应填写 applicant、direction、application_date、contracts 等项"
    return f"{SUBJECT}应为“项: 值”形式的键值映射，实为 {_was(data)}{_full_width_hint(text)}"


def parse_manifest(text: str, default_id: str) -> Manifest:
    """The manifest in ``text``; ``default_id`` (the folder name) fills a missing id.
    Raises ManifestError with a Chinese message naming every bad key."""
    data = _load(text)
    if not isinstance(data, dict):
        raise ManifestError(_not_a_mapping(data, text))
    data.setdefault("application_id", default_id)
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        raise ManifestError(manifest_problems(exc)) from exc


def applicant_name_of(text: str) -> str | None:
    """The applicant's name in the raw manifest ``text`` even when the manifest as a whole is
    invalid: the name when the YAML reads and ``applicant.name`` is non-blank text, else
    None. Never raises."""
    try:
        data = _load(text)
    except ManifestError:
        return None
    applicant = data.get("applicant") if isinstance(data, dict) else None
    name = applicant.get("name") if isinstance(applicant, dict) else None
    return name if isinstance(name, str) and name.strip() else None
