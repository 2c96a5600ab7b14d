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
    # transparency log requests (dataip.transparency)
    "log_tree_size": (
        "树大小 {size} 无效：已发布的日志有 {published} 条记录",
        "tree size {size} is not available: the published log has {published} leaves",
    ),
    "log_proof_leaf": (
        "请给出叶序号（index）或叶哈希（leaf_hash）之一",
        "give exactly one of index and leaf_hash",
    ),
    "log_leaf_unknown": (
        "日志中没有叶哈希为 {leaf_hash} 的记录",
        "no leaf with hash {leaf_hash} in the log",
    ),
    "log_index_range": (
        "叶序号 {index} 超出范围：大小为 {size} 的树只有第 0 至 {size} - 1 条",
        "leaf index {index} is out of range for a tree of {size} leaves",
    ),
    "log_consistency_range": (
        "一致性证明的大小无效：需要 0 ≤ first（{first}）≤ second（{second}）≤ {published}",
        "consistency proof sizes invalid: need 0 <= first ({first}) <= second ({second}) "
        "<= {published}",
    ),
    # evidence records (dataip.evidence)
    "evidence_conflict": (
        "您已登记过哈希值 {root}，但文件数为 {file_count}、总字节数为 {total_bytes}，"
        "与本次填写的不同；"
        "请核对后重新复制",
        "you already recorded hash value {root} with {file_count} file(s) and {total_bytes} "
        "byte(s), which differ from these; check and copy them again",
    ),
    "manifest_too_large": (
        "清单文件超过了 {limit} 字节的上限",
        "the manifest is larger than the limit of {limit} bytes",
    ),
    "evidence_root_format": (
        "哈希值应为 64 位十六进制数字（0-9、a-f），填写的有 {length} 个字符；"
        "请从工具输出中完整复制",
        "the hash value must be 64 hexadecimal digits (0-9, a-f); this has {length} "
        "character(s): copy it whole from the tool's output",
    ),
    "evidence_file_count": (
        "文件数应至少为 1，填写的是 {file_count}",
        "the file count must be at least 1, not {file_count}",
    ),
    "evidence_total_bytes": (
        "总字节数不能为负数，填写的是 {total_bytes}",
        "the total bytes cannot be negative, not {total_bytes}",
    ),
    "evidence_check_code_mismatch": (
        "哈希校验码不匹配：校验码 {given} 与所填的哈希值、文件数、总字节数不符；"
        "请从工具输出（或清单）中重新复制这四项",
        "the hash check code does not match: {given} does not follow from the hash value, "
        "file count and total bytes given; copy all four again from the tool's output "
        "(or the manifest)",
    ),
    "evidence_check_code_alg": (
        "哈希校验码不匹配：校验码 {given} 属于另一种哈希算法；"
        "请重新选择算法（与工具输出中的 alg 一致）",
        "the hash check code does not match: {given} belongs to the other hash algorithm; "
        "choose the algorithm shown as alg in the tool's output",
    ),
    "evidence_check_code_swapped": (
        "哈希校验码不匹配：文件数和总字节数似乎填反了；请按工具输出重新复制这两项",
        "the hash check code does not match: the file count and total bytes seem swapped; "
        "copy both again from the tool's output",
    ),
    "evidence_receipt_not_ready": (
        "存证凭证尚未就绪：记录正在写入日志并加盖时间戳，请稍后再试",
        "the receipt is not ready yet: the record is being logged and time-stamped; "
        "try again in a moment",
    ),
    # receipts (receipt.py): each names the part of the receipt that failed
    "receipt_format": (
        "不是存证凭证：format 应为 {format}",
        "not a receipt: format must be {format}",
    ),
    "receipt_field_missing": ("存证凭证缺少“{field}”", "the receipt has no '{field}'"),
    "receipt_field_unknown": (
        "存证凭证含有未知字段：{field}",
        "the receipt has unknown field(s): {field}",
    ),
    "receipt_field_type": (
        "存证凭证的“{field}”应为文本",
        "the receipt's '{field}' must be a string",
    ),
    "receipt_statement": (
        "存证凭证的存证声明（statement）无效：{reason}",
        "the receipt's statement is invalid: {reason}",
    ),
    "receipt_log_key": (
        "存证凭证的日志公钥（log_key）无效：{reason}",
        "the receipt's log key is invalid: {reason}",
    ),
    "receipt_log_key_pinned": (
        "存证凭证的日志公钥（密钥标识 {key_id}）不是您指定的公钥",
        "the receipt's log key (key id {key_id}) is not the log key you gave",
    ),
    "receipt_proof_format": (
        "存证凭证的证明（proof）格式无效：{reason}",
        "the receipt's proof is malformed: {reason}",
    ),
    "receipt_checkpoint": (
        "存证凭证的签名检查点无效：{reason}",
        "the receipt's signed checkpoint does not verify: {reason}",
    ),
    "receipt_inclusion": (
        "包含证明不成立：第 {index} 条记录不在大小为 {size} 的日志树中（{reason}）",
        "the inclusion proof fails: leaf {index} is not in the tree of size {size} ({reason})",
    ),
    "receipt_timestamp": (
        "存证凭证的时间戳（RFC 3161）无效：{reason}",
        "the receipt's time stamp (RFC 3161) does not verify: {reason}",
    ),
    "receipt_data_root": (
        "数据与存证不符：计算得到的哈希值 {computed}，存证记录的是 {recorded}",
        "the data does not match the record: it hashes to {computed}, the record says {recorded}",
    ),
    "receipt_data_counts": (
        "数据与存证不符：{files} 个文件、{nbytes} 字节，"
        "存证记录的是 {rec_files} 个文件、{rec_bytes} 字节",
        "the data does not match the record: {files} file(s), {nbytes} byte(s); "
        "the record says {rec_files} file(s), {rec_bytes} byte(s)",
    ),
    # uploads (incremental.py, evidence/uploads.py)
    "name_invalid": ("文件名 {name} 无效：{problem}", "invalid file name {name}: {problem}"),
    "name_duplicate": ("文件名 {name} 出现了两次", "the file name {name} occurs twice"),
    "name_file_and_directory": (
        "{name} 既是文件又是目录（其下有 {other}）",
        "{name} is both a file and a directory (containing {other})",
    ),
    "no_files": ("数据集中没有文件", "the dataset has no files"),
    "upload_not_multipart": (
        "上传的请求应为 POST 方法、multipart/form-data 编码",
        "an upload must be a POST request encoded as multipart/form-data",
    ),
    "upload_no_length": (
        "上传的请求缺少 Content-Length（不支持分块传输编码），请用浏览器或 curl -F 上传",
        "the upload has no Content-Length (chunked transfer encoding is not supported): "
        "upload with a browser or curl -F",
    ),
    "upload_empty": (
        "没有上传任何文件（文件应放在表单字段“{field}”中）",
        "no files were uploaded (files go in the form field '{field}')",
    ),
    "upload_field": (
        "意外的文件字段“{field}”：文件应放在表单字段“{expected}”中",
        "unexpected file field '{field}': files go in the form field '{expected}'",
    ),
    "upload_too_large": (
        "上传的文件超过了 {limit} 字节（{limit_gib} GiB）的上限，未记录任何内容",
        "the uploaded files exceed the limit of {limit} bytes ({limit_gib} GiB); "
        "nothing was recorded",
    ),
    "upload_too_many_files": (
        "上传的文件超过了 {limit} 个的上限，未记录任何内容",
        "the upload has more than {limit} files, the limit; nothing was recorded",
    ),
    "upload_name_encoding": (
        "文件名 {name} 不是百分号编码的 UTF-8（路径应以 encodeURIComponent 编码后作为文件名）",
        "the file name {name} is not percent-encoded UTF-8 (send the path through "
        "encodeURIComponent as the file name)",
    ),
    "upload_malformed": (
        "上传的数据不是有效的 multipart/form-data：{reason}；未记录任何内容",
        "the upload is not valid multipart/form-data: {reason}; nothing was recorded",
    ),
    "upload_interrupted": (
        "上传中断：收到 {received} 字节，应为 {expected} 字节；未记录任何内容，请重新上传",
        "the upload was interrupted after {received} of {expected} bytes; nothing was "
        "recorded, upload again",
    ),
    # RFC 3161 time-stamping (tsp.py)
    "tsp_certificates_invalid": (
        "时间戳机构证书链不是有效的 PEM 证书：{reason}",
        "the time-stamping authority's certificate chain is not valid PEM certificates: {reason}",
    ),
    "tsp_key_invalid": (
        "时间戳机构私钥不是未加密的 PEM 私钥：{reason}",
        "the time-stamping authority's key is not an unencrypted PEM private key: {reason}",
    ),
    "tsp_key_unsupported": (
        "时间戳机构私钥类型 {kind} 不受支持（应为 EC 或 RSA）",
        "the time-stamping authority's key type {kind} is not supported (use EC or RSA)",
    ),
    "tsp_key_mismatch": (
        "时间戳机构私钥与证书链中的第一张证书 {subject} 不匹配",
        "the time-stamping authority's key does not match the first certificate of the chain, "
        "{subject}",
    ),
    "tsp_eku": (
        "证书 {subject} 不能签发时间戳：{problem}（RFC 3161 要求唯一且关键的扩展密钥用法 "
        "timeStamping）",
        "the certificate {subject} cannot sign time-stamps: {problem} (RFC 3161 requires the "
        "extended key usage timeStamping alone, marked critical)",
    ),
    "tsp_policy_invalid": (
        "时间戳策略 {policy} 不是有效的对象标识符",
        "the time-stamp policy {policy} is not a valid object identifier",
    ),
    "tsp_url": (
        "时间戳服务地址 {url} 无效：应以 http:// 或 https:// 开头",
        "the time-stamping service URL {url} is invalid: it must start with http:// or https://",
    ),
    "tsp_unreachable": (
        "无法连接时间戳服务 {url}：{reason}",
        "cannot reach the time-stamping service {url}: {reason}",
    ),
    "tsp_http_error": (
        "时间戳服务 {url} 返回 HTTP 错误 {status}（{reason}）",
        "the time-stamping service {url} answered with HTTP error {status} ({reason})",
    ),
    "tsp_rejected": (
        "时间戳服务 {url} 拒绝了请求：状态 {status}，原因 {fail_info}，说明：{text}",
        "the time-stamping service {url} refused the request: status {status}, failure "
        "{fail_info}, text: {text}",
    ),
    "tsp_reply_malformed": (
        "时间戳服务 {url} 的答复不是有效的 TimeStampResp：{reason}",
        "the reply of the time-stamping service {url} is not a valid TimeStampResp: {reason}",
    ),
    "tsp_reply_mismatch": (
        "时间戳答复与请求不符：{field} 发送的是 {sent}，收到的是 {got}",
        "the time-stamp reply does not match the request: {field} sent {sent}, received {got}",
    ),
    "tsp_malformed": (
        "时间戳令牌不是有效的 DER 编码：{reason}",
        "the time-stamp token is not well-formed DER: {reason}",
    ),
    "tsp_structure": (
        "时间戳令牌不是 RFC 3161 令牌（单一签名者、内容为版本 1 的 TSTInfo 的 SignedData）："
        "{problem}",
        "the time-stamp token is not an RFC 3161 token (a SignedData with one signer over a "
        "TSTInfo of version 1): {problem}",
    ),
    "tsp_hash_unsupported": (
        "时间戳令牌的{part}使用了不支持的哈希算法 {alg}（支持 sha256、sha384、sha512）",
        "the time-stamp token's {part} uses the unsupported hash algorithm {alg} (supported: "
        "sha256, sha384, sha512)",
    ),
    "tsp_imprint": (
        "时间戳令牌针对的是其他数据：令牌中的 {alg} 摘要为 {imprint}，数据的摘要为 {actual}",
        "the time-stamp token is for other data: its {alg} message imprint is {imprint}, the "
        "data's is {actual}",
    ),
    "tsp_attribute": (
        "时间戳令牌的签名属性 {attribute} 无效：{problem}",
        "the time-stamp token's signed attribute {attribute} is invalid: {problem}",
    ),
    "tsp_message_digest": (
        "时间戳令牌的 messageDigest 属性与 TSTInfo 不符：记录为 {recorded}，计算得 {computed}",
        "the time-stamp token's messageDigest attribute does not match its TSTInfo: recorded "
        "{recorded}, computed {computed}",
    ),
    "tsp_signer_missing": (
        "找不到时间戳令牌签名者的证书：令牌和受信任证书中都没有",
        "the time-stamp token's signer certificate is neither in the token nor among the "
        "trusted certificates",
    ),
    "tsp_ess": (
        "时间戳令牌的 signingCertificate 属性未指向签名证书 {subject}：{problem}",
        "the time-stamp token's signingCertificate attribute does not name the signer "
        "certificate {subject}: {problem}",
    ),
    "tsp_signature": (
        "时间戳令牌的签名无效：签名属性上的签名不能用证书 {subject} 的公钥验证",
        "the time-stamp token's signature is invalid: the signature over the signed "
        "attributes does not verify with the key of {subject}",
    ),
    "tsp_signature_unsupported": (
        "时间戳令牌的签名算法不受支持：{algorithm}（签名证书 {subject}）",
        "the time-stamp token's signature algorithm is not supported: {algorithm} (signer "
        "{subject})",
    ),
    "tsp_chain": (
        "时间戳机构证书 {subject} 不能链接到任何受信任的证书",
        "the time-stamping authority's certificate {subject} does not chain to a trusted "
        "certificate",
    ),
    "tsp_validity": (
        "证书 {subject} 在 {time} 不在有效期内（有效期 {not_before} 至 {not_after}）",
        "the certificate {subject} is not valid at {time} (valid from {not_before} to {not_after})",
    ),
    "tsp_tsa_name": (
        "时间戳令牌中的时间戳机构名称与签名证书 {subject} 的主体不符",
        "the time-stamp token's TSA name is not the subject of its signer certificate {subject}",
    ),
    # canonical JSON (jcs.py)
    "jcs_type": (
        "无法规范化为 JSON：{where} 处的值类型 {type} 不受支持",
        "cannot canonicalize as JSON: the value at {where} has the unsupported type {type}",
    ),
    "jcs_key": (
        "无法规范化为 JSON：{where} 处的对象键 {key} 不是字符串",
        "cannot canonicalize as JSON: the object key {key} at {where} is not a string",
    ),
    "jcs_integer": (
        "无法规范化为 JSON：{where} 处的整数 {value} 超出了可精确表示的范围 ±(2^53-1)",
        "cannot canonicalize as JSON: the integer {value} at {where} is outside the exactly "
        "representable range +-(2^53-1)",
    ),
    "jcs_float": (
        "无法规范化为 JSON：{where} 处的数值 {value} 不是有限数（JSON 中没有 NaN 和无穷大）",
        "cannot canonicalize as JSON: the number {value} at {where} is not finite (JSON has "
        "no NaN or infinity)",
    ),
    "jcs_string": (
        "无法规范化为 JSON：{where} 处的字符串含有不成对的代理项，不是有效的 Unicode 文本",
        "cannot canonicalize as JSON: the string at {where} contains a lone surrogate and is "
        "not valid Unicode text",
    ),
    # signed notes (note.py)
    "note_key": ("{kind}无效：{problem}", "invalid {kind}: {problem}"),
    "note_text": ("无法签名该注记：{problem}", "cannot sign the note: {problem}"),
    "note_verifiers": (
        "验证公钥有歧义：{key} 对应两个不同的公钥",
        "ambiguous verifier keys: {key} names two different public keys",
    ),
    "note_malformed": ("不是有效的签名注记：{problem}", "not a valid signed note: {problem}"),
    "note_bad_signature": (
        "签名注记中密钥 {key} 的签名验证失败",
        "the note's signature by the key {key} does not verify",
    ),
    "note_unverified": (
        "签名注记没有受信任密钥的签名：签名者为 {found}，受信任的密钥为 {known}",
        "the note has no signature by a trusted key: it is signed by {found}; the trusted "
        "keys are {known}",
    ),
    # checkpoints, tile paths, entry bundles, tlog proofs (checkpoint.py)
    "checkpoint_field": ("检查点的{field}无效：{problem}", "invalid checkpoint {field}: {problem}"),
    "checkpoint_malformed": ("不是有效的检查点：{problem}", "not a valid checkpoint: {problem}"),
    "checkpoint_origin": (
        "检查点的来源为 {found}，应为 {expected}",
        "the checkpoint's origin is {found}, expected {expected}",
    ),
    "tile_coordinates": ("瓦片坐标无效：{problem}", "invalid tile coordinates: {problem}"),
    "tile_path": (
        "{path} 不是有效的瓦片路径：{problem}",
        "{path} is not a valid tile path: {problem}",
    ),
    "entry_bundle": ("无法编码条目包：{problem}", "cannot encode the entry bundle: {problem}"),
    "entry_bundle_malformed": (
        "不是有效的条目包：{problem}",
        "not a valid entry bundle: {problem}",
    ),
    "tlog_proof_field": (
        "无法生成日志证明（tlog-proof）：{problem}",
        "cannot write the tlog-proof: {problem}",
    ),
    "tlog_proof_malformed": (
        "不是有效的日志证明（tlog-proof）：{problem}",
        "not a valid tlog-proof: {problem}",
    ),
}

LANGUAGES = ("zh", "en", "both")


def register_messages(messages: dict[str, tuple[str, str]]) -> None:
    """Add the message table of a layer above the core (a platform app's ``errors.py``).

    Codes are global: a code registered twice is a programming error.
    """
    clash = MESSAGES.keys() & messages.keys()
    if clash:  # pragma: no cover - programming error
        raise KeyError(f"message codes registered twice: {sorted(clash)}")
    MESSAGES.update(messages)


class Text(NamedTuple):
    """A message parameter that is itself translated: rendered in the message's language."""

    zh: str
    en: str


class DataipError(Exception):
    """Base of every error the core raises; ``code`` is stable, the text is translated.

    ``status`` is the HTTP status the platform answers with; ``extra`` holds fields the API adds
    to its error body (such as the current state of a refused transition).
    """

    status = 400
    extra: dict[str, object] = {}  # noqa: RUF012 - read-only default, replaced per instance

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
