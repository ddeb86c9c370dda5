"""The rejects workbook: the original columns of each rejected row, plus 原行号 and 原因."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from feedun.intake.normalize import Reject


def write_rejects(path: Path, headers: list[str], body: pd.DataFrame, first_row: int,
                  rejects: list[Reject], source_name: str) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("拒收行")
    bold = Font(bold=True)
    from openpyxl.cell import WriteOnlyCell

    def header_cell(text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        return cell

    width = body.shape[1]
    names = [(headers[i] if i < len(headers) and headers[i] else f"第{i + 1}列") for i in range(width)]
    ws.append([header_cell(t) for t in ["原行号", "原因", *names]])
    for reject in rejects:
        cells = body.iloc[reject.row - first_row].tolist()
        ws.append([reject.row, reject.reason, *[None if pd.isna(c) else str(c) for c in cells]])
    info = wb.create_sheet("说明")
    info.append(["来源文件", source_name])
    info.append(["拒收行数", len(rejects)])
    info.append(["处理办法", "在原台账中改正这些行（或在本表中改好后复制回原表），再重新导入整个文件。"])
    tmp = path.with_suffix(".tmp.xlsx")
    wb.save(tmp)
    tmp.replace(path)
    return path
