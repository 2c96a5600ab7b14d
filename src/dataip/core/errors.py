"""Errors of the cryptographic core, with their messages in Chinese and English.

Every error carries a stable machine ``code`` and the parameters of its message, so that the
command-line tool, the web platform and the API can each render it in the user's language.
``str(error)`` is the English message, for logs. Messages are single lines.

Verification failures are one type, :class:`VerificationError`, whose message says exactly what
did not match (STYLE.md rule 7).
"""

from __future__ import annotations

from typing import NamedTuple

#: code -> (Chinese template, English template); templates use ``str.format`` named fields.
MESSAGES: dict[str, tuple[str, str]] = {
    # algorithms
    "alg_unknown": (
        "未知的哈希算法“{alg}”，可选 sm3（默认）或 sha256（--alg sha256）",
        "unknown hash algorithm '{alg}': choose sm3 (default) or sha256 (--alg sha256)",
    ),
    "sm3_unavailable": (
        "此 Python 所用的 OpenSSL 不支持 SM3，请改用 --alg sha256（或换用支持 SM3 的 Python）",
        "this Python's OpenSSL does not provide SM3: use --alg sha256 "
        "(or a Python built with an OpenSSL that has SM3)",
    ),
    # the dataset
    "path_missing": ("路径不存在：{path}", "no such file or directory: {path}"),
    "path_special": (
        "{path} 不是普通文件或目录",
        "{path} is neither a regular file nor a directory",
    ),
    "unreadable": ("无法读取 {name}：{reason}", "cannot read {name}: {reason}"),
    "links_or_special": (
        "数据集中有 {count} 个符号链接或特殊文件（不会跟随或跳过）：{names}；"
        "如需排除，请使用 --exclude",
        "the dataset contains {count} symbolic link(s) or special file(s), which are neither "
        "followed nor skipped: {names}; use --exclude to leave them out",
    ),
    "bad_name": (
        "文件名不是有效的 UTF-8：{name}（请重命名该文件，或用 --exclude 排除）",
        "file name is not valid UTF-8: {name} (rename it, or use --exclude to leave it out)",
    ),
    "nfc_collision": (
        "两个文件名在 Unicode NFC 规范化后相同：{first} 与 {second}（请重命名其中一个）",
        "two file names are equal after Unicode NFC normalisation: {first} and {second} "
        "(rename one of them)",
    ),
    "empty_dataset": (
        "数据集中没有文件：{path}",
        "the dataset has no files: {path}",
    ),
    "file_changed": (
        "文件在计算哈希期间发生了变化：{name}（请在数据不再变化后重试）",
        "file changed while it was being hashed: {name} (hash again once the data has stopped "
        "changing)",
    ),
    "manifest_inside_dataset": (
        "清单文件 {manifest} 位于数据集 {path} 之内，会改变数据集本身；请把清单写到数据集之外",
        "the manifest {manifest} is inside the dataset {path} and would change it: write the "
        "manifest outside the dataset",
    ),
    "cannot_write": ("无法写入 {path}：{reason}", "cannot write {path}: {reason}"),
    "not_a_file": ("{path} 不是普通文件", "{path} is not a regular file"),
    "interrupted": ("已中断，未写入任何文件", "interrupted; nothing was written"),
    # manifest and proof files
    "file_unreadable": (
        "无法读取{kind} {path}：{reason}",
        "cannot read the {kind} {path}: {reason}",
    ),
    "file_not_json": (
        "{kind} {path} 不是有效的 JSON：{reason}",
        "the {kind} {path} is not valid JSON: {reason}",
    ),
    "file_format": (
        "{kind} {path} 的格式“{found}”无法识别（应为 {expected}）",
        "the {kind} {path} has format '{found}', which this tool does not know "
        "(expected {expected})",
    ),
    "file_field": (
        "{kind} {path} 的字段 {field} 无效：{problem}",
        "the {kind} {path} has an invalid field {field}: {problem}",
    ),
    "file_inconsistent": (
        "{kind} {path} 自相矛盾：{field} 与文件列表不符（记录为 {recorded}，计算得 {computed}）",
        "the {kind} {path} contradicts itself: {field} does not match its files "
        "(recorded {recorded}, computed {computed})",
    ),
    "alg_mismatch": (
        "清单使用 {manifest_alg} 算法，而命令指定了 {alg}",
        "the manifest uses {manifest_alg} but the command asks for {alg}",
    ),
    "name_not_in_manifest": (
        "清单中没有名为 {name} 的文件",
        "the manifest has no file named {name}",
    ),
    # verification
    "data_mismatch": (
        "数据与清单不符：新增 {added} 个、缺失 {removed} 个、变更 {changed} 个文件",
        "the data does not match the manifest: {added} added, {removed} removed, "
        "{changed} changed file(s)",
    ),
    "proof_root_mismatch": (
        "该证明针对的是数据集 {root}，而不是期望的 {expected}",
        "this proof is for the dataset {root}, not the expected {expected}",
    ),
    "check_code_mismatch": (
        "哈希校验码不匹配：记录为 {recorded}，按哈希值、文件数和总字节数计算应为 {computed}",
        "check code does not match: recorded {recorded}, but the hash value, file count and total "
        "bytes give {computed}",
    ),
    "proof_file_mismatch": (
        "文件与证明不符：{field} 在证明中为 {expected}，实际为 {actual}",
        "the file does not match the proof: {field} is {expected} in the proof but {actual} "
        "on disk",
    ),
    "inclusion_index": (
        "包含证明无效：叶子序号 {index} 超出树大小 {size}",
        "inclusion proof invalid: leaf index {index} is out of range for tree size {size}",
    ),
    "proof_length": (
        "{what}无效：证明长度为 {got}，应为 {want}",
        "{what} invalid: the proof has {got} hash(es), expected {want}",
    ),
    "proof_hash_length": (
        "{what}无效：第 {position} 个哈希长度为 {got} 字节，应为 {want}",
        "{what} invalid: hash {position} is {got} bytes long, expected {want}",
    ),
    "proof_root": (
        "{what}无效：计算得到的根 {computed} 与期望的根 {expected} 不符",
        "{what} invalid: the computed root {computed} does not match the expected root {expected}",
    ),
    "consistency_sizes": (
        "一致性证明无效：旧树大小 {old_size} 大于新树大小 {new_size}",
        "consistency proof invalid: old size {old_size} is larger than new size {new_size}",
    ),
}

LANGUAGES = ("zh", "en", "both")


class Text(NamedTuple):
    """A message parameter that is itself translated: rendered in the message's language."""

    zh: str
    en: str


class DataipError(Exception):
    """Base of every error the core raises; ``code`` is stable, the text is translated."""

    def __init__(self, code: str, **params: object) -> None:
        if code not in MESSAGES:  # pragma: no cover - programming error
            raise KeyError(code)
        self.code = code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        """The message in ``lang``: ``zh``, ``en`` or ``both`` (Chinese, then English)."""
        if lang == "both":
            return self.message("zh") + " / " + self.message("en")
        index = 0 if lang == "zh" else 1
        params = {k: v[index] if isinstance(v, Text) else v for k, v in self.params.items()}
        return MESSAGES[self.code][index].format(**params)


class InputError(DataipError):
    """The input (dataset, path, option) cannot be used; nothing was written."""


class ManifestError(InputError):
    """A manifest or proof file is malformed, of an unknown format, or contradicts itself."""


class UnsupportedAlgorithm(InputError):
    """The hash algorithm is unknown, or this interpreter's OpenSSL lacks it."""


class VerificationError(DataipError):
    """A check failed: the message says exactly what did not match."""


class Interrupted(DataipError):
    """The user interrupted the work (Ctrl-C); nothing was written."""

    def __init__(self) -> None:
        super().__init__("interrupted")
