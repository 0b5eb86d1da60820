#!/usr/bin/env python3
"""Writes the hostile input files of issue 13 into a folder, for measuring trappe on them
(scripts/hostile-check.sh runs `trappe import` on each with /usr/bin/time).

    python3 scripts/hostile-files.py /tmp/hostile

Every file is small on disk and would, read naively, cost much memory or time:
- far-cell.xlsx: cells A1 and XFD1048576 only (Excel's last cell), about 1 KB;
- million-rows.xlsx: cells A1 and Z1000000;
- bomb-200mb.xlsx: a sheet of 200 MB of real-looking XML in about half a MB;
- bomb-5gb.xlsx: 4.9 GB of XML in a few MB;
- strings-bomb.xlsx: a shared-strings part of 200 MB;
- rows-60mb.xlsx: 450,000 rows of bad departments, 60 MB unpacked (just under the limit:
  every row is read and checked);
- wide-100k.csv: a header of 100,000 columns and one row;
- wide-20mb.csv: one line of 19.6 MB (2.2 million columns), just under the size limit;
- header-only.csv: the departments header and nothing else.
Only the standard library is used.
"""

import os
import sys
import zipfile

CONTENT_TYPES = b"""<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"""
RELS = b"""<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = b"""<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Ark1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = b"""<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"""
SHEET_START = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
SHEET_END = b"</sheetData></worksheet>"
HEADER = "department_id;name;organisation_id;area_id;local_district;family_homes;residents"


def workbook(path, sheet_parts, shared_strings=None):
    """sheet_parts: an iterable of byte chunks between <sheetData> and </sheetData>."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        if shared_strings is not None:
            with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
                for chunk in shared_strings:
                    f.write(chunk)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(SHEET_START)
            for chunk in sheet_parts:
                f.write(chunk)
            f.write(SHEET_END)


def header_row():
    cells = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{c}</t></is></c>'
        for i, c in enumerate(HEADER.split(";"))
    )
    return f'<row r="1">{cells}</row>'.encode()


def repeated(total_bytes, unit):
    block = unit * max(1, (1 << 20) // len(unit))
    written = 0
    while written < total_bytes:
        yield block
        written += len(block)


def main(out):
    os.makedirs(out, exist_ok=True)
    cell = b'<row><c t="inlineStr"><is><t>d</t></is></c><c><v>1</v></c></row>'
    workbook(
        f"{out}/far-cell.xlsx",
        [b'<row r="1"><c r="A1" t="inlineStr"><is><t>department_id</t></is></c></row>'
         b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'],
    )
    workbook(
        f"{out}/million-rows.xlsx",
        [b'<row r="1"><c r="A1" t="inlineStr"><is><t>department_id</t></is></c></row>'
         b'<row r="1000000"><c r="Z1000000"><v>1</v></c></row>'],
    )
    workbook(f"{out}/bomb-200mb.xlsx", [header_row(), *repeated(200 << 20, cell)])
    workbook(f"{out}/bomb-5gb.xlsx", [header_row(), *repeated(4900 << 20, cell)])
    bad_row = (b'<row><c t="inlineStr"><is><t>d</t></is></c><c><v>1</v></c><c t="inlineStr"><is><t>'
               + b"x" * 40 + b"</t></is></c></row>")
    workbook(f"{out}/rows-60mb.xlsx", [header_row(), *repeated(60 << 20, bad_row)])
    strings = [b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
               *repeated(200 << 20, b"<si><t>x</t></si>"), b"</sst>"]
    workbook(f"{out}/strings-bomb.xlsx", [header_row()], shared_strings=strings)
    with open(f"{out}/wide-100k.csv", "w") as f:
        cols = [f"c{i}" for i in range(100_000)]
        f.write(";".join(cols) + "\n" + ";".join(cols) + "\n")
    with open(f"{out}/wide-20mb.csv", "w") as f:
        f.write(";".join(f"c{i}" for i in range(2_200_000)) + "\n")
    with open(f"{out}/header-only.csv", "w") as f:
        f.write(HEADER + "\n")
    for name in sorted(os.listdir(out)):
        print(f"{os.path.getsize(os.path.join(out, name)):>12,} bytes  {name}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/hostile")
