"""Hostile-file-safe decoding, one way for every reader (catalogue import, bulk filing, the
bulk status check): text files decoded, XLSX sheets read, and anything that cannot be read
refused with one Chinese message, ``无法读取文件：…`` (``UnreadableFile``), never a
UnicodeDecodeError, a zipfile or XML ParseError or an IndexError.
"""

from __future__ import annotations

import codecs
import io
import warnings
import zipfile
from collections.abc import Generator
from pathlib import Path
from typing import IO, Any

# An XLSX is a zip: refuse one whose parts unpack to more than this (a "zip bomb" of a few
# hundred KB can claim gigabytes of empty rows). A 5,000-row filing unpacks to a few MB.
MAX_XLSX_UNPACKED = 256 * 1024 * 1024


class UnreadableFile(ValueError):
    """The file cannot be read at all; ``str(exc)`` is the message for the person."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"无法读取文件：{reason}")
        self.message = str(self)


def text_encoding(fh: IO[bytes]) -> str:
    """The encoding all of a text file decodes in: UTF-8 (``utf-8-sig`` with a BOM), UTF-16
    with a BOM, else GB18030 (what Excel on a Chinese Windows saves as "CSV").

    Reads the whole stream once per candidate (in 1 MB chunks) and rewinds it; a damaged
    file raises ``UnreadableFile`` here rather than a UnicodeDecodeError half-way through.
    """
    fh.seek(0)
    head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8) or head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-16"
        error = _decode_error(fh, encoding)
        if error is not None:
            raise UnreadableFile(f"文件编码有误（{error.reason}，位置 {error.start}），"
                                 "请另存为 UTF-8 编码的 CSV") from error
        return encoding
    for encoding in ("utf-8", "gb18030"):
        if _decode_error(fh, encoding) is None:
            return encoding
    raise UnreadableFile("无法识别文件编码，请保存为 UTF-8 或 GB18030 编码的 CSV")


def _decode_error(fh: IO[bytes], encoding: str) -> UnicodeDecodeError | None:
    """None when the whole stream decodes (and it is rewound), else the error (position in
    the file)."""
    fh.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    try:
        while chunk := fh.read(1 << 20):
            decoder.decode(chunk)
            offset += len(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        exc.start += offset
        return exc
    finally:
        fh.seek(0)
    return None


def decode_text(data: bytes) -> str:
    """An uploaded text file as text (``text_encoding``'s rules); UnreadableFile if it cannot."""
    return data.decode(text_encoding(io.BytesIO(data)))


def _check_zip(source: bytes | Path) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnreadableFile("不是有效的 XLSX 文件（请在 Excel 中另存为 .xlsx）") from exc
    if unpacked > MAX_XLSX_UNPACKED:
        raise UnreadableFile("XLSX 文件解压后过大，请只保留需要的工作表和行")


def xlsx_rows(source: bytes | Path, *, min_row: int = 1) -> Generator[tuple[Any, ...], None, None]:
    """The values of the first sheet's rows, from ``min_row`` on.

    Damage that shows only while reading (a truncated sheet, a workbook whose sheet part is
    missing) raises ``UnreadableFile`` from the iteration as well.
    """
    # openpyxl is imported where a file needs it (about 120 ms; the app never loads it)
    from openpyxl import load_workbook

    _check_zip(source)
    # our own handle: openpyxl leaves the file open when it fails on a path
    fh = io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # WPS/Excel add-ins trip openpyxl's style warnings
            try:
                wb = load_workbook(fh, read_only=True, data_only=True)
            except Exception as exc:  # BadZipFile, KeyError (no sheet part), InvalidFile…
                raise UnreadableFile(f"XLSX 文件已损坏（{_reason(exc)}）") from exc
        try:
            if not wb.worksheets:
                raise UnreadableFile("XLSX 文件中没有工作表")
            sheet = wb.worksheets[0]
            # the stored dimension is often wrong in files from other tools: read what is there
            sheet.reset_dimensions()
            yield from sheet.iter_rows(min_row=min_row, values_only=True)
        except UnreadableFile:
            raise
        except Exception as exc:  # ParseError, zlib/zipfile errors, KeyError, IndexError …
            raise UnreadableFile(f"XLSX 文件已损坏（{_reason(exc)}）") from exc
        finally:
            wb.close()
    finally:
        fh.close()


def xlsx_stored_rows(source: bytes | Path) -> int | None:
    """The row count the first sheet claims (its stored dimension; for progress bars only)."""
    # openpyxl is imported where a file needs it (about 120 ms; the app never loads it)
    from openpyxl import load_workbook

    fh = io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")
    with fh, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            wb = load_workbook(fh, read_only=True, data_only=True)
            try:
                return wb.worksheets[0].max_row if wb.worksheets else None
            finally:
                wb.close()
        except Exception:  # unreadable: xlsx_rows says why
            return None


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text[:120]}" if text else type(exc).__name__
