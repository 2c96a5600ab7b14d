"""Errors of resumable uploads, with their messages in Chinese and English.

(The errors of one-request uploads and of manifests are the core's: ``dataip.core.errors``.)
"""

from __future__ import annotations

from dataip.core.errors import DataipError, register_messages

register_messages(
    {
        "upload_not_found": (
            "没有这个上传（可能已过期、已放弃或已存证）",
            "no such upload (it may have expired, been discarded or been recorded)",
        ),
        "upload_file_not_found": (
            "上传中没有第 {position} 个文件",
            "the upload has no file at position {position}",
        ),
        "upload_no_files": ("没有声明任何文件", "no files were declared"),
        "upload_name_too_long": (
            "文件名 {name} 超过 {limit} 字节（UTF-8）",
            "the file name {name} is longer than {limit} bytes (UTF-8)",
        ),
        "upload_sessions_limit": (
            "您已有 {count} 个未完成的上传（上限 {limit} 个）：请先完成或放弃其中的一些",
            "you have {count} unfinished uploads (the limit is {limit}): complete or discard "
            "some of them first",
        ),
        "upload_offset_mismatch": (
            "Upload-Offset 为 {given}，但该文件已收到 {offset} 字节：请从第 {offset} 字节继续",
            "Upload-Offset is {given} but {offset} bytes of the file were received: continue "
            "from byte {offset}",
        ),
        "upload_offset_missing": (
            "缺少 Upload-Offset 请求头（应为已收到的字节数）",
            "the Upload-Offset header is missing (it must be the number of bytes received)",
        ),
        "upload_piece_no_length": (
            "缺少 Content-Length 请求头（不支持分块传输编码）",
            "the Content-Length header is missing (chunked transfer encoding is not supported)",
        ),
        "upload_content_type": (
            "内容类型应为 application/offset+octet-stream，而不是“{content_type}”",
            "the content type must be application/offset+octet-stream, not '{content_type}'",
        ),
        "upload_tus_version": (
            "不支持的 tus 版本 {version}（支持 1.0.0）",
            "tus version {version} is not supported (1.0.0 is)",
        ),
        "upload_past_end": (
            "这部分数据超出了文件的大小：文件 {size} 字节，已收到 {offset} 字节，"
            "本次 {length} 字节",
            "the piece runs past the file's end: the file has {size} bytes, {offset} were "
            "received, the piece has {length}",
        ),
        "upload_piece_interrupted": (
            "本次数据中断：收到 {received} 字节，应为 {expected} 字节；已保存到第 {offset} 字节，"
            "请从那里继续",
            "the piece was cut short after {received} of {expected} bytes; the upload was kept "
            "up to byte {offset}: continue from there",
        ),
        "upload_incomplete": (
            "还有 {count} 个文件没有上传完：{names}",
            "{count} file(s) are not fully uploaded yet: {names}",
        ),
    }
)


class UploadError(DataipError):
    """A resumable-upload request that cannot be carried out; nothing was changed."""


class UploadNotFound(UploadError):
    status = 404


class UploadConflict(UploadError):
    """The request does not fit the upload's current state (HTTP 409); ``extra`` tells it."""

    status = 409

    def __init__(self, code: str, *, extra: dict[str, object], **params: object) -> None:
        super().__init__(code, **params)
        self.extra = extra


class LengthRequired(UploadError):
    status = 411


class UploadTooLarge(UploadError):
    status = 413


class UnsupportedMediaType(UploadError):
    status = 415


class PreconditionFailed(UploadError):
    status = 412
